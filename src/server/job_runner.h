// Worker threads that claim analysis and comparison jobs from the store and run them: each claims
// a job under a lease (store::SystemWriter::claim_job), renews the lease while it reports progress,
// and either completes the job (the work stores its result and calls complete_job in one
// transaction), fails it with the error's message (retried by the store up to max_attempts), or -
// on stop - releases it for another worker. Nothing here knows HTTP: `scarscope serve` runs it
// beside the API, and a separate worker process can run it alone (issue 20).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clinic/records.h"
#include "core/progress.h"
#include "store/store.h"

namespace scarscope::server {

struct JobRunnerOptions {
  int threads = 1;
  // Who holds the leases: "host:pid"; each thread appends ":N".
  std::string owner;
  std::chrono::microseconds lease = std::chrono::minutes(5);
  // An idle worker looks again this often (jobs queued by other processes, leases that expired);
  // jobs queued in this process wake it at once (wake()).
  std::chrono::milliseconds idle_poll = std::chrono::seconds(1);
  // Progress is written (and the lease renewed) at most this often.
  std::chrono::milliseconds heartbeat_every = std::chrono::seconds(2);
  // Clinics take turns (store::JobClaim::clinic_share), and this runner's limit on attempts.
  bool clinic_share = true;
  int max_attempts = 100;
  // A thread ends when it finds nothing to claim and the record has no queued or running job
  // (`scarscope worker --until-idle`: batch runs, tests and benchmarks wait for the process).
  bool until_idle = false;
};

// What a running job's work gets: its lease owner and a Progress for the library (report renews
// the lease; the work is cancelled when the lease is lost or the runner stops).
class JobContext {
 public:
  JobContext(store::Store& store, const clinic::Job& job, std::string owner, const JobRunnerOptions& options,
             const std::atomic<bool>& stopping);
  const std::string& owner() const { return owner_; }
  const Progress& progress() const { return progress_; }
  bool cancelled() const { return cancel_.load(); }

 private:
  void report(std::string_view stage, double fraction);

  store::Store& store_;
  std::string job_id_;
  std::string owner_;
  const JobRunnerOptions& options_;
  const std::atomic<bool>& stopping_;
  std::atomic<bool> cancel_{false};
  std::chrono::steady_clock::time_point last_beat_;
  Progress progress_;
};

// Runs one claimed job to its end: stores the result and completes the job in one transaction,
// or throws (InputError and other errors fail the attempt; CancelledError gives the job back).
using JobWork = std::function<void(const clinic::Job& job, JobContext& context)>;

class JobRunner {
 public:
  JobRunner(store::Store& store, JobWork work, JobRunnerOptions options);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Starts the threads, after giving back the jobs that a process of this host which no longer
  // runs left running (a server killed mid-analysis): their lease would otherwise keep them
  // until it expires. Each such attempt counts (a job that kills its worker must not loop).
  void start();
  // Jobs were queued: idle workers look now.
  void wake();
  // Running jobs are cancelled and given back (not counted as attempts); returns when every
  // thread has ended.
  void stop();
  // As stop(), without waiting (safe from any thread, e.g. a signal watcher); join() waits.
  void request_stop();
  // Returns when every thread has ended by itself (until_idle), or after stop().
  void join();

  std::uint64_t completed() const { return completed_.load(); }
  std::uint64_t failed_attempts() const { return failed_.load(); }
  // Attempts ended so far (done, failed or given back), and a wait until more have ended than
  // `seen` (or `timeout` passed): lets a caller follow jobs without polling the record.
  std::uint64_t attempts_ended() const;
  void wait_for_attempts(std::uint64_t seen, std::chrono::milliseconds timeout);

 private:
  void run(int index);
  void recover_abandoned_jobs();
  bool record_idle();

  store::Store& store_;
  JobWork work_;
  JobRunnerOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t wake_generation_ = 0;
  std::vector<std::thread> threads_;
  std::condition_variable ended_;
  std::uint64_t attempts_ended_ = 0;  // guarded by mutex_
  std::atomic<std::uint64_t> completed_{0};
  std::atomic<std::uint64_t> failed_{0};
  // The database stopped answering claims: logged once when it starts and once when it ends, not
  // at every idle poll of every thread.
  std::atomic<bool> database_down_{false};
};

// "host:pid", for JobRunnerOptions::owner.
std::string default_job_owner();

}  // namespace scarscope::server
