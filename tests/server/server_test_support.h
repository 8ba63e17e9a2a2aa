// What the server's tests share: a real `ClinicServer` on a loopback port over a fresh record
// (SQLite in a temporary folder, or a new database of the throwaway PostgreSQL server `./run test`
// starts, used through a non-owner role so row-level security applies), two clinics with one user
// of each role, a clock the tests move, and a client speaking real HTTP (httplib's).
#pragma once
#include <gtest/gtest.h>
#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "clinic/clock.h"
#include "clinic/records.h"
#include "server/clinic_server.h"
#include "store/store.h"
#include "store_test_support.h"
#include "test_support.h"

namespace scarscope::test {

using Json = nlohmann::json;

// The engines the server tests run on: SQLite always, and PostgreSQL (the throwaway server ./run
// test starts; without it those tests fail saying so, rather than passing unseen).
std::vector<store::Engine> test_engines();
std::string engine_name_for_test(const testing::TestParamInfo<store::Engine>& info);

// The --data / --db arguments of the CLI for a record.
std::string cli_arguments(const TestRecord& record);

// An HTTP answer, with its body parsed when it is JSON.
struct Answer {
  int status = 0;
  std::string body;
  Json json;
  httplib::Headers headers;
  std::string header(const std::string& name) const;
  std::vector<std::string> headers_named(const std::string& name) const;
};

// Real HTTP to the server under test.
class ApiClient {
 public:
  explicit ApiClient(int port);
  // Every later request carries "Authorization: Bearer TOKEN" (empty: none).
  void bearer(std::string token) { token_ = std::move(token); }
  Answer get(const std::string& path, const httplib::Headers& headers = {});
  Answer post(const std::string& path, const Json& body, const httplib::Headers& headers = {});
  Answer patch(const std::string& path, const Json& body, const httplib::Headers& headers = {});
  // Any method, any body and content type (an empty content type sends no body).
  Answer send(const std::string& method, const std::string& path, const std::string& body,
              const std::string& content_type, const httplib::Headers& headers = {});
  httplib::Client& raw() { return client_; }

 private:
  httplib::Client client_;
  std::string token_;
};

inline const std::string test_password = "correct horse battery";

struct ClinicStaff {
  clinic::Clinic clinic;
  clinic::User admin;
  clinic::User clinician;
  clinic::User assistant;
  const clinic::User& with_role(clinic::Role role) const;
};

// A clinic named `name` with admin@, clinician@ and assistant@NAME.test (password test_password).
ClinicStaff add_clinic_with_staff(store::Store& store, const std::string& name);

// Starts `arguments` (argv[0] a path) as a child process working in `folder`, its standard error
// written to `log`, its standard output to `stdout_fd` (-1: /dev/null). Returns its pid.
int spawn_in_folder(std::vector<std::string> arguments, const std::filesystem::path& folder,
                    const std::filesystem::path& log, int stdout_fd = -1);

// The real `scarscope serve` in a child process, in an empty folder of its own, over `record`, on a free loopback port: for
// what only a separate process shows (SIGKILL in the middle of work, restart, signals).
class ServeProcess {
 public:
  ServeProcess(const TestRecord& record, const std::vector<std::string>& extra_arguments = {});
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  int port() const { return port_; }
  ApiClient client() const { return ApiClient(port_); }
  std::string login(const clinic::User& user) const;
  // SIGKILL: the process dies wherever it is.
  void kill_hard();
  // SIGTERM and wait; returns the exit status.
  int stop();
  // What it wrote on standard error (its log).
  std::string log() const;

 private:
  int pid_ = -1;
  int port_ = 0;
  std::unique_ptr<TempDir> folder_;
};

// Runs `scarscope fsck` on the record; the exit status and what it printed.
CommandResult run_fsck(const TestRecord& record);

// A server on 127.0.0.1 on a free port over a fresh record with clinics "North" and "South", each
// with admin@, clinician@ and assistant@ (north|south).test, password test_password.
class TestServer {
 public:
  explicit TestServer(store::Engine engine, std::function<void(server::ServeOptions&)> configure = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  store::Store& store() { return server_->store(); }
  const server::RouteTable& routes() const { return server_->routes(); }
  clinic::ManualClock& clock() { return record_->clock(); }
  TestRecord& record() { return *record_; }
  // Every row count of the record once the queued read audit entries are written: what a refused
  // request must leave unchanged.
  std::map<std::string, std::int64_t> counts();
  // Stops the server (graceful); the record stays.
  void stop();

  ApiClient client() const { return ApiClient(port_); }
  // A client logged in (bearer token) as `user`.
  ApiClient client_as(const clinic::User& user);
  std::string login(const clinic::User& user);
  // Waits until the job is done, failed or cancelled (woken by the server's workers as attempts
  // end; two minutes of wall time guard against a hang) and returns GET /jobs/{id} as `api` sees it.
  Json wait_for_job(ApiClient& api, const std::string& job_id);
  // Waits until no job of the record is queued or running.
  void wait_for_all_jobs();

  ClinicStaff north;
  ClinicStaff south;

 private:
  std::unique_ptr<TestRecord> record_;
  std::unique_ptr<server::ClinicServer> server_;
  std::thread thread_;
  int port_ = 0;
};

// A synthetic cheek scan as X3P bytes (small: `width_mm` square at 40 um), made once per process
// for each (seed, response): response 1 is the baseline, below 1 a follow-up of it whose scars
// lost that share of their depth and volume.
const std::string& synthetic_scan_x3p(std::uint64_t seed = 7, double response = 1.0, double width_mm = 14.0);

// A patient body with the whole planning profile.
Json complete_patient(const std::string& name);


// Every row count of the record (store::SystemReader::record_counts), for "nothing was stored".
std::map<std::string, std::int64_t> record_counts(store::Store& store);

}  // namespace scarscope::test
