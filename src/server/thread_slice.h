// The scheduler time slice of the server's connection threads.
//
// On a loaded machine a connection thread woken by its client's next request waits for a core
// behind every other runnable thread; with 32 busy keep-alive connections on 2 cores that wait is
// most of a slow request's time (bench/RESULTS.md, issue 16: a read spends ~0.2 ms in the handler,
// and 4/5 of the reads over 10 ms were slow outside it). Linux's EEVDF scheduler (6.12 and later)
// lets a thread ask for a shorter slice than the default 0.7 ms (sched_attr.sched_runtime with
// SCHED_OTHER): it is then picked sooner after it wakes and preempted sooner, which suits threads
// that run ~0.1 ms per request and then sleep. It needs no privilege and changes neither the
// thread's weight (its share of the CPU) nor its policy. Older kernels ignore the request.
#pragma once

#include <chrono>
#include <optional>

namespace scarscope::server {

// Asks for `slice` as the calling thread's time slice (the kernel clamps it to 0.1-100 ms).
// Returns false when the kernel refused; a kernel without custom slices accepts and ignores it.
bool set_thread_slice(std::chrono::microseconds slice);

// The time slice of thread `tid` (0: the calling thread) as the kernel reports it (the default,
// 0.7 ms times 1 + log2(cores) up to 8 cores, unless one was asked for), or nullopt when it reports
// none (kernels before 6.12).
std::optional<std::chrono::microseconds> thread_slice(int tid = 0);

}  // namespace scarscope::server
