// Audit entries for reads, written by group commit: a read queues its entry and answers at once;
// a background thread appends everything queued within `interval` (a few ms) in one transaction
// per clinic, and flush() / the destructor write what is left before the server stops. Changes
// are not audited here: their entry is appended in the same transaction as the change.
//
// What a crash can lose: the read entries of the last `interval` (plus one write) before the
// process died - never an entry of a change, never a link of the hash chain (each batch is one
// transaction: all of it or none of it).
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
              std::size_t max_batch = 2048);
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Queues an entry of `clinic_id`'s chain.
  void record(const std::string& clinic_id, store::AuditEvent event);
  // Writes everything queued so far before returning (the server calls it before it stops).
  void flush();
  // Flushes and stops the thread; record() after stop() writes synchronously.
  void stop();

  std::uint64_t written() const;
  std::uint64_t pending() const;

 private:
  struct Queued {
    std::string clinic_id;
    store::AuditEvent event;
  };
  void run();
  // Writes `batch`; on failure puts it back at the front of the queue and returns false.
  bool write_batch(std::deque<Queued>& batch);

  store::Store& store_;
  std::chrono::milliseconds interval_;
  std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // something was queued, or stop
  std::condition_variable written_;    // a batch was written
  std::deque<Queued> queue_;
  std::uint64_t queued_total_ = 0;     // entries ever queued
  std::uint64_t written_total_ = 0;    // entries written (or given up on)
  std::uint64_t flush_target_ = 0;   // flush(): write at once up to this many queued entries
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace scarscope::server
