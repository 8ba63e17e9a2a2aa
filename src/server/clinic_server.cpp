#include "server/clinic_server.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "server/audit_writer.h"
#include "server/job_runner.h"
#include "server/routes.h"
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
  parts.store = store::Store::open(parts.options.location, store_options);
  const clinic::Clock& clock = parts.store->clock();
  parts.audit = std::make_unique<AuditWriter>(*parts.store, parts.options.audit_interval);
  parts.api = std::make_unique<ApiContext>(ApiContext{*parts.store, clock, *parts.audit,
                                                      clinic::read_treatment_vocabulary(parts.options.kb_dir),
                                                      parts.options.policy, SCARSCOPE_VERSION});
  build_api_routes(parts.routes, *parts.api);
  parts.workers = parts.options.workers.value_or(default_worker_count());
  parts.http = std::make_unique<HttpServer>(
      parts.routes, parts.options.http,
      [api = parts.api.get()](const std::string& token, bool by_cookie) { return api->authenticate(token, by_cookie); },
      clock);
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

store::Store& ClinicServer::store() { return *parts_->store; }
const RouteTable& ClinicServer::routes() const { return parts_->routes; }
int ClinicServer::worker_count() const { return parts_->workers; }

}  // namespace scarscope::server
