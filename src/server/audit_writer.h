// Audit entries for reads, written by group commit: a read queues its entry and answers at once;
// a background thread appends everything queued within `interval` (a few ms) in one transaction
// per clinic, and flush() / the destructor write what is left before the server stops. Changes
// are not audited here: their entry is appended in the same transaction as the change.
//
// The queue is bounded (`max_queued` entries): when reads come faster than the entries can be
// written, a read waits for room (up to `full_wait`, then it is refused as unavailable), so the
// queue cannot grow without end and reads cannot outrun their audit trail. Batches and queue of
// 512 (bench/RESULTS.md, issue 16). While each entry cost a random page of the patient index
// (~22 us), a saturated read load waited for whole batches and smaller was better (128: p99 17-20 ms
// against 42-59 ms at 2,048). Since SQLite's migration 4 dropped that index an entry dirties no
// random page, the writer keeps up, and fewer, larger commits win: at 512 a read rarely finds the
// queue full (0.6-1.2 % of reads against 9-11 % at 128) and the p99 was 8.6-9.9 ms in 9 runs,
// against 8.5-16.7 ms at 128 and 9.5-10.3 ms at 256; a queue of 1,024 gave a 59 ms p99 once in 3.
// Each SQLite commit also empties the readers' page caches, one more reason for fewer of them.
//
// What a crash can lose: the read entries queued and not yet committed when the process died - at
// most `max_queued` plus one batch, normally those of the last `interval` plus one write;
// longest_wait() says how long entries have waited - never an entry of a change, never a link of
// the hash chain (each batch is one transaction: all of it or none of it).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.h"

namespace scarscope::server {

class AuditWriter {
 public:
  AuditWriter(store::Store& store, std::chrono::milliseconds interval = std::chrono::milliseconds(5),
              std::size_t max_batch = 512, std::size_t max_queued = 512,
              std::chrono::milliseconds full_wait = std::chrono::milliseconds(5000));
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Queues an entry of `clinic_id`'s chain. With the queue full, waits for room; throws
  // store::StoreUnavailableError if there is none after `full_wait` (the database is stuck).
  void record(const std::string& clinic_id, store::AuditEvent event);
  // Writes everything queued so far before returning (the server calls it before it stops).
  void flush();
  // Flushes and stops the thread; record() after stop() writes synchronously.
  void stop();

  std::uint64_t written() const;
  std::uint64_t pending() const;
  // The longest an entry has waited from record() to its batch's commit, since the start.
  std::chrono::duration<double> longest_wait() const;
  // How many record() calls found the queue full and waited.
  std::uint64_t waited_for_room() const;

 private:
  struct Queued {
    std::string clinic_id;
    store::AuditEvent event;
    std::chrono::steady_clock::time_point queued_at;
  };
  void run();
  // Writes `batch`; on failure puts it back at the front of the queue and returns false.
  bool write_batch(std::deque<Queued>& batch);

  store::Store& store_;
  std::chrono::milliseconds interval_;
  std::size_t max_batch_;
  std::size_t max_queued_;
  std::chrono::milliseconds full_wait_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // something was queued, or stop
  std::condition_variable written_;    // a batch was written
  std::condition_variable room_;       // the writer took a batch: the queue has room
  std::deque<Queued> queue_;
  std::uint64_t queued_total_ = 0;     // entries ever queued
  std::uint64_t written_total_ = 0;    // entries written (or given up on)
  std::uint64_t flush_target_ = 0;   // flush(): write at once up to this many queued entries
  std::uint64_t waited_for_room_ = 0;
  std::chrono::steady_clock::duration longest_wait_{};
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace scarscope::server
