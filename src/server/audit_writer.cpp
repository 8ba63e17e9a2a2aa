#include "server/audit_writer.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "server/server_log.h"
#include "store/store_error.h"

namespace scarscope::server {

AuditWriter::AuditWriter(store::Store& store, std::chrono::milliseconds interval, std::size_t max_batch,
                         std::size_t max_queued, std::chrono::milliseconds full_wait)
    : store_(store),
      interval_(interval),
      max_batch_(std::max<std::size_t>(max_batch, 1)),
      max_queued_(std::max<std::size_t>(max_queued, 1)),
      full_wait_(full_wait) {
  thread_ = std::thread([this] { run(); });
}

AuditWriter::~AuditWriter() { stop(); }

void AuditWriter::record(const std::string& clinic_id, store::AuditEvent event) {
  {
    std::unique_lock lock(mutex_);
    if (!stopped_ && queue_.size() >= max_queued_) {
      // Reads outrun the writer (or the database is stuck): wait for the writer to take a batch.
      // The CPU this thread leaves goes to the writer, so the queue stays bounded.
      ++waited_for_room_;
      wake_.notify_one();
      if (!room_.wait_for(lock, full_wait_, [&] { return queue_.size() < max_queued_ || stopped_; })) {
        throw store::StoreUnavailableError("the audit trail is behind (" + std::to_string(queue_.size()) +
                                           " read entries not yet written): the read is not answered; retry later");
      }
    }
    if (!stopped_) {
      queue_.push_back({clinic_id, std::move(event), std::chrono::steady_clock::now()});
      ++queued_total_;
      if (queue_.size() == 1 || queue_.size() >= max_batch_) wake_.notify_one();
      return;
    }
  }
  std::deque<Queued> single;
  single.push_back({clinic_id, std::move(event), std::chrono::steady_clock::now()});
  write_batch(single);
}

void AuditWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_total_;
  flush_target_ = std::max(flush_target_, target);
  wake_.notify_one();
  written_.wait(lock, [&] { return written_total_ >= target || stopped_; });
}

void AuditWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t AuditWriter::written() const {
  std::lock_guard lock(mutex_);
  return written_total_;
}

std::uint64_t AuditWriter::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::chrono::duration<double> AuditWriter::longest_wait() const {
  std::lock_guard lock(mutex_);
  return longest_wait_;
}

std::uint64_t AuditWriter::waited_for_room() const {
  std::lock_guard lock(mutex_);
  return waited_for_room_;
}

bool AuditWriter::write_batch(std::deque<Queued>& batch) {
  // One transaction per clinic, entries in the order they were queued.
  std::map<std::string, std::vector<store::AuditEvent>> by_clinic;
  for (const Queued& queued : batch) by_clinic[queued.clinic_id].push_back(queued.event);
  std::vector<std::string> written_clinics;
  try {
    for (const auto& [clinic_id, events] : by_clinic) {
      if (clinic_id.empty()) {
        store_.write_system([&](store::SystemWriter& tx) {
          for (const store::AuditEvent& event : events) tx.append_audit("", event);
        });
      } else {
        store_.write(clinic_id,
                     [&](store::ClinicWriter& tx) { tx.append_audit(std::span<const store::AuditEvent>(events)); });
      }
      written_clinics.push_back(clinic_id);
    }
  } catch (const std::exception& e) {
    // Keep only what was not written, so nothing is appended twice.
    std::erase_if(batch, [&](const Queued& queued) {
      return std::find(written_clinics.begin(), written_clinics.end(), queued.clinic_id) != written_clinics.end();
    });
    log_event(LogLevel::error, "audit_write_failed", {{"entries", batch.size()}, {"what", e.what()}});
    return false;
  }
  return true;
}

void AuditWriter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty() && stopping_) break;
    // Group commit: let the batch fill for up to one interval, unless it is full or we stop.
    // A flush() does not wait for the interval.
    auto full = [&] { return queue_.size() >= max_batch_ || stopping_ || flush_target_ > written_total_; };
    if (!full()) wake_.wait_for(lock, interval_, full);
    std::deque<Queued> batch;
    const std::size_t take = std::min(queue_.size(), max_batch_);
    for (std::size_t index = 0; index < take; ++index) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    room_.notify_all();
    const auto oldest = batch.empty() ? std::chrono::steady_clock::time_point{} : batch.front().queued_at;
    lock.unlock();
    const bool ok = write_batch(batch);
    lock.lock();
    if (ok && take > 0) longest_wait_ = std::max(longest_wait_, std::chrono::steady_clock::now() - oldest);
    if (!ok) {
      written_total_ += take - batch.size();
      // The database refused (unavailable?): keep the entries and try again after a pause, so a
      // read answered while the database was down is still audited once it is back.
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      if (stopping_) {
        log_event(LogLevel::error, "audit_entries_lost", {{"entries", queue_.size()}});
        written_total_ += queue_.size();
        queue_.clear();
        break;
      }
      wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_; });
      continue;
    }
    written_total_ += take;
    written_.notify_all();
  }
  stopped_ = true;
  written_.notify_all();
  room_.notify_all();
}

}  // namespace scarscope::server
