// Migrations: a new record gets every migration; a record of the previous version, with data in it,
// is upgraded when opened and every record reads back; a record newer than this binary is refused
// and left as it was.
#include <gtest/gtest.h>

#include "clinic/audit_chain.h"
#include "clinic/ids.h"
#include "core/error.h"
#include "store/fsck.h"
#include "store/sqlite_layout.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::Engine;

constexpr int latest_version = 4;

void run_owner_sql(const TestRecord& record, const std::string& sql) {
  if (record.engine() == Engine::sqlite) {
    sqlite_execute(record.location().data_dir / "scarscope.db", sql);
  } else {
    postgres_admin_execute(record.database_name(), sql);
  }
}

std::string owner_query(const TestRecord& record, const std::string& sql) {
  return record.engine() == Engine::sqlite ? sqlite_query(record.location().data_dir / "scarscope.db", sql)
                                           : postgres_admin_query(record.database_name(), sql);
}

class StoreMigrations : public ::testing::TestWithParam<Engine> {};

TEST_P(StoreMigrations, ANewRecordHasEveryMigration) {
  TestRecord record(GetParam());
  std::unique_ptr<store::Store> store = record.open();
  EXPECT_EQ(store->schema_version(), latest_version);
  EXPECT_EQ(store::Store::latest_schema_version(GetParam()), latest_version);
  EXPECT_EQ(owner_query(record, "SELECT COUNT(*) FROM scarscope_schema"), std::to_string(latest_version));
}

TEST_P(StoreMigrations, ARecordOfVersionOneWithDataIsUpgradedAndReadsBack) {
  TestRecord record(GetParam(), 1);
  run_owner_sql(record, read_text_file(std::filesystem::path(SCARSCOPE_TEST_SOURCE) / "store/data/v1_record.sql"));
  const std::string baseline = "v1 baseline scan bytes", followup = "v1 follow-up scan bytes";
  if (GetParam() == Engine::sqlite) {
    const store::SqliteLayout layout(record.location().data_dir);
    for (const std::string* content : {&baseline, &followup}) {
      const std::filesystem::path path = layout.blob_path(clinic::sha256_hex(*content));
      std::filesystem::create_directories(path.parent_path());
      write_text_file(path, *content);
    }
  } else {
    for (const std::string* content : {&baseline, &followup}) {
      std::string hex;
      for (unsigned char c : *content) {
        static const char* digits = "0123456789abcdef";
        hex += digits[c >> 4];
        hex += digits[c & 15];
      }
      postgres_admin_execute(record.database_name(), "INSERT INTO blob_chunks (blob_key, seq, data) VALUES ('" +
                                                         clinic::sha256_hex(*content) + "', 0, decode('" + hex + "', 'hex'))");
    }
  }
  EXPECT_EQ(owner_query(record, "SELECT MAX(version) FROM scarscope_schema"), "1");

  // The owner opens it with this scarscope: migrated in one go.
  store::StoreOptions options;
  options.clock = &record.clock();
  EXPECT_EQ(store::Store::open(record.owner_location(), options)->schema_version(), latest_version);
  std::unique_ptr<store::Store> store = record.open();
  EXPECT_EQ(store->schema_version(), latest_version);

  const std::string clinic_id = "v1clinic00000000000001";
  const std::string patient_id = "v1patient0000000000001";
  store->read(clinic_id, [&](const store::ClinicReader& tx) {
    EXPECT_EQ(tx.clinic().name, "Version One Clinic");
    EXPECT_EQ(tx.clinic().settings_json, "{}");  // the column migration 2 added
    const auto patient = tx.patient(patient_id);
    ASSERT_TRUE(patient);
    EXPECT_EQ(patient->name, "Uma Version");
    EXPECT_EQ(patient->fitzpatrick, 3);
    EXPECT_EQ(patient->sex, clinic::Sex::female);
    EXPECT_EQ(tx.find_patients("uma").total, 1);
    EXPECT_EQ(tx.consents(patient_id).size(), 1u);
    const auto visits = tx.visits(patient_id);
    ASSERT_EQ(visits.size(), 2u);
    EXPECT_EQ(visits[0].notes, "baseline");
    const auto scans = tx.scans_of_patient(patient_id);
    ASSERT_EQ(scans.size(), 2u);
    const std::vector<std::byte> bytes = tx.scan_file(scans[0].id);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), baseline);
    const auto assessment = tx.latest_assessment_of_scan(scans[0].id);
    ASSERT_TRUE(assessment);
    EXPECT_EQ(assessment->analysis.schema, "1");
    EXPECT_EQ(tx.corrections(assessment->id).size(), 1u);
    EXPECT_EQ(tx.comparisons_of_patient(patient_id).size(), 1u);
    const auto plans = tx.plans_of_patient(patient_id);
    ASSERT_EQ(plans.size(), 1u);
    EXPECT_EQ(plans[0].status, clinic::PlanStatus::accepted);
    const auto sessions = tx.treatment_sessions(patient_id);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].parameters.at("tca_concentration_pct"), 100.0);
    EXPECT_EQ(sessions[0].target_scar_ids, (std::vector<int>{2, 5}));
    EXPECT_EQ(tx.adverse_events_of_patient(patient_id).size(), 1u);
    EXPECT_EQ(tx.audit_entries({}).total, 2);
  });
  const auto login = store->read_system([](store::SystemReader& tx) {
    return tx.active_session("d2f1e6c1b9a1b8f0f9d0d5b6c1c8e3a5b9f3d4e6a7b8c9d0e1f2a3b4c5d6e7f8");
  });
  ASSERT_TRUE(login);
  EXPECT_EQ(login->user.email, "dr.one@clinic.example");
  // The queued comparison of version 1 is claimed and completed by today's queue.
  const auto job = store->write_system([](store::SystemWriter& tx) { return tx.claim_job({"worker", std::chrono::minutes(1)}); });
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, clinic::JobKind::comparison);
  // The version-1 audit chains still verify: the hash has not changed meaning.
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(report.clean()) << (report.findings.empty() ? "" : report.findings.front().what);
  EXPECT_EQ(report.audit_entries_checked, 3);
  // And the record goes on: new entries extend the old chains.
  EXPECT_NO_THROW(store->write(clinic_id, [&](store::ClinicWriter& tx) {
    tx.append_audit(store::AuditEvent{"v1user0000000000000001", clinic::AuditAction::read, "patient", patient_id, patient_id, ""});
  }));
  EXPECT_TRUE(store::check_store(*store).clean());
}

TEST_P(StoreMigrations, ARecordNewerThanThisBinaryIsRefusedAndLeftAsItWas) {
  TestRecord record(GetParam());
  record.open();
  run_owner_sql(record, "INSERT INTO scarscope_schema (version, applied_at, scarscope_version) VALUES (99, 0, '9.0.0')");
  try {
    record.open();
    FAIL() << "a newer record was opened";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::unsupported);
    EXPECT_NE(std::string(error.what()).find("schema version 99"), std::string::npos) << error.what();
  }
  EXPECT_EQ(owner_query(record, "SELECT COUNT(*) FROM scarscope_schema"), std::to_string(latest_version + 1));
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreMigrations, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

TEST(PostgresMigrations, TheApplicationRoleCannotChangeTheSchemaAndSaysWhoCan) {
  TestRecord record(Engine::postgres, 1);
  try {
    record.open();
    FAIL() << "the application role migrated the schema";
  } catch (const store::StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("as the owner"), std::string::npos) << error.what();
  }
  EXPECT_EQ(postgres_admin_query(record.database_name(), "SELECT MAX(version) FROM scarscope_schema"), "1");
}

}  // namespace
}  // namespace scarscope::test
