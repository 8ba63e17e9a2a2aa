#include "store_test_support.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "clinic/documents.h"
#include "clinic/ids.h"
#include "clinic/password.h"

namespace scarscope::test {

namespace {

// postgresql://USER@HOST:PORT/DB -> the same with another user and database.
std::string with_user_and_database(const std::string& url, const std::string& user, const std::string& database) {
  const std::string::size_type scheme = url.find("://");
  const std::string::size_type at = url.find('@', scheme + 3);
  const std::string::size_type slash = url.find('/', at);
  if (scheme == std::string::npos || at == std::string::npos || slash == std::string::npos) {
    throw std::runtime_error("SCARSCOPE_TEST_POSTGRES_URL must look like postgresql://USER@HOST:PORT/DB");
  }
  return url.substr(0, scheme + 3) + user + url.substr(at, slash - at) + "/" + database;
}

class AdminConnection {
 public:
  explicit AdminConnection(const std::string& database)
      : connection_(PQconnectdb(with_user_and_database(postgres_admin_url(), "postgres", database).c_str())) {
    if (PQstatus(connection_) != CONNECTION_OK) {
      const std::string message = PQerrorMessage(connection_);
      PQfinish(connection_);
      throw std::runtime_error("cannot reach the test PostgreSQL server: " + message);
    }
    PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
  }
  ~AdminConnection() { PQfinish(connection_); }
  std::string run(const std::string& sql) {
    PGresult* result = PQexec(connection_, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const std::string message = PQresultErrorMessage(result);
      PQclear(result);
      throw std::runtime_error("test SQL failed: " + message + " in: " + sql);
    }
    std::string value;
    if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0) value = PQgetvalue(result, 0, 0);
    PQclear(result);
    return value;
  }

 private:
  PGconn* connection_;
};

}  // namespace

RecordFolder::RecordFolder() {
  std::error_code error;
  const std::filesystem::path shm = "/dev/shm";
  const std::filesystem::path base =
      std::filesystem::is_directory(shm, error) && ::access(shm.c_str(), W_OK) == 0 ? shm
                                                                                    : std::filesystem::temp_directory_path();
  path_ = base / ("scarscope-store-test-" + std::to_string(::getpid()) + "-" + clinic::new_record_id());
  std::filesystem::create_directories(path_);
}

RecordFolder::~RecordFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string postgres_admin_url() {
  const char* url = std::getenv("SCARSCOPE_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "SCARSCOPE_TEST_POSTGRES_URL is not set: the store's tests need the throwaway PostgreSQL server that "
        "`./run test` starts (or export a superuser URL of your own)");
  }
  return url;
}

void postgres_admin_execute(const std::string& database, const std::string& sql) { AdminConnection(database).run(sql); }

std::string postgres_admin_query(const std::string& database, const std::string& sql) {
  return AdminConnection(database).run(sql);
}

void sqlite_execute(const std::filesystem::path& database, const std::string& sql) { (void)sqlite_query(database, sql); }

std::string sqlite_query(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + database.string());
  }
  sqlite3_busy_timeout(db, 10000);
  std::string value;
  char* error = nullptr;
  const int status = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int columns, char** values, char**) {
        auto* text = static_cast<std::string*>(out);
        if (text->empty() && columns > 0 && values[0] != nullptr) *text = values[0];
        return 0;
      },
      &value, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (status != SQLITE_OK) throw std::runtime_error("test SQL failed: " + message + " in: " + sql);
  return value;
}

clinic::Timestamp test_start_time() { return clinic::parse_timestamp("2026-12-04T09:00:00Z", "test"); }

TestRecord::TestRecord(store::Engine engine, std::optional<int> schema_version)
    : engine_(engine), clock_(test_start_time()) {
  if (engine == store::Engine::sqlite) {
    folder_ = std::make_unique<RecordFolder>();
    location_ = owner_location_ = store::StoreLocation::sqlite(folder_->path() / "data");
    store::StoreOptions options;
    options.create = true;
    options.clock = &clock_;
    options.schema_version = schema_version;
    store::Store::open(location_, options);
    return;
  }
  std::string id = clinic::new_record_id();
  for (char& c : id) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
  }
  database_ = "scarscope_test_" + id;
  postgres_admin_execute("postgres", "CREATE DATABASE " + database_);
  owner_location_ = store::StoreLocation::postgres(with_user_and_database(postgres_admin_url(), "postgres", database_));
  // The schema is made by its owner (here the superuser), as `scarscope init` run by a DBA would.
  store::StoreOptions options;
  options.clock = &clock_;
  options.schema_version = schema_version;
  store::Store::open(owner_location_, options);
  // The application's login role: a plain role holding scarscope_app, bound by row-level security.
  postgres_admin_execute("postgres",
                         "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scarscope_test_app') THEN "
                         "CREATE ROLE scarscope_test_app LOGIN; END IF; EXCEPTION WHEN duplicate_object OR "
                         "unique_violation THEN NULL; END $$");
  if (schema_version.value_or(1) >= 1) {
    postgres_admin_execute("postgres", "GRANT scarscope_app TO scarscope_test_app");
  }
  location_ = store::StoreLocation::postgres(with_user_and_database(postgres_admin_url(), "scarscope_test_app", database_));
}

TestRecord::~TestRecord() {
  if (!database_.empty()) {
    try {
      postgres_admin_execute("postgres", "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (const std::exception& error) {
      ADD_FAILURE() << "could not drop the test database: " << error.what();
    }
  }
}

std::unique_ptr<store::Store> TestRecord::open(store::StoreOptions options) {
  if (options.clock == nullptr) options.clock = &clock_;
  return store::Store::open(location_, options);
}

const clinic::TreatmentVocabulary& test_vocabulary() {
  static const clinic::TreatmentVocabulary vocabulary =
      clinic::read_treatment_vocabulary(std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "kb");
  return vocabulary;
}

clinic::StoredDocument test_document(const std::string& kind, int number) {
  return clinic::stored_document("{\"scarscope\": {\"version\": \"0.1.0\", \"schema\": 1}, \"kind\": \"" + kind +
                                 "\", \"number\": " + std::to_string(number) + "}");
}

ClinicFixture make_clinic(store::Store& store, const std::string& name) {
  // One real argon2id hash for every test user: hashing costs 0.13 s and 64 MiB each.
  static const std::string hash = clinic::hash_password("correct horse battery staple");
  ClinicFixture fixture;
  fixture.clinic = store.write_system([&](store::SystemWriter& tx) { return tx.create_clinic(name); });
  clinic::User user;
  user.clinic_id = fixture.clinic.id;
  user.email = "clinician@" + clinic::new_record_id().substr(0, 8) + ".example";
  for (char& c : user.email) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_') c = 'x';
  }
  user.display_name = "Dr " + name;
  user.role = clinic::Role::clinician;
  user.password_hash = hash;
  fixture.clinician = store.write_system([&](store::SystemWriter& tx) { return tx.create_user(user); });
  return fixture;
}

clinic::Patient make_patient(store::Store& store, const ClinicFixture& fixture, const std::string& name) {
  clinic::Patient draft;
  draft.name = name;
  draft.created_by = fixture.clinician.id;
  return store.write(fixture.clinic.id, [&](store::ClinicWriter& tx) { return tx.create_patient(draft); });
}

clinic::Visit make_visit(store::Store& store, const ClinicFixture& fixture, const std::string& patient_id,
                         const std::string& date, clinic::Region region) {
  clinic::Visit draft;
  draft.patient_id = patient_id;
  draft.date = CalendarDate::parse(date, "date");
  draft.region = region;
  draft.created_by = fixture.clinician.id;
  return store.write(fixture.clinic.id, [&](store::ClinicWriter& tx) { return tx.create_visit(draft); });
}

clinic::Scan make_scan(store::Store& store, const ClinicFixture& fixture, const std::string& visit_id,
                       const std::string& content) {
  const store::BlobRef blob = store.put_blob(content);
  clinic::Scan draft;
  draft.visit_id = visit_id;
  draft.file_name = "cheek.x3p";
  draft.format = "x3p";
  draft.sha256 = blob.sha256;
  draft.size_bytes = blob.size;
  draft.instrument = "test scanner";
  draft.uploaded_by = fixture.clinician.id;
  return store.write(fixture.clinic.id, [&](store::ClinicWriter& tx) { return tx.create_scan(draft); });
}

ClinicRecords fill_clinic(store::Store& store, const std::string& name, Random& random) {
  ClinicRecords made;
  made.fixture = make_clinic(store, name);
  const ClinicFixture& f = made.fixture;
  const int patients = static_cast<int>(random.uniform_int(2, 5));
  for (int p = 0; p < patients; ++p) {
    const clinic::Patient patient = make_patient(store, f, name + " patient " + std::to_string(p));
    made.patients.push_back(patient.id);
    store.write(f.clinic.id, [&](store::ClinicWriter& tx) {
      clinic::Consent consent;
      consent.patient_id = patient.id;
      consent.date = CalendarDate::parse("2026-10-01", "date");
      made.consents.push_back(tx.record_consent(consent).id);
      tx.append_audit(store::AuditEvent{f.clinician.id, clinic::AuditAction::create, "patient", patient.id, patient.id, ""});
    });
    const int visits = static_cast<int>(random.uniform_int(1, 3));
    for (int v = 0; v < visits; ++v) {
      const clinic::Visit visit = make_visit(store, f, patient.id, "2026-0" + std::to_string(v + 1) + "-15");
      made.visits.push_back(visit.id);
      const clinic::Scan scan = make_scan(store, f, visit.id, name + " scan " + std::to_string(random.next_u64()));
      made.scans.push_back(scan.id);
      store.write(f.clinic.id, [&](store::ClinicWriter& tx) {
        const clinic::Job job = tx.enqueue_job(clinic::JobKind::analysis, scan.id);
        made.jobs.push_back(job.id);
        clinic::Assessment assessment;
        assessment.scan_id = scan.id;
        assessment.analysis = test_document("analysis", v);
        made.assessments.push_back(tx.store_assessment(assessment).id);
        clinic::Plan plan;
        plan.visit_id = visit.id;
        plan.proposal = test_document("plan", v);
        made.plans.push_back(tx.create_plan(plan).id);
        clinic::TreatmentSession session;
        session.patient_id = patient.id;
        session.visit_id = visit.id;
        session.date = visit.date;
        session.modality = "subcision";
        session.parameters = {{"needle_gauge", 18}};
        const clinic::TreatmentSession recorded = tx.record_treatment_session(session, test_vocabulary());
        made.sessions.push_back(recorded.id);
        clinic::AdverseEvent event;
        event.session_id = recorded.id;
        event.kind = clinic::AdverseEventKind::bruising;
        event.onset = visit.date;
        made.events.push_back(tx.record_adverse_event(event).id);
        tx.append_audit(store::AuditEvent{f.clinician.id, clinic::AuditAction::read, "scan", scan.id, patient.id, ""});
      });
    }
  }
  return made;
}

CommandResult run_cli_with_input(const std::string& args, const std::string& input) {
  TempDir dir;
  write_text_file(dir / "stdin", input);
  const std::string command = std::string("'") + SCARSCOPE_CLI + "' " + args + " <'" + (dir / "stdin").string() +
                              "' >'" + (dir / "stdout").string() + "' 2>'" + (dir / "stderr").string() + "'";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_text_file(dir / "stdout");
  result.err = read_text_file(dir / "stderr");
  return result;
}

std::string engine_label(store::Engine engine) { return engine == store::Engine::sqlite ? "SQLite" : "PostgreSQL"; }

}  // namespace scarscope::test

namespace scarscope::store {
void PrintTo(Engine engine, std::ostream* out) { *out << test::engine_label(engine); }
}  // namespace scarscope::store
