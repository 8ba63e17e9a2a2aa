// What the store's tests share: a fresh record on each engine (a SQLite data folder, or a new
// PostgreSQL database of the throwaway server ./run test starts, opened as a non-owner role so
// row-level security applies), a clock the tests move, and small record makers.
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "clinic/clock.h"
#include "clinic/records.h"
#include "clinic/treatment_vocabulary.h"
#include "core/random.h"
#include "store/store.h"
#include "test_support.h"

namespace scarscope::test {

// A fresh folder for a SQLite record, removed when the object dies. On tmpfs (/dev/shm) when there is
// one: the tests check the store's logic, not the disk's fsync speed (bench/store measures that on
// the real disk). The store still fsyncs each write (group commit) before it returns.
class RecordFolder {
 public:
  RecordFolder();
  ~RecordFolder();
  RecordFolder(const RecordFolder&) = delete;
  RecordFolder& operator=(const RecordFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The superuser URL of the test server (SCARSCOPE_TEST_POSTGRES_URL); fails the test with a clear
// message when ./run test did not start one.
std::string postgres_admin_url();

// A new, empty record. SQLite: a temporary data folder. PostgreSQL: a new database whose schema is
// made by its owner (the superuser), used through a login role that only has scarscope_app.
class TestRecord {
 public:
  explicit TestRecord(store::Engine engine, std::optional<int> schema_version = std::nullopt);
  ~TestRecord();
  TestRecord(const TestRecord&) = delete;
  TestRecord& operator=(const TestRecord&) = delete;

  store::Engine engine() const { return engine_; }
  // Where the application opens it (PostgreSQL: as the non-owner role).
  const store::StoreLocation& location() const { return location_; }
  // The same record as its owner (PostgreSQL: the superuser, which row-level security does not bind).
  const store::StoreLocation& owner_location() const { return owner_location_; }
  const std::string& database_name() const { return database_; }

  clinic::ManualClock& clock() { return clock_; }
  // Opens the record (again) with the test clock.
  std::unique_ptr<store::Store> open(store::StoreOptions options = {});

 private:
  store::Engine engine_;
  std::unique_ptr<RecordFolder> folder_;
  std::string database_;
  store::StoreLocation location_;
  store::StoreLocation owner_location_;
  clinic::ManualClock clock_;
};

// Runs SQL on the PostgreSQL test server as the superuser (database `database`); for setup and for
// tests that play an attacker editing rows behind the store's back.
void postgres_admin_execute(const std::string& database, const std::string& sql);
// As above, returning the first column of the first row ("" when none).
std::string postgres_admin_query(const std::string& database, const std::string& sql);
// Runs SQL on a SQLite file directly (with its own connection).
void sqlite_execute(const std::filesystem::path& database, const std::string& sql);
std::string sqlite_query(const std::filesystem::path& database, const std::string& sql);

// 2026-12-04T09:00:00Z: the test clock's start.
clinic::Timestamp test_start_time();

// The treatment vocabulary of the repository's kb/.
const clinic::TreatmentVocabulary& test_vocabulary();

// A stored document with a scarscope stamp (what the library's results carry).
clinic::StoredDocument test_document(const std::string& kind, int number);

// Records for tests: a clinic with a clinician, and the usual chain of patient records.
struct ClinicFixture {
  clinic::Clinic clinic;
  clinic::User clinician;
};
ClinicFixture make_clinic(store::Store& store, const std::string& name);
clinic::Patient make_patient(store::Store& store, const ClinicFixture& fixture, const std::string& name);
clinic::Visit make_visit(store::Store& store, const ClinicFixture& fixture, const std::string& patient_id,
                         const std::string& date = "2026-11-02", clinic::Region region = clinic::Region::left_cheek);
clinic::Scan make_scan(store::Store& store, const ClinicFixture& fixture, const std::string& visit_id,
                       const std::string& content);

// Everything fill_clinic made for one clinic.
struct ClinicRecords {
  ClinicFixture fixture;
  std::vector<std::string> patients, visits, scans, assessments, plans, sessions, events, jobs, consents;
};
// A clinic with a random number of patients, each with consents, visits, scans, queued jobs,
// assessments, plans, treatment sessions, adverse events and audit entries (seeded: reproducible).
ClinicRecords fill_clinic(store::Store& store, const std::string& name, Random& random);

// Runs the CLI with `input` on its standard input.
CommandResult run_cli_with_input(const std::string& args, const std::string& input);

std::string engine_label(store::Engine engine);

}  // namespace scarscope::test

namespace scarscope::store {
// Test names and failure messages say "SQLite" or "PostgreSQL".
void PrintTo(Engine engine, std::ostream* out);
}  // namespace scarscope::store

namespace scarscope::test {

}  // namespace scarscope::test
