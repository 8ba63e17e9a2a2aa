// The real `scarscope serve` process killed with SIGKILL in the middle of an upload, of a stream
// of writes and of an analysis, then started again: no partial scan, no orphan blob, every answered
// write present, queued jobs completed, fsck clean. What a crash can lose of the read audit (the
// entries of the last group commit), and that a graceful stop loses nothing. The audit chain
// catching an edited and a deleted entry.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "server_test_support.h"
#include "clinic/vocabulary.h"
#include "store/fsck.h"

namespace scarscope::test {
namespace {

class CrashAndAudit : public testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    record_ = std::make_unique<TestRecord>(GetParam());
    auto store = record_->open();
    staff_ = add_clinic_with_staff(*store, "North");
  }

  // The record as fsck sees it once no server runs.
  store::FsckReport fsck() {
    auto store = record_->open();
    return store::check_store(*store);
  }
  std::map<std::string, std::int64_t> counts() {
    auto store = record_->open();
    return record_counts(*store);
  }

  // A patient with a visit, through `api`.
  std::pair<std::string, std::string> patient_and_visit(ApiClient& api) {
    Answer patient = api.post("/api/v1/patients", complete_patient("Crash Patient"));
    EXPECT_EQ(patient.status, 201) << patient.body;
    Answer visit = api.post("/api/v1/patients/" + patient.json["id"].get<std::string>() + "/visits",
                            {{"date", "2026-11-02"}, {"region", "forehead"}});
    EXPECT_EQ(visit.status, 201) << visit.body;
    return {patient.json["id"], visit.json["id"]};
  }

  // Long-polls the job until it has ended (the server answers when it ends; the loop guards
  // against a job that takes longer than one poll).
  Json wait_for_end(ApiClient& api, const std::string& job_id) {
    for (int poll = 0; poll < 20; ++poll) {
      Answer job = api.get("/api/v1/jobs/" + job_id + "?wait=30");
      EXPECT_EQ(job.status, 200) << job.body;
      const std::string state = job.json.value("state", "");
      if (state == "done" || state == "failed" || state == "cancelled") return job.json;
    }
    ADD_FAILURE() << "job " << job_id << " did not end";
    return Json::object();
  }

  std::unique_ptr<TestRecord> record_;
  ClinicStaff staff_;
};

// Sends the headers and the first half of an upload's body on a raw socket, and leaves it there.
int start_upload(int port, const std::string& target, const std::string& token, const std::string& body) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("connect");
  const std::string head = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                           "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  const std::string half = head + body.substr(0, body.size() / 2);
  std::size_t sent = 0;
  while (sent < half.size()) {
    const ssize_t n = ::send(sock, half.data() + sent, half.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  return sock;
}

TEST_P(CrashAndAudit, KilledDuringAnUploadLeavesNoScanAndNoBlob) {
  // Made before any connection opens (see KilledDuringAnAnalysis...: an idle keep-alive connection).
  const std::string scan = synthetic_scan_x3p(21, 1.0, 30.0);
  std::string token, visit;
  {
    ServeProcess server(*record_);
    token = server.login(staff_.clinician);
    ApiClient api = server.client();
    api.bearer(token);
    visit = patient_and_visit(api).second;
    const auto before = counts();
    const int sock = start_upload(server.port(), "/api/v1/visits/" + visit + "/scans?file_name=cut.x3p", token,
                                  scan);
    // The server has answered nothing for it yet: its connection is still open, the body half sent.
    server.kill_hard();
    ::close(sock);
    const auto after = counts();
    EXPECT_EQ(after.at("scans"), before.at("scans"));
    EXPECT_EQ(after.at("blobs"), before.at("blobs"));
    EXPECT_EQ(after.at("jobs"), before.at("jobs"));
  }
  const store::FsckReport report = fsck();
  EXPECT_TRUE(report.clean()) << (report.findings.empty() ? "" : report.findings.front().what);
  // Started again, the same upload goes through.
  ServeProcess again(*record_);
  ApiClient api = again.client();
  api.bearer(again.login(staff_.clinician));
  Answer upload = api.send("POST", "/api/v1/visits/" + visit + "/scans?file_name=whole.x3p", scan,
                           "application/octet-stream");
  EXPECT_EQ(upload.status, 201) << upload.body;
}

TEST_P(CrashAndAudit, KilledDuringWritesKeepsEveryAnsweredWriteAndNothingHalf) {
  std::vector<std::string> answered;
  std::mutex mutex;
  std::condition_variable progress;
  std::string patient;
  {
    ServeProcess server(*record_);
    const std::string token = server.login(staff_.assistant);
    ApiClient api = server.client();
    api.bearer(token);
    patient = patient_and_visit(api).first;
    std::atomic<bool> dead{false};
    std::vector<std::thread> writers;
    for (int writer = 0; writer < 4; ++writer) {
      writers.emplace_back([&, writer] {
        ApiClient mine = server.client();
        mine.bearer(token);
        for (int index = 0; !dead.load(); ++index) {
          try {
            Answer session = mine.post("/api/v1/patients/" + patient + "/sessions",
                                       {{"date", "2026-11-03"},
                                        {"modality", "microneedling"},
                                        {"region", "forehead"},
                                        {"parameters", {{"needle_depth_mm", 1.0 + 0.001 * index}}},
                                        {"notes", "writer " + std::to_string(writer) + " #" + std::to_string(index)}});
            if (session.status == 201) {
              std::lock_guard lock(mutex);
              answered.push_back(session.json["id"]);
              progress.notify_all();
            }
          } catch (const std::exception&) {
            return;  // the server died
          }
        }
      });
    }
    {
      std::unique_lock lock(mutex);
      progress.wait(lock, [&] { return answered.size() >= 120; });
    }
    server.kill_hard();
    dead = true;
    for (std::thread& thread : writers) thread.join();
  }
  const store::FsckReport report = fsck();
  EXPECT_FALSE(report.has_errors()) << (report.findings.empty() ? "" : report.findings.front().what);
  ServeProcess again(*record_);
  ApiClient api = again.client();
  api.bearer(again.login(staff_.clinician));
  Answer sessions = api.get("/api/v1/patients/" + patient + "/sessions");
  ASSERT_EQ(sessions.status, 200);
  std::set<std::string> stored;
  for (const Json& session : sessions.json["items"]) {
    stored.insert(session["id"].get<std::string>());
    EXPECT_EQ(session["parameters"].size(), 1u);  // every stored session is whole
  }
  for (const std::string& id : answered) EXPECT_TRUE(stored.count(id)) << "answered 201 but lost: " << id;
  EXPECT_GE(stored.size(), answered.size());
  EXPECT_LE(stored.size(), answered.size() + 4);  // at most one in flight per writer
  // Every stored session has its audit entry (same transaction).
  ApiClient admin = again.client();
  admin.bearer(again.login(staff_.admin));
  Answer audit = admin.get("/api/v1/audit?patient_id=" + patient + "&limit=1000");
  std::size_t created = 0;
  for (const Json& entry : audit.json["items"])
    if (entry["action"] == "create" && entry["object_kind"] == "session") ++created;
  EXPECT_EQ(created, stored.size());
}

TEST_P(CrashAndAudit, KilledDuringAnAnalysisTheJobsCompleteAfterTheRestart) {
  std::string first_job, second_job;
  {
    // The scans are made before the connection opens: making the large one takes seconds under
    // the sanitizers, and an idle keep-alive connection the server closes (after 5 s) just as the
    // client starts writing on it fails the upload with "no answer (Write)".
    const std::string large = synthetic_scan_x3p(31, 1.0, 60.0);
    const std::string small = synthetic_scan_x3p(32, 1.0, 14.0);
    ServeProcess server(*record_, {"--workers", "1"});
    ApiClient api = server.client();
    api.bearer(server.login(staff_.clinician));
    const std::string visit = patient_and_visit(api).second;
    Answer first = api.send("POST", "/api/v1/visits/" + visit + "/scans?file_name=large.x3p", large,
                            "application/octet-stream");
    ASSERT_EQ(first.status, 201) << first.body;
    Answer second = api.send("POST", "/api/v1/visits/" + visit + "/scans?file_name=small.x3p", small,
                             "application/octet-stream");
    ASSERT_EQ(second.status, 201) << second.body;
    first_job = first.json["job"]["id"];
    second_job = second.json["job"]["id"];
    // Kill it while the first analysis runs (the second is queued behind it).
    for (int poll = 0; poll < 100000; ++poll) {
      if (api.get("/api/v1/jobs/" + first_job).json.value("state", "") == "running") break;
    }
    ASSERT_EQ(api.get("/api/v1/jobs/" + first_job).json.value("state", ""), "running");
    server.kill_hard();
  }
  ServeProcess again(*record_, {"--workers", "1"});
  ApiClient api = again.client();
  api.bearer(again.login(staff_.clinician));
  const Json first = wait_for_end(api, first_job);
  EXPECT_EQ(first.value("state", ""), "done") << first.dump();
  EXPECT_EQ(first.value("attempts", 0), 2) << "the killed attempt counts";
  EXPECT_EQ(wait_for_end(api, second_job).value("state", ""), "done");
  EXPECT_EQ(again.stop(), 0);
  EXPECT_TRUE(fsck().clean());
}

// Reads are audited by group commit: a crash loses those of the last, unwritten batch (here the
// batch waits ten minutes, so every read of the run is lost); changes are audited in their own
// transaction and never lost; a graceful stop writes the batch first.
TEST_P(CrashAndAudit, ACrashLosesOnlyTheLastBatchOfReadAuditAGracefulStopNothing) {
  auto audit_of = [&](const std::string& patient) {
    auto store = record_->open();
    return store->read(staff_.clinic.id, [&](const store::ClinicReader& tx) {
      store::AuditQuery query;
      query.patient_id = patient;
      query.page.limit = 1000;
      std::multiset<std::string> actions;
      for (const clinic::AuditEntry& entry : tx.audit_entries(query).items)
        actions.insert(std::string(clinic::name(entry.action)) + " " + entry.object_kind);
      return actions;
    });
  };
  std::string patient;
  {
    ServeProcess server(*record_, {"--audit-flush-ms", "600000"});
    ApiClient api = server.client();
    api.bearer(server.login(staff_.clinician));
    patient = patient_and_visit(api).first;
    for (int read = 0; read < 3; ++read) ASSERT_EQ(api.get("/api/v1/patients/" + patient).status, 200);
    server.kill_hard();
  }
  std::multiset<std::string> after_crash = audit_of(patient);
  EXPECT_EQ(after_crash.count("create patient"), 1u);
  EXPECT_EQ(after_crash.count("create visit"), 1u);
  EXPECT_EQ(after_crash.count("read patient"), 0u) << "the unwritten batch is what a crash loses";
  EXPECT_TRUE(fsck().clean());
  {
    ServeProcess server(*record_, {"--audit-flush-ms", "600000"});
    ApiClient api = server.client();
    api.bearer(server.login(staff_.clinician));
    for (int read = 0; read < 3; ++read) ASSERT_EQ(api.get("/api/v1/patients/" + patient).status, 200);
    EXPECT_EQ(server.stop(), 0);
  }
  EXPECT_EQ(audit_of(patient).count("read patient"), 3u) << "a graceful stop writes the queued reads";
}

TEST_P(CrashAndAudit, FsckFindsAnEditedAndADeletedAuditEntry) {
  {
    ServeProcess server(*record_);
    ApiClient api = server.client();
    api.bearer(server.login(staff_.clinician));
    const std::string patient = patient_and_visit(api).first;
    for (int read = 0; read < 3; ++read) ASSERT_EQ(api.get("/api/v1/patients/" + patient).status, 200);
    EXPECT_EQ(server.stop(), 0);
  }
  CommandResult clean = run_fsck(*record_);
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;

  // Someone with the database's owner rights (who can lift the append-only triggers) edits who
  // read a patient, then deletes an entry.
  const std::string chain_filter = "clinic_id = '" + staff_.clinic.id + "' AND sequence = 3";
  auto sql = [&](const std::string& statement) {
    if (record_->engine() == store::Engine::sqlite)
      return sqlite_query(record_->location().data_dir / "scarscope.db",
                          "DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS "
                          "audit_entries_no_delete; " + statement);
    return postgres_admin_query(record_->database_name(),
                                "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only; " + statement);
  };
  const std::string original = sql("SELECT user_id FROM audit_entries WHERE " + chain_filter);
  ASSERT_FALSE(original.empty());
  sql("UPDATE audit_entries SET user_id = '" + staff_.admin.id + "' WHERE " + chain_filter);
  CommandResult edited = run_fsck(*record_);
  EXPECT_NE(edited.exit_code, 0) << edited.out;
  EXPECT_NE((edited.out + edited.err).find("audit"), std::string::npos) << edited.out << edited.err;

  sql("UPDATE audit_entries SET user_id = '" + original + "' WHERE " + chain_filter);
  EXPECT_EQ(run_fsck(*record_).exit_code, 0) << "put back, the chain is whole again";

  sql("DELETE FROM audit_entries WHERE " + chain_filter);
  CommandResult deleted = run_fsck(*record_);
  EXPECT_NE(deleted.exit_code, 0) << deleted.out;
  EXPECT_NE((deleted.out + deleted.err).find("audit"), std::string::npos) << deleted.out << deleted.err;
}

INSTANTIATE_TEST_SUITE_P(Engines, CrashAndAudit, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
