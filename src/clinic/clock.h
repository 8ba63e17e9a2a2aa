// Time for the clinic record: one injectable clock for everything that stamps or expires (jobs,
// leases, sessions, audit entries), so tests advance time instead of sleeping.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace scarscope::clinic {

// A moment in UTC with microsecond resolution; stored as microseconds since 1970-01-01 (BIGINT).
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

std::int64_t to_unix_microseconds(Timestamp moment);
Timestamp from_unix_microseconds(std::int64_t microseconds);

// "2026-12-04T09:30:00.123456Z" (always six decimals, always UTC).
std::string format_timestamp(Timestamp moment);
// Parses what format_timestamp writes (and the same without the fraction); throws InputError naming
// `field` for anything else.
Timestamp parse_timestamp(const std::string& text, const std::string& field);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

// The real time (std::chrono::system_clock), truncated to microseconds.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

// Time that moves only when told to: for tests (lease expiry, session expiry, rate-limit windows).
// Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start);
  Timestamp now() const override;
  void set(Timestamp moment);
  void advance(std::chrono::microseconds by);

 private:
  std::atomic<std::int64_t> now_us_;
};

// The process-wide system clock, for callers that do not inject one.
const Clock& system_clock();

}  // namespace scarscope::clinic
