// `scarscope worker [--db URL | --data DIR] [--threads N] [--clinic-share] [--lease-seconds S]
// [--poll-ms M] [--max-attempts K] [--until-idle]`: an analysis worker without the API (README "Running on many
// machines"). It claims analysis and comparison jobs from the record's queue under a lease, renews
// the lease while it works, and stores each result in the transaction that completes the job; a job
// whose worker died is claimed again once its lease expires. The same library code runs the jobs
// of `scarscope serve --workers N` (server/job_runner.h, server/scan_jobs.h). SIGINT/SIGTERM: the
// running jobs are given back to the queue (not counted as attempts), then exit 0.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/kb_location.h"
#include "cli/store_options.h"
#include "cli/verb.h"
#include "core/error.h"
#include "server/job_runner.h"
#include "server/scan_jobs.h"
#include "server/server_log.h"
#include "workflows/threads.h"

namespace scarscope::cli {
namespace {

struct WorkerCliOptions {
  RecordOptions record;
  int threads = 1;
  bool clinic_share = true;
  double lease_seconds = 300.0;
  int poll_ms = 1000;
  int max_attempts = 0;  // 0: each job's own limit
  bool until_idle = false;
  std::string log_level = "info";
  std::string log_file;
};

server::JobRunnerOptions runner_options(const WorkerCliOptions& cli) {
  if (cli.threads < 1 || cli.threads > 256) throw InputError("--threads must be 1-256", ErrorCode::out_of_range, "--threads");
  if (!(cli.lease_seconds >= 1.0 && cli.lease_seconds <= 86400.0))
    throw InputError("--lease-seconds must be 1-86400", ErrorCode::out_of_range, "--lease-seconds");
  if (cli.poll_ms < 10 || cli.poll_ms > 600000)
    throw InputError("--poll-ms must be 10-600000", ErrorCode::out_of_range, "--poll-ms");
  if (cli.max_attempts < 0 || cli.max_attempts > 100)
    throw InputError("--max-attempts must be 1-100", ErrorCode::out_of_range, "--max-attempts");
  server::JobRunnerOptions options;
  options.threads = cli.threads;
  options.lease = std::chrono::microseconds(static_cast<std::int64_t>(cli.lease_seconds * 1e6));
  options.idle_poll = std::chrono::milliseconds(cli.poll_ms);
  // Renew well before the lease runs out: three renewals fit in one lease.
  options.heartbeat_every = std::min<std::chrono::milliseconds>(
      std::chrono::seconds(2), std::chrono::duration_cast<std::chrono::milliseconds>(options.lease) / 3);
  options.clinic_share = cli.clinic_share;
  if (cli.max_attempts > 0) options.max_attempts = cli.max_attempts;
  options.until_idle = cli.until_idle;
  return options;
}

int run_worker(const WorkerCliOptions& cli) {
  // SIGINT and SIGTERM go to one thread that asks the runner to stop; every other thread (made
  // after this point, the store's and OpenCV's included) has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  server::configure_log(server::parse_log_level(cli.log_level), cli.log_file);
  const server::JobRunnerOptions options = runner_options(cli);
  store::StoreOptions store_options;
  store_options.max_connections = cli.threads + 2;
  std::unique_ptr<store::Store> store = store::Store::open(cli.record.location(), store_options);
  auto knowledge = std::make_shared<const Knowledge>(load_knowledge(knowledge_base_dir()));
  // Each thread runs one analysis at a time: OpenCV's own pool would only oversubscribe the cores.
  set_library_threads(1);

  server::JobRunner runner(*store, server::scan_job_work(*store, knowledge, nullptr), options);
  server::log_event(server::LogLevel::info, "worker_started",
                    {{"record", store->location().describe()},
                     {"engine", std::string(store::engine_name(store->engine()))},
                     {"threads", options.threads},
                     {"lease_seconds", cli.lease_seconds},
                     {"clinic_share", options.clinic_share}});
  std::atomic<bool> finished{false};
  std::thread signal_watcher([&] {
    int received = 0;
    while (sigwait(&signals, &received) == 0) {
      if (finished.load()) return;
      server::log_event(server::LogLevel::info, "worker_stopping", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
      runner.request_stop();
    }
  });
  runner.start();
  runner.join();  // a signal stopped it, or (--until-idle) the queue is empty
  finished = true;
  pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();
  server::log_event(server::LogLevel::info, "worker_stopped",
                    {{"completed", runner.completed()}, {"failed_attempts", runner.failed_attempts()}});
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<WorkerCliOptions>();
  options->record.add_to(app);
  app.add_option("--threads", options->threads, "Jobs run at once, one per thread (default 1; one per core)");
  app.add_flag("--clinic-share,!--no-clinic-share", options->clinic_share,
               "Clinics take turns: the clinic that least recently had a job claimed goes first (the "
               "default); --no-clinic-share: strictly the oldest job first");
  app.add_option("--lease-seconds", options->lease_seconds,
                 "A claimed job is this worker's for this long, renewed while it works (default 300); a "
                 "worker that dies loses its jobs to others when it runs out");
  app.add_option("--poll-ms", options->poll_ms, "An idle worker looks for new jobs this often (default 1000)");
  app.add_option("--max-attempts", options->max_attempts,
                 "A job is failed after this many attempts (default: the job's own limit, 3)");
  app.add_flag("--until-idle", options->until_idle,
               "Exit 0 once nothing is queued or running in the record (batch runs); default: run until "
               "SIGTERM");
  app.add_option("--log-level", options->log_level, "debug, info (every job), warn, error or off");
  app.add_option("--log-file", options->log_file, "Write the log (JSON lines) to this file instead of stderr");
  return [options] { return run_worker(*options); };
}

const VerbRegistrar registrar{{"worker", "Run analysis and comparison jobs from the record's queue", 91, setup}};

}  // namespace
}  // namespace scarscope::cli
