// Issue 20 with real processes on one throwaway PostgreSQL server, loopback only: `scarscope serve`
// and `scarscope worker` processes, each in an empty folder of its own, sharing nothing but the
// database. Waiting is on the processes (a worker with --until-idle ends when the queue is empty)
// or on the record; the few polls of the record below wait for an event and assert no timing.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "scale_support.h"

namespace scarscope::test {
namespace {

using namespace std::chrono_literals;
using clinic::JobState;

// A tiny scan (4 mm square at 40 um: 100 x 100 heights), analysed in milliseconds.
const std::string& tiny_scan() { return synthetic_scan_x3p(7, 1.0, 4.0); }

// The application's view of the record, on the real clock (the processes use it too).
std::unique_ptr<store::Store> open_real_time(TestRecord& record) {
  store::StoreOptions options;
  options.clock = &clinic::system_clock();
  return record.open(options);
}

// Waits (polling the record every few milliseconds, two minutes at most) until `done` holds.
template <class Condition>
void wait_until(const std::string& what, Condition done) {
  const auto give_up = std::chrono::steady_clock::now() + 2min;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("gave up waiting: " + what);
    std::this_thread::sleep_for(5ms);
  }
}

std::int64_t count_in(store::Store& store, JobState state) {
  auto counts = store.read_system([](const store::SystemReader& tx) { return tx.job_counts(); });
  return counts[state];
}

// The jobs that a (dead) worker holds: running under a lease of its threads.
std::vector<clinic::Job> held_by(store::Store& store, const std::string& owner_prefix) {
  std::vector<clinic::Job> held;
  for (const auto& [id, job] : all_jobs(store))
    if (job.state == JobState::running && job.lease_owner.rfind(owner_prefix, 0) == 0) held.push_back(job);
  return held;
}

TEST(ScaleOut, TwoServersAndTwoWorkersShareNothingButTheDatabase) {
  TestRecord record(store::Engine::postgres);
  auto store = open_real_time(record);
  const ClinicStaff north = add_clinic_with_staff(*store, "North");
  // The servers run no analyses: the worker processes do.
  ServeProcess first(record, {"--workers", "0"});
  ServeProcess second(record, {"--workers", "0"});
  WorkerProcess worker_a(record, {"--poll-ms", "50"});
  WorkerProcess worker_b(record, {"--poll-ms", "50"});

  // Log in on the first server; the second knows the session (it lives in the database).
  const std::string token = first.login(north.clinician);
  ApiClient on_first = first.client();
  ApiClient on_second = second.client();
  on_first.bearer(token);
  on_second.bearer(token);
  Answer patient = on_first.post("/api/v1/patients", {{"name", "Scale Patient"}, {"identifier", "S-1"}});
  ASSERT_EQ(patient.status, 201) << patient.body;
  Answer visit = on_second.post("/api/v1/patients/" + patient.json["id"].get<std::string>() + "/visits",
                                {{"date", "2026-11-02"}, {"region", "left_cheek"}});
  ASSERT_EQ(visit.status, 201) << visit.body;
  Answer upload = on_second.send("POST", "/api/v1/visits/" + visit.json["id"].get<std::string>() + "/scans?file_name=cheek.x3p",
                                 synthetic_scan_x3p(11, 1.0, 8.0), "application/octet-stream");
  ASSERT_EQ(upload.status, 201) << upload.body;
  const std::string scan_id = upload.json["scan"]["id"];
  const std::string job_id = upload.json["job"]["id"];

  // A worker process analyses it; the first server's long poll sees the job end.
  Json job;
  for (int poll = 0; poll < 8; ++poll) {
    job = on_first.get("/api/v1/jobs/" + job_id + "?wait=30").json;
    if (job["state"] != "queued" && job["state"] != "running") break;
  }
  ASSERT_EQ(job["state"], "done") << job.dump();
  // The assessment is there on both servers, the same one.
  Answer on_a = on_first.get("/api/v1/scans/" + scan_id);
  Answer on_b = on_second.get("/api/v1/scans/" + scan_id);
  ASSERT_EQ(on_a.status, 200) << on_a.body;
  ASSERT_EQ(on_b.status, 200) << on_b.body;
  ASSERT_TRUE(on_a.json["assessment"].is_object()) << on_a.body;
  EXPECT_EQ(on_a.json["assessment"]["id"], on_b.json["assessment"]["id"]);
  EXPECT_GE(on_b.json["assessment"]["analysis"]["scars"].size(), 1u);
  // Monitoring: both servers are healthy; each counts its own requests by route template, and
  // both report the record's queue.
  for (ServeProcess* server : {&first, &second}) {
    Answer health = server->client().get("/api/v1/healthz");
    EXPECT_EQ(health.status, 200) << health.body;
    EXPECT_EQ(health.json["status"], "ok");
    EXPECT_EQ(health.json["database"], "reachable");
    EXPECT_EQ(health.json["engine"], "postgres");
    Answer metrics = server->client().get("/api/v1/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u) << metrics.header("Content-Type");
    EXPECT_NE(metrics.body.find("scarscope_jobs{state=\"done\"} 1\n"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("scarscope_database_up 1\n"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("scarscope_http_requests_total{method=\"GET\",route=\"/scans/{id}\",status=\"200\"} 1\n"),
              std::string::npos) << metrics.body;
    EXPECT_EQ(metrics.body.find(scan_id), std::string::npos) << "a concrete path (an id) in the metrics";
  }
  const std::string first_metrics = first.client().get("/api/v1/metrics").body;
  EXPECT_NE(first_metrics.find("scarscope_http_requests_total{method=\"POST\",route=\"/patients\",status=\"201\"} 1\n"),
            std::string::npos) << first_metrics;
  EXPECT_NE(first_metrics.find("scarscope_http_request_duration_seconds_count{route=\"/patients\"} 1\n"),
            std::string::npos) << first_metrics;
  // Logging out on the second server ends the session on the first as well.
  EXPECT_EQ(on_second.post("/api/v1/logout", Json::object()).status, 204);
  EXPECT_EQ(on_first.get("/api/v1/scans/" + scan_id).status, 401);
  // The workers stop gracefully; their logs name jobs, never patients.
  EXPECT_EQ(worker_a.stop(), 0);
  EXPECT_EQ(worker_b.stop(), 0);
}

TEST(ScaleOut, FiveHundredJobsOverThreeWorkersRunOnceEachThoughOneWorkerIsKilled) {
  TestRecord record(store::Engine::postgres);
  auto store = open_real_time(record);
  const ClinicFixture north = make_clinic(*store, "North");
  const std::vector<std::string> ids = queue_analysis_jobs(*store, north, 500, tiny_scan());
  const std::vector<std::string> options = {"--lease-seconds", "5", "--poll-ms", "50", "--until-idle"};
  WorkerProcess survivor_a(record, options);
  WorkerProcess survivor_b(record, options);

  // A third worker is SIGKILLed while it holds a job (if it finished that job in the instant
  // between look and kill, another worker is started and killed in the same way).
  std::vector<clinic::Job> orphans;
  std::string killed_log;
  for (int tries = 0; tries < 5 && orphans.empty(); ++tries) {
    WorkerProcess victim(record, options);
    const std::string prefix = victim.lease_owner_prefix();
    wait_until("the third worker holds a job", [&] { return !held_by(*store, prefix).empty(); });
    victim.kill_hard();
    orphans = held_by(*store, prefix);
    killed_log = victim.log();
  }
  ASSERT_EQ(orphans.size(), 1u) << "no worker was killed in the middle of a job:\n" << killed_log;
  const clinic::Job orphan = orphans.front();

  EXPECT_EQ(survivor_a.wait(), 0) << survivor_a.log();
  EXPECT_EQ(survivor_b.wait(), 0) << survivor_b.log();
  const auto jobs = all_jobs(*store);
  ASSERT_EQ(jobs.size(), 500u);
  int ran_once = 0;
  for (const auto& [id, job] : jobs) {
    EXPECT_EQ(job.state, JobState::done) << id << ": " << job.error;
    if (id != orphan.id && job.attempts == 1) ++ran_once;
  }
  EXPECT_EQ(ran_once, 499) << "every job but the killed worker's ran exactly once";
  const clinic::Job& after = jobs.at(orphan.id);
  EXPECT_EQ(after.attempts, orphan.attempts + 1) << "the killed worker's job was claimed again after its lease";
  EXPECT_EQ(after.state, JobState::done);
  // One result per job: nothing of the killed attempt was stored, nothing twice.
  EXPECT_EQ(owner_number(record, "SELECT count(*) FROM assessments"), 500);
  EXPECT_EQ(owner_number(record, "SELECT count(DISTINCT scan_id) FROM assessments"), 500);
  EXPECT_EQ(owner_number(record, "SELECT count(DISTINCT job_id) FROM assessments"), 500);
  EXPECT_EQ(owner_number(record, "SELECT count(*) FROM assessments WHERE id = '" + after.result_id + "'"), 1);
  // Both survivors worked (the queue was shared), and their logs hold no patient names.
  for (const WorkerProcess* worker : {&survivor_a, &survivor_b}) {
    const std::string log = worker->log();
    EXPECT_NE(log.find("\"job_done\""), std::string::npos) << log.substr(0, 2000);
    EXPECT_EQ(log.find("patient 0"), std::string::npos);
  }
}

TEST(ScaleOut, AClinicsSingleScanIsNotStarvedByAnotherClinicsBatch) {
  TestRecord record(store::Engine::postgres);
  auto store = open_real_time(record);
  const ClinicFixture big = make_clinic(*store, "Big Chain");
  const ClinicFixture small = make_clinic(*store, "Small Practice");
  queue_analysis_jobs(*store, big, 200, tiny_scan());
  const std::string single = queue_analysis_jobs(*store, small, 1, tiny_scan()).front();

  // One worker, one job at a time: the order it finishes them is the order it claimed them.
  WorkerProcess worker(record, {"--threads", "1", "--poll-ms", "50"});
  wait_until("the small practice's scan is analysed", [&] {
    return store->read_system([&](const store::SystemReader& tx) { return tx.job(single); })->state == JobState::done;
  });
  // SIGTERM: the job in hand goes back to the queue (not counted), and the worker exits 0.
  EXPECT_EQ(worker.stop(), 0) << worker.log();
  const auto jobs = all_jobs(*store);
  const clinic::Timestamp single_done = *jobs.at(single).finished_at;
  int before = 0;
  for (const auto& [id, job] : jobs) {
    EXPECT_NE(job.state, JobState::running) << "a job was left running after SIGTERM";
    if (job.state == JobState::queued) {
      EXPECT_EQ(job.attempts, 0) << "a job given back on SIGTERM counted an attempt";
    }
    if (job.finished_at && *job.finished_at < single_done) ++before;
  }
  EXPECT_LE(before, 2) << "the single scan waited behind " << before << " jobs of the other clinic";
}

TEST(ScaleOut, PostgresStoppedAndStartedDuringARunLosesAndDuplicatesNothing) {
  OwnPostgres postgres;  // stopping it must not harm the other tests' server
  TestRecord record(store::Engine::postgres);
  auto store = open_real_time(record);
  const ClinicStaff north = add_clinic_with_staff(*store, "North");
  const ClinicFixture fixture{north.clinic, north.clinician};
  queue_analysis_jobs(*store, fixture, 60, tiny_scan());
  ServeProcess serve(record, {"--workers", "0"});
  ApiClient api = serve.client();
  api.bearer(serve.login(north.clinician));
  const std::vector<std::string> options = {"--lease-seconds", "3", "--poll-ms", "50", "--until-idle"};
  WorkerProcess worker_a(record, options);
  WorkerProcess worker_b(record, options);

  wait_until("ten jobs are done", [&] { return count_in(*store, JobState::done) >= 10; });
  postgres.stop();
  // During the outage: 503 with the JSON error, and each worker says once that the database is gone.
  Answer refused = api.get("/api/v1/patients");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.json.value("error", ""), "unavailable") << refused.body;
  Answer unhealthy = serve.client().get("/api/v1/healthz");
  EXPECT_EQ(unhealthy.status, 503) << unhealthy.body;
  EXPECT_EQ(unhealthy.json["database"], "unreachable");
  EXPECT_NE(serve.client().get("/api/v1/metrics").body.find("scarscope_database_up 0\n"), std::string::npos);
  wait_until("both workers noticed the outage", [&] {
    return worker_a.log().find("database_unavailable") != std::string::npos &&
           worker_b.log().find("database_unavailable") != std::string::npos;
  });
  postgres.start();

  EXPECT_EQ(worker_a.wait(), 0) << worker_a.log();
  EXPECT_EQ(worker_b.wait(), 0) << worker_b.log();
  for (const WorkerProcess* worker : {&worker_a, &worker_b}) {
    const std::string log = worker->log();
    auto occurrences = [&](const std::string& word) {
      std::size_t count = 0;
      for (std::size_t at = log.find(word); at != std::string::npos; at = log.find(word, at + 1)) ++count;
      return count;
    };
    EXPECT_EQ(occurrences("\"database_unavailable\""), 1u) << "the outage is logged once, not at every poll:\n" << log;
    EXPECT_EQ(occurrences("\"database_available\""), 1u) << log;
  }
  // The server carries on.
  EXPECT_EQ(api.get("/api/v1/patients").status, 200);
  EXPECT_EQ(serve.client().get("/api/v1/healthz").status, 200);
  const auto jobs = all_jobs(*store);
  ASSERT_EQ(jobs.size(), 60u);
  for (const auto& [id, job] : jobs) EXPECT_EQ(job.state, JobState::done) << id << ": " << job.error;
  EXPECT_EQ(owner_number(record, "SELECT count(*) FROM assessments"), 60);
  EXPECT_EQ(owner_number(record, "SELECT count(DISTINCT scan_id) FROM assessments"), 60);
  const CommandResult fsck = run_fsck(record);
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
}

TEST(ScaleOut, AWorkerAloneRunsTheQueueOfASQLiteRecord) {
  TestRecord record(store::Engine::sqlite);
  auto store = open_real_time(record);
  const ClinicFixture north = make_clinic(*store, "North");
  queue_analysis_jobs(*store, north, 5, tiny_scan());
  store.reset();  // the worker process has the record to itself
  WorkerProcess worker(record, {"--threads", "2", "--poll-ms", "50", "--until-idle"});
  EXPECT_EQ(worker.wait(), 0) << worker.log();
  store = open_real_time(record);
  EXPECT_EQ(count_in(*store, JobState::done), 5);
  const CommandResult listed = run_cli("jobs list --json " + cli_arguments(record));
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const Json list = Json::parse(listed.out);
  EXPECT_EQ(list["counts"]["done"], 5);
  EXPECT_EQ(list["jobs"].size(), 5u);
  EXPECT_EQ(list["jobs"][0]["clinic"], "North");
}

}  // namespace
}  // namespace scarscope::test
