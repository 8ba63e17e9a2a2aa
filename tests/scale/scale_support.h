// What the scale-out tests share (issue 20): `scarscope worker` processes, each in an empty folder
// of its own, on a record of the throwaway PostgreSQL server; queues of small analysis jobs; and
// a PostgreSQL server of the test's own that it can stop and start (the outage test).
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server_test_support.h"

namespace scarscope::test {

// The real `scarscope worker` in a child process, working in an empty folder of its own.
class WorkerProcess {
 public:
  WorkerProcess(const TestRecord& record, const std::vector<std::string>& extra_arguments = {});
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  int pid() const { return pid_; }
  // "host:pid:": the start of every lease owner of its threads.
  std::string lease_owner_prefix() const;
  void kill_hard();   // SIGKILL
  int stop();         // SIGTERM, then the exit status
  int wait();         // the exit status, once it ends by itself (--until-idle)
  std::string log() const;

 private:
  int pid_ = -1;
  std::unique_ptr<TempDir> folder_;
};

// `count` analysis jobs of `fixture`'s clinic, each of a new scan (one patient and visit each
// `per_patient` scans; more than one queues comparisons too, as analyses of a patient's region end)
// whose file is `scan_bytes`. Returns the jobs' ids, in queueing order.
std::vector<std::string> queue_analysis_jobs(store::Store& store, const ClinicFixture& fixture, int count,
                                             const std::string& scan_bytes, int per_patient = 1);

// Every job of the record, by id.
std::map<std::string, clinic::Job> all_jobs(store::Store& store);
// A number the record's owner reads with `sql` (PostgreSQL records), e.g. a count.
long long owner_number(const TestRecord& record, const std::string& sql);

// A PostgreSQL server of this test alone (initdb in a temporary folder, a free loopback port), so
// that stopping it harms no other test. While alive, SCARSCOPE_TEST_POSTGRES_URL names it (records
// made meanwhile live there); the previous value comes back at the end.
class OwnPostgres {
 public:
  OwnPostgres();
  ~OwnPostgres();
  OwnPostgres(const OwnPostgres&) = delete;
  OwnPostgres& operator=(const OwnPostgres&) = delete;
  void stop();   // fast shutdown: sessions are cut, open transactions roll back
  void start();

 private:
  void pg_ctl(const std::string& action);
  std::unique_ptr<TempDir> folder_;
  std::string bin_;
  int port_ = 0;
  std::string previous_url_;
  bool running_ = false;
};

}  // namespace scarscope::test
