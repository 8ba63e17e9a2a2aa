// bench/scale's database part: where PostgreSQL itself becomes the limit of a scale-out deployment.
//   bench_scale_db --postgres-url SUPERUSER_URL [--threads N] [--claims N] [--reads N] [--blob-mb M]
// Makes a database of its own (dropped at the end), opens it as a non-owner role (row-level
// security on, as in production), and measures with N threads at once, each its own store
// connection:
//   - job claims/s: claim_job (FOR UPDATE SKIP LOCKED, clinic turns) + complete_job, one
//     transaction each, as a worker does around every job (the analysis left out);
//   - blob reads/s: a scan file of M MiB streamed from the database (read_scan_file).
// Beside each, in the same run, the bare engine with the same threads: a trivial transaction
// (BEGIN; SELECT 1; COMMIT) through libpq for claims, and SELECT of the blob's pieces through
// libpq for blob reads. Prints operations/s and the store/bare ratio.
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "clinic/ids.h"
#include "clinic/password.h"
#include "store/store.h"

using namespace scarscope;
using Clock = std::chrono::steady_clock;

namespace {

// postgresql://USER@HOST:PORT/DB -> the same server as `user`, database `database`.
std::string with_database(const std::string& url, const std::string& user, const std::string& database) {
  const std::size_t start = url.find("://") + 3;
  const std::size_t at = url.find('@', start);
  const std::size_t host = at == std::string::npos ? start : at + 1;
  const std::size_t slash = url.find('/', host);
  return url.substr(0, start) + user + "@" + url.substr(host, slash == std::string::npos ? slash : slash - host) + "/" +
         database;
}

// The user part of a URL (with its password, if any).
std::string user_of(const std::string& url) {
  const std::size_t start = url.find("://") + 3;
  const std::size_t at = url.find('@', start);
  return at == std::string::npos ? "postgres" : url.substr(start, at - start);
}

void admin(const std::string& url, const std::string& sql) {
  PGconn* connection = PQconnectdb(url.c_str());
  if (PQstatus(connection) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(connection));
  PGresult* result = PQexec(connection, sql.c_str());
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
  const std::string error = PQerrorMessage(connection);
  PQclear(result);
  PQfinish(connection);
  if (!ok) throw std::runtime_error(sql + ": " + error);
}

// Runs `work(thread, i)` `per_thread` times on each of `threads` threads; operations per second.
double rate(int threads, int per_thread, const std::function<void(int, int)>& work) {
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) work(t, i);
    });
  for (std::thread& thread : pool) thread.join();
  return threads * per_thread / std::chrono::duration<double>(Clock::now() - start).count();
}

void row(const char* what, int threads, double store_rate, double bare_rate, const char* bare_what) {
  std::printf("| %s | %d | %.0f | %s | %.0f | %.2f |\n", what, threads, store_rate, bare_what, bare_rate,
              store_rate / bare_rate);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int threads = 2, claims = 2000, reads = 200, blob_mb = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--postgres-url") url = argv[i + 1];
    else if (option == "--threads") threads = std::stoi(argv[i + 1]);
    else if (option == "--claims") claims = std::stoi(argv[i + 1]);
    else if (option == "--reads") reads = std::stoi(argv[i + 1]);
    else if (option == "--blob-mb") blob_mb = std::stoi(argv[i + 1]);
    else {
      std::cerr << "bench_scale_db: unknown option " << option << "\n";
      return 2;
    }
  }
  if (url.empty() || threads < 1) {
    std::cerr << "usage: bench_scale_db --postgres-url SUPERUSER_URL [--threads N] [--claims N] [--reads N] [--blob-mb M]\n";
    return 2;
  }
  std::string database = "scarscope_scale_bench_" + std::to_string(::getpid());
  admin(url, "CREATE DATABASE " + database);
  int status = 0;
  try {
    const std::string owner_url = with_database(url, user_of(url), database);
    store::Store::open(store::StoreLocation::postgres(owner_url));  // the schema, made by its owner
    admin(owner_url,
          "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scarscope_bench') THEN CREATE ROLE "
          "scarscope_bench LOGIN; END IF; END $$; GRANT scarscope_app TO scarscope_bench");
    const std::string app_url = with_database(url, "scarscope_bench", database);
    store::StoreOptions options;
    options.max_connections = threads + 1;
    auto store = store::Store::open(store::StoreLocation::postgres(app_url), options);

    // Two clinics, each with a patient, a visit and scans of one small file; `claims` jobs.
    const std::string blob_bytes(static_cast<std::size_t>(blob_mb) << 20, 'x');
    const store::BlobRef small = store->put_blob(std::string_view("a tiny scan file"));
    const store::BlobRef large = store->put_blob(blob_bytes);
    const std::string hash = clinic::hash_password("bench password 1234");
    std::vector<std::pair<std::string, std::string>> scan_of_clinic;  // clinic, a scan of the large file
    const int total_jobs = claims * threads;
    for (int c = 0; c < 2; ++c) {
      const clinic::Clinic clinic = store->write_system([&](store::SystemWriter& tx) { return tx.create_clinic("Clinic " + std::to_string(c)); });
      const clinic::User user = store->write_system([&](store::SystemWriter& tx) {
        clinic::User draft;
        draft.clinic_id = clinic.id;
        draft.email = "bench" + std::to_string(c) + "@clinic.test";
        draft.role = clinic::Role::clinician;
        draft.password_hash = hash;
        return tx.create_user(draft);
      });
      store->write(clinic.id, [&](store::ClinicWriter& tx) {
        clinic::Patient patient;
        patient.name = "Bench Patient";
        const std::string patient_id = tx.create_patient(patient).id;
        clinic::Visit visit;
        visit.patient_id = patient_id;
        visit.date = CalendarDate::parse("2026-11-02", "date");
        const std::string visit_id = tx.create_visit(visit).id;
        auto scan = [&](const store::BlobRef& blob) {
          clinic::Scan draft;
          draft.visit_id = visit_id;
          draft.file_name = "cheek.x3p";
          draft.format = "x3p";
          draft.sha256 = blob.sha256;
          draft.size_bytes = blob.size;
          draft.uploaded_by = user.id;
          return tx.create_scan(draft).id;
        };
        scan_of_clinic.emplace_back(clinic.id, scan(large));
        const std::string small_scan = scan(small);
        for (int j = 0; j < total_jobs / 2 + 1; ++j) tx.enqueue_job(clinic::JobKind::analysis, small_scan);
      });
    }

    std::printf("| at the database | threads | store ops/s | bare engine peer | peer ops/s | ratio |\n|---|---|---|---|---|---|\n");
    std::atomic<int> claimed{0};
    const double claim_rate = rate(threads, claims, [&](int t, int) {
      const std::string owner = "bench:" + std::to_string(t);
      auto job = store->write_system([&](store::SystemWriter& tx) { return tx.claim_job({owner, std::chrono::minutes(5)}); });
      if (!job) throw std::runtime_error("the queue ran dry");
      store->write(job->clinic_id, [&](store::ClinicWriter& tx) { tx.complete_job(job->id, owner, "assessment", "bench"); });
      ++claimed;
    });
    std::vector<PGconn*> bare(static_cast<std::size_t>(threads));
    for (PGconn*& connection : bare) {
      connection = PQconnectdb(app_url.c_str());
      if (PQstatus(connection) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(connection));
    }
    const double trivial_rate = rate(threads, claims, [&](int t, int) {
      for (const char* sql : {"BEGIN", "SELECT 1", "COMMIT"}) PQclear(PQexec(bare[static_cast<std::size_t>(t)], sql));
    });
    row("job claim + complete (2 transactions)", threads, claim_rate, trivial_rate, "BEGIN; SELECT 1; COMMIT");

    const double read_rate = rate(threads, reads, [&](int t, int i) {
      const auto& [clinic_id, scan_id] = scan_of_clinic[static_cast<std::size_t>((t + i) % 2)];
      std::size_t bytes = 0;
      store->read(clinic_id, [&](const store::ClinicReader& tx) {
        tx.read_scan_file(scan_id, [&](std::span<const std::byte> piece) { bytes += piece.size(); });
      });
      if (bytes != blob_bytes.size()) throw std::runtime_error("the blob did not read back whole");
    });
    const std::string select = "SELECT data FROM blob_chunks WHERE blob_key = '" + large.sha256 + "' ORDER BY seq";
    // Row-level security shows a clinic the pieces of its own scans only: the bare reader says
    // which clinic it reads for, once per connection, as the store does per transaction.
    for (PGconn* connection : bare)
      PQclear(PQexec(connection, ("SELECT set_config('scarscope.clinic_id', '" + scan_of_clinic[0].first + "', false)").c_str()));
    const double bare_read_rate = rate(threads, reads, [&](int t, int) {
      PGresult* result = PQexecParams(bare[static_cast<std::size_t>(t)], select.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1);
      std::size_t bytes = 0;
      for (int r = 0; PQresultStatus(result) == PGRES_TUPLES_OK && r < PQntuples(result); ++r)
        bytes += static_cast<std::size_t>(PQgetlength(result, r, 0));
      const std::string error = PQresultErrorMessage(result);
      PQclear(result);
      if (bytes != blob_bytes.size()) throw std::runtime_error("the bare read got " + std::to_string(bytes) + " bytes: " + error);
    });
    char what[96];
    std::snprintf(what, sizeof what, "blob read (%d MiB scan file, streamed)", blob_mb);
    row(what, threads, read_rate, bare_read_rate, "SELECT of its pieces (libpq, binary)");
    std::printf("\nblob reads: %.0f MiB/s through the store\n", read_rate * blob_mb);
    for (PGconn* connection : bare) PQfinish(connection);
    store.reset();
  } catch (const std::exception& error) {
    std::cerr << "bench_scale_db: " << error.what() << "\n";
    status = 1;
  }
  admin(url, "DROP DATABASE " + database + " WITH (FORCE)");
  return status;
}
