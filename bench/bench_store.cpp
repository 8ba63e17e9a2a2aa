// bench/store: the clinic record's rates on both engines, each beside the bare engine running the
// same work in the same run (the sqlite3 C API in a loop; prepared SELECT/INSERT through libpq,
// pgbench -S style) as the ceiling. Prints operations/s and the store/bare ratio (target >= 0.5).
//   bench_store --sqlite-dir DIR [--postgres-url SUPERUSER_URL] [--writes N] [--reads N]
// Writes: one treatment session (or one audit entry) per transaction, committed durably (SQLite
// WAL + synchronous=FULL; PostgreSQL as configured, reported). Reads: a patient and its visits.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "clinic/audit_chain.h"
#include "clinic/ids.h"
#include "clinic/password.h"
#include "clinic/treatment_vocabulary.h"
#include "store/store.h"

using namespace scarscope;
using Clock = std::chrono::steady_clock;

namespace {

struct Fixture {
  std::string clinic_id, user_id, patient_id, visit_id;
};

// Operations per second of `operation` run `count` times.
double rate(int count, const std::function<void(int)>& operation) {
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) operation(i);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return count / seconds;
}

// Alternates peer and store runs (three rounds each) and reports the median of each.
void compare(const std::string& engine, const std::string& what, int count, const std::function<void(int)>& bare,
             const std::function<void(int)>& store) {
  std::vector<double> bare_rates, store_rates;
  int offset = 0;
  for (int round = 0; round < 3; ++round) {
    bare_rates.push_back(rate(count, [&](int i) { bare(offset + i); }));
    offset += count;
    store_rates.push_back(rate(count, [&](int i) { store(offset + i); }));
    offset += count;
  }
  std::sort(bare_rates.begin(), bare_rates.end());
  std::sort(store_rates.begin(), store_rates.end());
  std::printf("| %s | %s | %d | %.0f | %.0f | %.2f |\n", engine.c_str(), what.c_str(), count, store_rates[1],
              bare_rates[1], store_rates[1] / bare_rates[1]);
  std::fflush(stdout);
}

Fixture make_fixture(store::Store& store) {
  Fixture fixture;
  const std::string hash = clinic::hash_password("benchmark password");
  store.write_system([&](store::SystemWriter& tx) {
    const clinic::Clinic clinic = tx.create_clinic("Bench Clinic");
    clinic::User user;
    user.clinic_id = clinic.id;
    user.email = "bench@clinic.example";
    user.role = clinic::Role::clinician;
    user.password_hash = hash;
    fixture.clinic_id = clinic.id;
    fixture.user_id = tx.create_user(user).id;
  });
  store.write(fixture.clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Patient patient;
    patient.name = "Bench Patient";
    fixture.patient_id = tx.create_patient(patient).id;
    for (int v = 0; v < 5; ++v) {
      clinic::Visit visit;
      visit.patient_id = fixture.patient_id;
      visit.date = CalendarDate::parse("2026-0" + std::to_string(v + 1) + "-10", "date");
      fixture.visit_id = tx.create_visit(visit).id;
    }
  });
  return fixture;
}

void store_session(store::Store& store, const Fixture& fixture, const clinic::TreatmentVocabulary& vocabulary, int i) {
  store.write(fixture.clinic_id, [&](store::ClinicWriter& tx) {
    clinic::TreatmentSession session;
    session.patient_id = fixture.patient_id;
    session.date = CalendarDate::parse("2026-11-01", "date");
    session.modality = "microneedling";
    session.parameters = {{"needle_depth_mm", 1.5}};
    session.notes = "session " + std::to_string(i);
    tx.record_treatment_session(session, vocabulary);
  });
}

void store_audit(store::Store& store, const Fixture& fixture, int i) {
  store.write(fixture.clinic_id, [&](store::ClinicWriter& tx) {
    tx.append_audit(store::AuditEvent{fixture.user_id, clinic::AuditAction::read, "patient", fixture.patient_id,
                                      fixture.patient_id, std::to_string(i)});
  });
}

void store_read(store::Store& store, const Fixture& fixture) {
  store.read(fixture.clinic_id, [&](const store::ClinicReader& tx) {
    const auto patient = tx.patient(fixture.patient_id);
    const auto visits = tx.visits(fixture.patient_id);
    if (!patient || visits.size() != 5) throw std::runtime_error("bench: the patient did not read back");
  });
}

// The audit entry the bare peers insert: a real, chained entry, as the store would make it.
clinic::AuditEntry next_entry(clinic::AuditEntry& previous, const Fixture& fixture, const std::string& chain) {
  clinic::AuditEntry entry;
  entry.id = clinic::new_record_id();
  entry.clinic_id = chain;
  entry.sequence = previous.sequence + 1;
  entry.at = clinic::system_clock().now();
  entry.user_id = fixture.user_id;
  entry.action = clinic::AuditAction::read;
  entry.object_kind = "patient";
  entry.object_id = fixture.patient_id;
  entry.patient_id = fixture.patient_id;
  entry.previous_hash = previous.hash.empty() ? clinic::audit_chain_start() : previous.hash;
  entry.hash = clinic::audit_entry_hash(entry);
  previous = entry;
  return entry;
}

// ---- SQLite ----------------------------------------------------------------------------------

void bench_sqlite(const std::string& dir, int writes, int reads, const clinic::TreatmentVocabulary& vocabulary) {
  store::StoreOptions options;
  options.create = true;
  auto store = store::Store::open(store::StoreLocation::sqlite(dir), options);
  const Fixture fixture = make_fixture(*store);

  // The bare engine: its own connection to a copy of the same schema, same durability settings.
  const std::string bare_dir = dir + "-bare";
  store::Store::open(store::StoreLocation::sqlite(bare_dir), options);
  { auto bare_store = store::Store::open(store::StoreLocation::sqlite(bare_dir));
    const Fixture bare_fixture = make_fixture(*bare_store);
    (void)bare_fixture; }
  sqlite3* db = nullptr;
  sqlite3_open((bare_dir + "/scarscope.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", nullptr, nullptr,
               nullptr);
  const auto scalar = [&](const char* sql) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
    sqlite3_step(statement);
    std::string value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    return value;
  };
  Fixture bare;
  bare.clinic_id = scalar("SELECT id FROM clinics");
  bare.user_id = scalar("SELECT id FROM users");
  bare.patient_id = scalar("SELECT id FROM patients");

  sqlite3_stmt* insert_session = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO treatment_sessions (id, clinic_id, patient_id, date, modality, parameters, region, "
                     "target_scar_ids, notes, recorded_at) VALUES (?1, ?2, ?3, '2026-11-01', 'microneedling', "
                     "'{\"needle_depth_mm\":1.5}', 'left_cheek', '[]', ?4, ?5)",
                     -1, &insert_session, nullptr);
  sqlite3_stmt* insert_audit = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO audit_entries (id, chain, clinic_id, sequence, at, user_id, action, object_kind, "
                     "object_id, patient_id, detail, previous_hash, hash) VALUES (?1, ?2, ?2, ?3, ?4, ?5, 'read', "
                     "'patient', ?6, ?6, '', ?7, ?8)",
                     -1, &insert_audit, nullptr);
  sqlite3_stmt* select_patient = nullptr;
  sqlite3_prepare_v2(db, "SELECT * FROM patients WHERE clinic_id = ?1 AND id = ?2", -1, &select_patient, nullptr);
  sqlite3_stmt* select_visits = nullptr;
  sqlite3_prepare_v2(db, "SELECT * FROM visits WHERE clinic_id = ?1 AND patient_id = ?2 ORDER BY date, created_at, id",
                     -1, &select_visits, nullptr);
  const auto bind_text = [](sqlite3_stmt* statement, int index, const std::string& text) {
    sqlite3_bind_text(statement, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  };
  const auto step_all = [](sqlite3_stmt* statement) {
    int rows = 0;
    int status;
    while ((status = sqlite3_step(statement)) == SQLITE_ROW) {
      // Read every column, as the store does when it builds records.
      for (int c = 0; c < sqlite3_column_count(statement); ++c) (void)sqlite3_column_text(statement, c);
      ++rows;
    }
    if (status != SQLITE_DONE) throw std::runtime_error("bench: sqlite step failed");
    sqlite3_reset(statement);
    return rows;
  };

  compare("SQLite", "session insert", writes,
          [&](int i) {
            bind_text(insert_session, 1, clinic::new_record_id());
            bind_text(insert_session, 2, bare.clinic_id);
            bind_text(insert_session, 3, bare.patient_id);
            bind_text(insert_session, 4, "session " + std::to_string(i));
            sqlite3_bind_int64(insert_session, 5, clinic::to_unix_microseconds(clinic::system_clock().now()));
            step_all(insert_session);
          },
          [&](int i) { store_session(*store, fixture, vocabulary, i); });
  clinic::AuditEntry previous;
  compare("SQLite", "audit entry insert", writes,
          [&](int) {
            const clinic::AuditEntry entry = next_entry(previous, bare, bare.clinic_id);
            bind_text(insert_audit, 1, entry.id);
            bind_text(insert_audit, 2, bare.clinic_id);
            sqlite3_bind_int64(insert_audit, 3, entry.sequence);
            sqlite3_bind_int64(insert_audit, 4, clinic::to_unix_microseconds(entry.at));
            bind_text(insert_audit, 5, entry.user_id);
            bind_text(insert_audit, 6, entry.object_id);
            bind_text(insert_audit, 7, entry.previous_hash);
            bind_text(insert_audit, 8, entry.hash);
            step_all(insert_audit);
          },
          [&](int i) { store_audit(*store, fixture, i); });
  compare("SQLite", "patient + visits read", reads,
          [&](int) {
            bind_text(select_patient, 1, bare.clinic_id);
            bind_text(select_patient, 2, bare.patient_id);
            bind_text(select_visits, 1, bare.clinic_id);
            bind_text(select_visits, 2, bare.patient_id);
            if (step_all(select_patient) != 1 || step_all(select_visits) != 5) throw std::runtime_error("bench: bare read");
          },
          [&](int) { store_read(*store, fixture); });
  for (sqlite3_stmt* statement : {insert_session, insert_audit, select_patient, select_visits}) sqlite3_finalize(statement);
  sqlite3_close(db);
}

// ---- PostgreSQL ------------------------------------------------------------------------------

std::string replace_database(const std::string& url, const std::string& user, const std::string& database) {
  const auto scheme = url.find("://");
  const auto at = url.find('@', scheme + 3);
  const auto slash = url.find('/', at);
  return url.substr(0, scheme + 3) + user + url.substr(at, slash - at) + "/" + database;
}

PGresult* must(PGconn* connection, PGresult* result) {
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string message = PQresultErrorMessage(result);
    PQclear(result);
    throw std::runtime_error("bench: " + message + PQerrorMessage(connection));
  }
  return result;
}

void bench_postgres(const std::string& admin_url, int writes, int reads, const clinic::TreatmentVocabulary& vocabulary) {
  const std::string database = "scarscope_bench_" + std::to_string(::getpid());
  PGconn* admin = PQconnectdb(admin_url.c_str());
  if (PQstatus(admin) != CONNECTION_OK) throw std::runtime_error(std::string("bench: ") + PQerrorMessage(admin));
  PQclear(must(admin, PQexec(admin, ("CREATE DATABASE " + database).c_str())));
  const std::string owner_url = replace_database(admin_url, "postgres", database);
  store::Store::open(store::StoreLocation::postgres(owner_url));  // the schema, made by its owner
  PQclear(PQexec(admin, "CREATE ROLE scarscope_bench LOGIN"));
  PQclear(must(admin, PQexec(admin, "GRANT scarscope_app TO scarscope_bench")));
  const std::string show = "SELECT current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')";
  PGresult* settings = must(admin, PQexec(admin, show.c_str()));
  std::printf("| PostgreSQL settings | fsync=%s | | | | |\n", PQgetvalue(settings, 0, 0));
  PQclear(settings);
  {
    // The store as the application's non-owner role (row-level security applies), the bare peer
    // as the owner (pgbench style: plain prepared statements in autocommit).
    auto store = store::Store::open(store::StoreLocation::postgres(replace_database(admin_url, "scarscope_bench", database)));
    const Fixture fixture = make_fixture(*store);
    PGconn* bare = PQconnectdb(owner_url.c_str());
    const auto prepare = [&](const char* name, const char* sql) { PQclear(must(bare, PQprepare(bare, name, sql, 0, nullptr))); };
    prepare("session",
            "INSERT INTO treatment_sessions (id, clinic_id, patient_id, date, modality, parameters, region, "
            "target_scar_ids, notes, recorded_at) VALUES ($1, $2, $3, '2026-11-01', 'microneedling', "
            "'{\"needle_depth_mm\":1.5}', 'left_cheek', '[]', $4, $5)");
    prepare("audit",
            "INSERT INTO audit_entries (id, chain, clinic_id, sequence, at, user_id, action, object_kind, object_id, "
            "patient_id, detail, previous_hash, hash) VALUES ($1, $2 || '-bare', $2, $3, $4, $5, 'read', 'patient', $6, "
            "$6, '', $7, $8)");
    prepare("patient", "SELECT * FROM patients WHERE clinic_id = $1 AND id = $2");
    prepare("visits", "SELECT * FROM visits WHERE clinic_id = $1 AND patient_id = $2 ORDER BY date, created_at, id");
    const auto exec = [&](const char* name, std::vector<std::string> values) {
      std::vector<const char*> pointers;
      for (const std::string& value : values) pointers.push_back(value.c_str());
      PGresult* result = must(bare, PQexecPrepared(bare, name, static_cast<int>(pointers.size()), pointers.data(), nullptr,
                                                   nullptr, 1));
      const int rows = PQntuples(result);
      for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < PQnfields(result); ++c) (void)PQgetvalue(result, r, c);
      }
      PQclear(result);
      return rows;
    };
    compare("PostgreSQL", "session insert", writes,
            [&](int i) {
              exec("session", {clinic::new_record_id(), fixture.clinic_id, fixture.patient_id, "session " + std::to_string(i),
                               std::to_string(clinic::to_unix_microseconds(clinic::system_clock().now()))});
            },
            [&](int i) { store_session(*store, fixture, vocabulary, i); });
    clinic::AuditEntry previous;
    compare("PostgreSQL", "audit entry insert", writes,
            [&](int) {
              const clinic::AuditEntry entry = next_entry(previous, fixture, fixture.clinic_id);
              exec("audit", {entry.id, fixture.clinic_id, std::to_string(entry.sequence),
                             std::to_string(clinic::to_unix_microseconds(entry.at)), entry.user_id, entry.object_id,
                             entry.previous_hash, entry.hash});
            },
            [&](int i) { store_audit(*store, fixture, i); });
    compare("PostgreSQL", "patient + visits read", reads,
            [&](int) {
              if (exec("patient", {fixture.clinic_id, fixture.patient_id}) != 1 ||
                  exec("visits", {fixture.clinic_id, fixture.patient_id}) != 5) {
                throw std::runtime_error("bench: bare read");
              }
            },
            [&](int) { store_read(*store, fixture); });
    PQfinish(bare);
  }
  PQclear(PQexec(admin, ("DROP DATABASE " + database + " WITH (FORCE)").c_str()));
  PQfinish(admin);
}

}  // namespace

int main(int argc, char** argv) {
  std::string sqlite_dir, postgres_url;
  int writes = 200, reads = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--sqlite-dir") sqlite_dir = argv[i + 1];
    else if (option == "--postgres-url") postgres_url = argv[i + 1];
    else if (option == "--writes") writes = std::stoi(argv[i + 1]);
    else if (option == "--reads") reads = std::stoi(argv[i + 1]);
  }
  if (sqlite_dir.empty()) {
    std::cerr << "usage: bench_store --sqlite-dir DIR [--postgres-url URL] [--writes N] [--reads N]\n";
    return 2;
  }
  const clinic::TreatmentVocabulary vocabulary = clinic::read_treatment_vocabulary(SCARSCOPE_BENCH_KB_DIR);
  std::printf("| engine | operation | n | store ops/s | bare engine ops/s | store / bare |\n|---|---|---|---|---|---|\n");
  bench_sqlite(sqlite_dir, writes, reads, vocabulary);
  if (!postgres_url.empty()) bench_postgres(postgres_url, writes, reads, vocabulary);
  return 0;
}
