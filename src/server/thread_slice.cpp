#include "server/thread_slice.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace scarscope::server {

namespace {

// The kernel's struct sched_attr (linux/sched/types.h, which clashes with glibc's <sched.h>), in
// its first version (48 bytes); glibc has no wrappers for these calls.
struct sched_attr {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;  // SCHED_OTHER: the slice, in nanoseconds (Linux 6.12+)
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
};
static_assert(sizeof(sched_attr) == 48);

int get_attributes(int tid, sched_attr& attributes) {
  attributes = {};
  return static_cast<int>(::syscall(SYS_sched_getattr, tid, &attributes, sizeof attributes, 0));
}

}  // namespace

bool set_thread_slice(std::chrono::microseconds slice) {
  sched_attr attributes{};
  if (get_attributes(0, attributes) != 0) return false;
  if (attributes.sched_policy != SCHED_OTHER) return false;  // leave a real-time or batch thread alone
  attributes.size = sizeof attributes;
  attributes.sched_flags = 0;
  attributes.sched_runtime = static_cast<std::uint64_t>(slice.count()) * 1000;  // nanoseconds
  return ::syscall(SYS_sched_setattr, 0, &attributes, 0) == 0;
}

std::optional<std::chrono::microseconds> thread_slice(int tid) {
  sched_attr attributes{};
  if (get_attributes(tid, attributes) != 0 || attributes.sched_runtime == 0) return std::nullopt;
  return std::chrono::microseconds(attributes.sched_runtime / 1000);
}

}  // namespace scarscope::server
