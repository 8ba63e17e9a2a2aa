#include "server/clinic_server.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "report/report_text.h"
#include "server/audit_writer.h"
#include "server/job_runner.h"
#include "server/routes.h"
#include "server/scan_jobs.h"
#include "workflows/threads.h"
#include "server/server_log.h"

namespace scarscope::server {

int default_worker_count() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? static_cast<int>(cores) - 1 : 1;
}

struct ClinicServer::Parts {
  ServeOptions options;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<AuditWriter> audit;
  PictureCache pictures;
  std::unique_ptr<ApiContext> api;
  RouteTable routes;
  std::unique_ptr<JobRunner> jobs;
  std::unique_ptr<HttpServer> http;
  int workers = 0;
};

ClinicServer::ClinicServer(ServeOptions options) : parts_(std::make_unique<Parts>()) {
  Parts& parts = *parts_;
  parts.options = std::move(options);
  store::StoreOptions store_options;
  store_options.clock = parts.options.clock;
  store_options.create = parts.options.create;
  store_options.max_connections = parts.options.database_connections;
  if (store_options.max_connections <= 0) {
    const int workers = parts.options.workers.value_or(default_worker_count());
    store_options.max_connections = parts.options.location.engine == store::Engine::sqlite
                                         ? std::max(parts.options.http.threads, 1) + workers + 2
                                         : 16;
  }
  parts.store = store::Store::open(parts.options.location, store_options);
  const clinic::Clock& clock = parts.store->clock();
  parts.audit = std::make_unique<AuditWriter>(*parts.store, parts.options.audit_interval);
  auto knowledge = std::make_shared<const Knowledge>(load_knowledge(parts.options.kb_dir));
  parts.api = std::make_unique<ApiContext>(ApiContext{*parts.store, clock, *parts.audit,
                                                      clinic::read_treatment_vocabulary(parts.options.kb_dir),
                                                      knowledge, parts.pictures, parts.options.policy,
                                                      SCARSCOPE_VERSION});
  auto report_texts = std::make_shared<std::map<std::string, report::ReportText>>();
  for (const std::string& language : report::report_languages(parts.options.kb_dir))
    report_texts->emplace(language, report::load_report_text(parts.options.kb_dir, language));
  parts.api->report_texts = std::move(report_texts);
  build_api_routes(parts.routes, *parts.api);
  parts.workers = parts.options.workers.value_or(default_worker_count());
  if (parts.workers > 0) {
    // Each worker runs one analysis at a time on its own thread: OpenCV's pool would only
    // oversubscribe the cores (the setting is process-wide, so it is made here, once).
    set_library_threads(1);
    JobRunnerOptions runner;
    runner.threads = parts.workers;
    parts.jobs = std::make_unique<JobRunner>(*parts.store, scan_job_work(*parts.store, knowledge, &parts.pictures), runner);
    parts.api->jobs_queued = [jobs = parts.jobs.get()] { jobs->wake(); };
    parts.api->job_attempts_ended = [jobs = parts.jobs.get()] { return jobs->attempts_ended(); };
    parts.api->wait_for_job_attempts = [jobs = parts.jobs.get()](std::uint64_t seen, std::chrono::milliseconds timeout) {
      jobs->wait_for_attempts(seen, timeout);
    };
  }
  parts.http = std::make_unique<HttpServer>(
      parts.routes, parts.options.http,
      [api = parts.api.get()](const std::string& token, bool by_cookie) { return api->authenticate(token, by_cookie); },
      clock, [store = parts.store.get()] { return std::make_shared<store::Store::CarriedRead>(*store); });
}

ClinicServer::~ClinicServer() {
  stop();
  if (parts_->jobs) parts_->jobs->stop();
  parts_->audit->stop();
}

int ClinicServer::bind() { return parts_->http->bind(); }

void ClinicServer::run() {
  Parts& parts = *parts_;
  log_event(LogLevel::info, "listening",
            {{"address", parts.options.http.host + ":" + std::to_string(parts.http->port())},
             {"record", parts.store->location().describe()},
             {"engine", std::string(store::engine_name(parts.store->engine()))},
             {"workers", parts.workers},
             {"tls", parts.http->secure()}});
  if (parts.jobs) parts.jobs->start();
  parts.http->run();
  // Stopped: no request is being answered any more; give running jobs back, write queued audit.
  if (parts.jobs) parts.jobs->stop();
  parts.audit->flush();
  log_event(LogLevel::info, "stopped", nlohmann::json::object());
}

void ClinicServer::stop() {
  if (parts_ && parts_->http) parts_->http->stop();
}

void ClinicServer::flush_audit() { parts_->audit->flush(); }

bool ClinicServer::is_serving() const { return parts_->http->is_running(); }

std::uint64_t ClinicServer::job_attempts_ended() const { return parts_->jobs ? parts_->jobs->attempts_ended() : 0; }

void ClinicServer::wait_for_job_attempts(std::uint64_t seen, std::chrono::milliseconds timeout) {
  if (parts_->jobs) parts_->jobs->wait_for_attempts(seen, timeout);
}

store::Store& ClinicServer::store() { return *parts_->store; }
const RouteTable& ClinicServer::routes() const { return parts_->routes; }
int ClinicServer::worker_count() const { return parts_->workers; }

}  // namespace scarscope::server
