// GET /healthz and GET /metrics: for load balancers and monitoring (README "Running on many
// machines"). Both answer without a login and hold no patient data: healthz says whether this
// server reaches the database and runs its schema; metrics gives counts (requests per route
// template and status, latency, jobs per state, job durations, the workers' heartbeats). Put
// /api/v1/metrics behind nginx's allow/deny for the monitoring host (the README's example does):
// request counts and queue lengths are an operator's business.
#include <chrono>
#include <sstream>

#include "clinic/vocabulary.h"
#include "server/metrics.h"
#include "server/routes.h"
#include "store/store_error.h"

namespace scarscope::server {

namespace {

Reply healthz(ApiContext& api) {
  const int latest = store::Store::latest_schema_version(api.store.engine());
  schema::Json body = {{"engine", std::string(store::engine_name(api.store.engine()))},
                       {"schema_version", api.store.schema_version()},
                       {"latest_schema_version", latest}};
  try {
    api.store.read_system([](const store::SystemReader& tx) { return tx.clinics().size(); });
  } catch (const store::StoreUnavailableError&) {
    body["status"] = "unavailable";
    body["database"] = "unreachable";
    return Reply::json(body, 503);
  }
  body["database"] = "reachable";
  // A newer binary migrated the record: this one must not write to it any more.
  const bool current = api.store.schema_version() == latest;
  body["status"] = current ? "ok" : "schema_mismatch";
  return Reply::json(body, current ? 200 : 503);
}

Reply metrics(ApiContext& api) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << process_metrics().prometheus_text();
  struct Queue {
    std::map<clinic::JobState, std::int64_t> counts;
    std::vector<clinic::Job> running;
  };
  bool reachable = true;
  Queue queue;
  try {
    queue = api.store.read_system([](const store::SystemReader& tx) {
      store::JobQuery running;
      running.state = clinic::JobState::running;
      running.page.limit = 1000;
      return Queue{tx.job_counts(), tx.jobs(running).items};
    });
  } catch (const store::StoreUnavailableError&) {
    reachable = false;
  }
  out << "# HELP scarscope_audit_queue_entries Read audit entries queued, not yet committed.\n"
         "# TYPE scarscope_audit_queue_entries gauge\n"
         "scarscope_audit_queue_entries "
      << api.audit.pending() << "\n";
  out << "# HELP scarscope_audit_longest_wait_seconds The longest a read audit entry waited from the "
         "read to its commit, since the start: what a crash could lose.\n"
         "# TYPE scarscope_audit_longest_wait_seconds gauge\n"
         "scarscope_audit_longest_wait_seconds "
      << api.audit.longest_wait().count() << "\n";
  out << "# HELP scarscope_audit_full_waits_total Reads that found the audit queue full and waited for "
         "the writer.\n# TYPE scarscope_audit_full_waits_total counter\n"
         "scarscope_audit_full_waits_total "
      << api.audit.waited_for_room() << "\n";
  out << "# HELP scarscope_database_up Whether this server reached the database when scraped.\n"
         "# TYPE scarscope_database_up gauge\n"
         "scarscope_database_up "
      << (reachable ? 1 : 0) << "\n";
  if (reachable) {
    out << "# HELP scarscope_jobs Jobs of the record by state (every clinic).\n# TYPE scarscope_jobs gauge\n";
    for (clinic::JobState state : {clinic::JobState::queued, clinic::JobState::running, clinic::JobState::done,
                                   clinic::JobState::failed, clinic::JobState::cancelled}) {
      auto found = queue.counts.find(state);
      out << "scarscope_jobs{state=\"" << clinic::name(state) << "\"} "
          << (found != queue.counts.end() ? found->second : 0) << "\n";
    }
    // A worker (host:pid:thread) whose heartbeat is old is stuck or gone; its lease tells when
    // another worker may take the job.
    out << "# HELP scarscope_worker_heartbeat_age_seconds Seconds since each worker holding a job last "
           "renewed its lease.\n# TYPE scarscope_worker_heartbeat_age_seconds gauge\n";
    const clinic::Timestamp now = api.clock.now();
    for (const clinic::Job& job : queue.running) {
      if (!job.heartbeat_at) continue;
      out << "scarscope_worker_heartbeat_age_seconds{worker=\"" << prometheus_label(job.lease_owner) << "\"} "
          << std::chrono::duration<double>(now - *job.heartbeat_at).count() << "\n";
    }
  }
  return Reply::bytes(out.str(), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace

void add_health_routes(RouteTable& routes, ApiContext& api) {
  routes.add({.method = "GET",
              .path = "/healthz",
              .roles = {},
              .summary = "Whether this server reaches the database and its schema is current (200, else 503); no "
                         "login, for load balancers",
              .tag = "meta",
              .response = {200, "application/json",
                           schema::object({{"status", schema::enumeration({"ok", "unavailable", "schema_mismatch"})},
                                           {"database", schema::enumeration({"reachable", "unreachable"})},
                                           {"engine", schema::enumeration({"sqlite", "postgres"})},
                                           {"schema_version", schema::integer(0, 1000000)},
                                           {"latest_schema_version", schema::integer(0, 1000000)}},
                                          {"status", "database", "engine", "schema_version", "latest_schema_version"}),
                           "The server's health (the same object with status 503 when it is not)"},
              .handler = [&api](Call&) { return healthz(api); }});
  routes.add({.method = "GET",
              .path = "/metrics",
              .roles = {},
              .summary = "Counters for Prometheus (text format 0.0.4): requests by route template and status, "
                         "latency, jobs by state, job durations, workers' heartbeats; no patient data",
              .tag = "meta",
              .response = {200, "text/plain", {}, "Prometheus text exposition format"},
              .handler = [&api](Call&) { return metrics(api); }});
}

}  // namespace scarscope::server
