// Calendar dates for plans: the --date anchor, waiting periods (isotretinoin) and the session schedule.
#pragma once
#include <chrono>
#include <string>

namespace scarscope {

struct CalendarDate {
  std::chrono::sys_days day{};

  // Parses "YYYY-MM-DD" strictly; throws InputError naming `what` when it is not a real date.
  static CalendarDate parse(const std::string& text, const std::string& what);
  static CalendarDate today();  // UTC

  std::string to_string() const;  // "YYYY-MM-DD"
  int year() const;
  CalendarDate plus_days(long long days) const { return {day + std::chrono::days(days)}; }
  CalendarDate plus_weeks(double weeks) const;
  // Calendar months; a day past the end of the month becomes its last day (31 Aug + 6 months = 28/29 Feb).
  CalendarDate plus_months(int months) const;

  auto operator<=>(const CalendarDate&) const = default;
};

}  // namespace scarscope
