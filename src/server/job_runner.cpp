#include "server/job_runner.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "clinic/vocabulary.h"
#include "server/metrics.h"
#include "server/server_log.h"
#include "store/store_error.h"

namespace scarscope::server {

std::string default_job_owner() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "localhost") + ":" + std::to_string(getpid());
}

JobContext::JobContext(store::Store& store, const clinic::Job& job, std::string owner,
                       const JobRunnerOptions& options, const std::atomic<bool>& stopping)
    : store_(store),
      job_id_(job.id),
      owner_(std::move(owner)),
      options_(options),
      stopping_(stopping),
      last_beat_(std::chrono::steady_clock::now()) {
  progress_.report = [this](std::string_view stage, double fraction) { report(stage, fraction); };
  progress_.cancel = &cancel_;
}

void JobContext::report(std::string_view stage, double fraction) {
  if (stopping_.load()) cancel_ = true;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_beat_ < options_.heartbeat_every) return;
  last_beat_ = now;
  const bool held = store_.write_system([&](store::SystemWriter& tx) {
    return tx.heartbeat_job(job_id_, owner_, std::clamp(fraction, 0.0, 1.0), std::string(stage), options_.lease);
  });
  // The lease went to another worker (it expired) or an operator cancelled the job: stop.
  if (!held) cancel_ = true;
}

JobRunner::JobRunner(store::Store& store, JobWork work, JobRunnerOptions options)
    : store_(store), work_(std::move(work)), options_(std::move(options)) {
  if (options_.owner.empty()) options_.owner = default_job_owner();
  options_.threads = std::max(options_.threads, 1);
}

JobRunner::~JobRunner() { stop(); }

void JobRunner::recover_abandoned_jobs() {
  const std::string host = default_job_owner().substr(0, default_job_owner().rfind(':') + 1);  // "host:"
  std::vector<clinic::Job> running;
  try {
    store::JobQuery query;
    query.state = clinic::JobState::running;
    query.page.limit = 1000;
    running = store_.read_system([&](const store::SystemReader& tx) { return tx.jobs(query).items; });
  } catch (const std::exception& e) {
    log_event(LogLevel::warn, "job_recovery_failed", {{"what", e.what()}});
    return;
  }
  for (const clinic::Job& job : running) {
    // "host:pid:thread" of a process of this host that is gone.
    if (job.lease_owner.rfind(host, 0) != 0) continue;
    const std::string rest = job.lease_owner.substr(host.size());
    long pid = 0;
    try {
      pid = std::stol(rest.substr(0, rest.find(':')));
    } catch (const std::exception&) {
      continue;
    }
    if (pid <= 0 || pid == getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    try {
      store_.write_system([&](store::SystemWriter& tx) {
        tx.fail_job(job.id, job.lease_owner, "the worker process (" + job.lease_owner + ") ended during the job");
      });
      log_event(LogLevel::info, "job_recovered", {{"job", job.id}, {"owner", job.lease_owner}});
    } catch (const std::exception& e) {
      log_event(LogLevel::warn, "job_recovery_failed", {{"job", job.id}, {"what", e.what()}});
    }
  }
}

void JobRunner::start() {
  recover_abandoned_jobs();
  for (int index = 0; index < options_.threads; ++index) threads_.emplace_back([this, index] { run(index); });
}

void JobRunner::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wake_generation_;
  }
  wake_.notify_all();
}

void JobRunner::stop() {
  request_stop();
  join();
}

void JobRunner::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void JobRunner::join() {
  for (std::thread& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

bool JobRunner::record_idle() {
  try {
    const auto counts = store_.read_system([](const store::SystemReader& tx) { return tx.job_counts(); });
    for (clinic::JobState state : {clinic::JobState::queued, clinic::JobState::running}) {
      auto found = counts.find(state);
      if (found != counts.end() && found->second > 0) return false;
    }
    return true;
  } catch (const std::exception&) {
    return false;  // the database does not answer: not idle, try again
  }
}

std::uint64_t JobRunner::attempts_ended() const {
  std::lock_guard lock(mutex_);
  return attempts_ended_;
}

void JobRunner::wait_for_attempts(std::uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ended_.wait_for(lock, timeout, [&] { return attempts_ended_ > seen || stopping_.load(); });
}

void JobRunner::run(int index) {
  const std::string owner = options_.owner + ":" + std::to_string(index);
  store::JobClaim claim;
  claim.owner = owner;
  claim.lease = options_.lease;
  claim.clinic_share = options_.clinic_share;
  claim.max_attempts = options_.max_attempts;
  while (!stopping_.load()) {
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(mutex_);
      generation = wake_generation_;
    }
    std::optional<clinic::Job> job;
    try {
      job = store_.write_system([&](store::SystemWriter& tx) { return tx.claim_job(claim); });
      if (database_down_.exchange(false)) log_event(LogLevel::info, "database_available", {{"worker", owner}});
    } catch (const store::StoreUnavailableError& e) {
      if (!database_down_.exchange(true))
        log_event(LogLevel::warn, "database_unavailable", {{"worker", owner}, {"what", e.what()}});
    } catch (const std::exception& e) {
      log_event(LogLevel::warn, "job_claim_failed", {{"worker", owner}, {"what", e.what()}});
    }
    if (!job) {
      if (options_.until_idle && record_idle()) break;
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.idle_poll, [&] { return stopping_.load() || wake_generation_ != generation; });
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    JobContext context(store_, *job, owner, options_, stopping_);
    try {
      work_(*job, context);
      ++completed_;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      process_metrics().record_job(clinic::name(job->kind), true, seconds);
      log_event(LogLevel::info, "job_done", {{"job", job->id}, {"kind", std::string(clinic::name(job->kind))}, {"seconds", seconds}});
    } catch (const CancelledError&) {
      // Stopping: give the job back without counting the attempt. Lease lost: it is not ours.
      if (stopping_.load()) {
        try {
          store_.write_system([&](store::SystemWriter& tx) { tx.release_job(job->id, owner); });
        } catch (const std::exception& e) {
          log_event(LogLevel::warn, "job_release_failed", {{"job", job->id}, {"what", e.what()}});
        }
      }
      log_event(LogLevel::info, "job_cancelled", {{"job", job->id}, {"stopping", stopping_.load()}});
    } catch (const std::exception& e) {
      ++failed_;
      process_metrics().record_job(clinic::name(job->kind), false,
                                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      // The message is the library's (what is wrong with the file); it names no patient.
      const std::string message = e.what();
      log_event(LogLevel::warn, "job_failed", {{"job", job->id}, {"what", message}});
      try {
        store_.write_system([&](store::SystemWriter& tx) { tx.fail_job(job->id, owner, message, options_.max_attempts); });
      } catch (const std::exception& again) {
        log_event(LogLevel::error, "job_fail_not_recorded", {{"job", job->id}, {"what", again.what()}});
      }
    }
    {
      std::lock_guard lock(mutex_);
      ++attempts_ended_;
    }
    ended_.notify_all();
  }
}

}  // namespace scarscope::server
