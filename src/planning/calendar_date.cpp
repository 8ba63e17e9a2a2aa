#include "planning/calendar_date.h"

#include <cmath>
#include <cstdio>
#include <regex>

#include "core/error.h"

namespace scarscope {

namespace chrono = std::chrono;

CalendarDate CalendarDate::parse(const std::string& text, const std::string& what) {
  static const std::regex pattern(R"((\d{4})-(\d{2})-(\d{2}))");
  std::smatch match;
  if (!std::regex_match(text, match, pattern)) {
    throw InputError(what + ": \"" + text + "\" is not a date; expected YYYY-MM-DD", ErrorCode::bad_format, what);
  }
  const chrono::year_month_day ymd{chrono::year{std::stoi(match[1])},
                                   chrono::month{static_cast<unsigned>(std::stoi(match[2]))},
                                   chrono::day{static_cast<unsigned>(std::stoi(match[3]))}};
  if (!ymd.ok()) throw InputError(what + ": \"" + text + "\" is not a real calendar date", ErrorCode::out_of_range, what);
  return {chrono::sys_days{ymd}};
}

CalendarDate CalendarDate::today() { return {chrono::floor<chrono::days>(chrono::system_clock::now())}; }

std::string CalendarDate::to_string() const {
  const chrono::year_month_day ymd{day};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

int CalendarDate::year() const { return static_cast<int>(chrono::year_month_day{day}.year()); }

CalendarDate CalendarDate::plus_weeks(double weeks) const {
  return plus_days(static_cast<long long>(std::llround(weeks * 7.0)));
}

CalendarDate CalendarDate::plus_months(int count) const {
  const chrono::year_month_day ymd{day};
  chrono::year_month_day moved = ymd + chrono::months{count};
  if (!moved.ok()) {
    moved = chrono::year_month_day{chrono::year_month_day_last{moved.year(), chrono::month_day_last{moved.month()}}};
  }
  return {chrono::sys_days{moved}};
}

}  // namespace scarscope
