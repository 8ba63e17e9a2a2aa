// `scarscope serve` as a library object: opens the record, builds the API's route table, and runs
// the HTTP server, the audit writer and the in-process analysis workers together; stop() ends them
// in order (no new requests, workers give their jobs back, queued audit entries written).
#pragma once
#include <filesystem>
#include <memory>
#include <optional>

#include "clinic/clock.h"
#include "server/api_context.h"
#include "server/http_server.h"
#include "server/route_table.h"
#include "store/store.h"

namespace scarscope::server {

struct ServeOptions {
  store::StoreLocation location;
  HttpOptions http;
  // In-process analysis workers; nullopt: cores - 1, at least 1. 0: none (another process runs jobs).
  std::optional<int> workers;
  ApiPolicy policy;
  // Group commit of read audit entries: how long a batch may wait to fill.
  std::chrono::milliseconds audit_interval{5};
  // The knowledge base folder (kb/): treatments, session parameter ranges, grading, planning.
  std::filesystem::path kb_dir;
  // Time for every stamp and expiry; null: the system clock. Must outlive the server.
  const clinic::Clock* clock = nullptr;
  // Connections to the database (PostgreSQL) / readers (SQLite). 0: SQLite one per connection
  // thread, plus the audit writer and the workers (a request never waits for a free one; each is
  // a file handle and a page cache), PostgreSQL 16 (each is a server process).
  int database_connections = 0;
  // Creates an empty SQLite record when the data folder has none.
  bool create = false;
};

int default_worker_count();

class ClinicServer {
 public:
  // Opens (and migrates) the record and prepares everything; throws InputError for a wrong
  // location or kb, StoreUnavailableError when PostgreSQL does not answer.
  explicit ClinicServer(ServeOptions options);
  ~ClinicServer();
  ClinicServer(const ClinicServer&) = delete;
  ClinicServer& operator=(const ClinicServer&) = delete;

  // Binds the listening socket; returns the port.
  int bind();
  // Serves until stop(); then stops the workers and flushes the audit before returning.
  void run();
  // Thread-safe; run() returns soon after.
  void stop();
  bool is_serving() const;
  // Writes the read audit entries queued so far (tests compare the record before and after).
  void flush_audit();

  // The in-process workers' count of attempts ended, and a wait for the next (for tests and tools
  // that follow a job without polling); 0 and no wait without workers.
  std::uint64_t job_attempts_ended() const;
  void wait_for_job_attempts(std::uint64_t seen, std::chrono::milliseconds timeout);

  store::Store& store();
  const RouteTable& routes() const;
  int worker_count() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace scarscope::server
