#include "clinic/clock.h"

#include <cstdio>

#include "core/error.h"

namespace scarscope::clinic {

using std::chrono::microseconds;

std::int64_t to_unix_microseconds(Timestamp moment) { return moment.time_since_epoch().count(); }

Timestamp from_unix_microseconds(std::int64_t value) { return Timestamp(microseconds(value)); }

std::string format_timestamp(Timestamp moment) {
  const auto day = std::chrono::floor<std::chrono::days>(moment);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss<microseconds> time(moment - day);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return text;
}

namespace {

bool read_digits(const std::string& text, std::size_t& at, int count, int& value) {
  value = 0;
  for (int i = 0; i < count; ++i, ++at) {
    if (at >= text.size() || text[at] < '0' || text[at] > '9') return false;
    value = value * 10 + (text[at] - '0');
  }
  return true;
}

bool expect(const std::string& text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

}  // namespace

Timestamp parse_timestamp(const std::string& text, const std::string& field) {
  const auto fail = [&]() -> Timestamp {
    throw InputError(field + ": \"" + text + "\" is not a UTC time such as 2026-12-04T09:30:00Z", ErrorCode::bad_format,
                     field);
  };
  std::size_t at = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, at, 4, year) || !expect(text, at, '-') || !read_digits(text, at, 2, month) ||
      !expect(text, at, '-') || !read_digits(text, at, 2, day) || !expect(text, at, 'T') ||
      !read_digits(text, at, 2, hour) || !expect(text, at, ':') || !read_digits(text, at, 2, minute) ||
      !expect(text, at, ':') || !read_digits(text, at, 2, second)) {
    return fail();
  }
  int fraction_us = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int digits = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (digits < 6) fraction_us = fraction_us * 10 + (text[at] - '0');
      ++digits;
      ++at;
    }
    if (digits == 0) return fail();
    for (int i = digits; i < 6; ++i) fraction_us *= 10;
  }
  if (!expect(text, at, 'Z') || at != text.size()) return fail();
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return fail();
  return Timestamp(std::chrono::sys_days(date)) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second) + microseconds(fraction_us);
}

Timestamp SystemClock::now() const {
  return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

ManualClock::ManualClock(Timestamp start) : now_us_(to_unix_microseconds(start)) {}

Timestamp ManualClock::now() const { return from_unix_microseconds(now_us_.load()); }

void ManualClock::set(Timestamp moment) { now_us_.store(to_unix_microseconds(moment)); }

void ManualClock::advance(microseconds by) { now_us_.fetch_add(by.count()); }

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace scarscope::clinic
