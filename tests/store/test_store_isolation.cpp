// Per-clinic isolation: with random records in several clinics, nothing one clinic reads, lists,
// searches or counts contains another clinic's records, and another clinic's id behaves as unknown.
// On PostgreSQL, row-level security holds the same line for SQL that forgot its clinic predicate.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "clinic/documents.h"
#include "core/error.h"
#include "core/random.h"
#include "store/detail/store_impl.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::ClinicReader;
using store::ClinicWriter;
using store::Engine;

class StoreIsolation : public ::testing::TestWithParam<Engine> {
 protected:
  TestRecord record{GetParam()};
  std::unique_ptr<store::Store> store = record.open();
};

TEST_P(StoreIsolation, NoClinicSeesAnotherClinicsRecords) {
  Random random(15);
  std::vector<ClinicRecords> clinics;
  for (const char* name : {"Alder", "Birch", "Cedar"}) clinics.push_back(fill_clinic(*store, name, random));

  for (const ClinicRecords& reader : clinics) {
    const std::string& id = reader.fixture.clinic.id;
    store->read(id, [&](const ClinicReader& tx) {
      // Searches and counts: exactly this clinic's.
      const auto everyone = tx.find_patients("", {1000, 0});
      EXPECT_EQ(everyone.total, static_cast<std::int64_t>(reader.patients.size()));
      for (const auto& patient : everyone.items) EXPECT_EQ(patient.clinic_id, id);
      EXPECT_EQ(tx.find_patients("patient").total, static_cast<std::int64_t>(reader.patients.size()));
      EXPECT_EQ(tx.all_treatment_sessions().size(), reader.sessions.size());
      EXPECT_EQ(tx.users().size(), 1u);
      const auto audit = tx.audit_entries({});
      EXPECT_EQ(audit.total, static_cast<std::int64_t>(reader.patients.size() + reader.scans.size()));
      for (const auto& entry : audit.items) EXPECT_EQ(entry.clinic_id, id);

      for (const ClinicRecords& other : clinics) {
        if (&other == &reader) continue;
        // Names of the other clinic's patients are not found.
        EXPECT_EQ(tx.find_patients(other.fixture.clinic.name).total, 0);
        EXPECT_FALSE(tx.user(other.fixture.clinician.id));
        for (const auto& patient : other.patients) {
          EXPECT_FALSE(tx.patient(patient));
          EXPECT_TRUE(tx.visits(patient).empty());
          EXPECT_TRUE(tx.consents(patient).empty());
          EXPECT_TRUE(tx.scans_of_patient(patient).empty());
          EXPECT_TRUE(tx.plans_of_patient(patient).empty());
          EXPECT_TRUE(tx.treatment_sessions(patient).empty());
          EXPECT_TRUE(tx.adverse_events_of_patient(patient).empty());
          EXPECT_TRUE(tx.comparisons_of_patient(patient).empty());
          store::AuditQuery query;
          query.patient_id = patient;
          EXPECT_EQ(tx.audit_entries(query).total, 0);
        }
        for (const auto& visit : other.visits) {
          EXPECT_FALSE(tx.visit(visit));
          EXPECT_TRUE(tx.scans_of_visit(visit).empty());
        }
        for (const auto& scan : other.scans) {
          EXPECT_FALSE(tx.scan(scan));
          EXPECT_FALSE(tx.latest_assessment_of_scan(scan));
          EXPECT_TRUE(tx.jobs_of_scan(scan).empty());
          try {
            tx.scan_file(scan);
            ADD_FAILURE() << "another clinic's scan file was read";
          } catch (const InputError& error) {
            EXPECT_EQ(error.code(), ErrorCode::not_found);
          }
        }
        for (const auto& assessment : other.assessments) {
          EXPECT_FALSE(tx.assessment(assessment));
          EXPECT_TRUE(tx.corrections(assessment).empty());
        }
        for (const auto& plan : other.plans) EXPECT_FALSE(tx.plan(plan));
        for (const auto& session : other.sessions) {
          EXPECT_FALSE(tx.treatment_session(session));
          EXPECT_TRUE(tx.adverse_events_of_session(session).empty());
        }
        for (const auto& event : other.events) EXPECT_FALSE(tx.adverse_event(event));
        for (const auto& job : other.jobs) EXPECT_FALSE(tx.job(job));
      }
    });
  }
}

TEST_P(StoreIsolation, NoClinicCanWriteIntoAnotherClinicsRecords) {
  Random random(16);
  const ClinicRecords alder = fill_clinic(*store, "Alder", random);
  const ClinicRecords birch = fill_clinic(*store, "Birch", random);
  const auto before = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  const std::string& as_birch = birch.fixture.clinic.id;
  const auto expect_not_found = [&](const std::function<void(ClinicWriter&)>& write) {
    try {
      store->write(as_birch, write);
      ADD_FAILURE() << "a write reached another clinic's record";
    } catch (const InputError& error) {
      EXPECT_EQ(error.code(), ErrorCode::not_found) << error.what();
    }
  };
  expect_not_found([&](ClinicWriter& tx) {
    clinic::Visit visit;
    visit.patient_id = alder.patients[0];
    visit.date = CalendarDate::parse("2026-11-01", "date");
    tx.create_visit(visit);
  });
  expect_not_found([&](ClinicWriter& tx) {
    clinic::Patient patient;
    patient.id = alder.patients[0];
    patient.name = "renamed by another clinic";
    tx.update_patient(patient);
  });
  expect_not_found([&](ClinicWriter& tx) { tx.accept_plan(alder.plans[0], birch.fixture.clinician.id, std::nullopt, ""); });
  expect_not_found([&](ClinicWriter& tx) { tx.enqueue_job(clinic::JobKind::analysis, alder.scans[0]); });
  expect_not_found([&](ClinicWriter& tx) {
    clinic::Assessment assessment;
    assessment.scan_id = alder.scans[0];
    assessment.analysis = test_document("analysis", 1);
    tx.store_assessment(assessment);
  });
  expect_not_found([&](ClinicWriter& tx) {
    clinic::AdverseEvent event;
    event.session_id = alder.sessions[0];
    event.onset = CalendarDate::parse("2026-11-01", "date");
    tx.record_adverse_event(event);
  });
  expect_not_found([&](ClinicWriter& tx) {
    clinic::Comparison comparison;
    comparison.baseline_scan_id = birch.scans[0];
    comparison.followup_scan_id = alder.scans[0];
    comparison.result = test_document("comparison", 1);
    tx.store_comparison(comparison);
  });
  // Completing another clinic's job does nothing.
  EXPECT_FALSE(store->write(as_birch, [&](ClinicWriter& tx) {
    return tx.complete_job(alder.jobs[0], "worker", "assessment", alder.assessments[0]);
  }));
  const auto after = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  EXPECT_EQ(after, before);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreIsolation, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

// Row-level security, the second wall: SQL that forgot its clinic predicate, run as the
// application's role with clinic A's setting, sees none of clinic B's rows.
TEST(PostgresRowLevelSecurity, AQueryWithoutItsClinicPredicateSeesOnlyItsClinic) {
  TestRecord record(Engine::postgres);
  std::unique_ptr<store::Store> store = record.open();
  Random random(17);
  const ClinicRecords alder = fill_clinic(*store, "Alder", random);
  const ClinicRecords birch = fill_clinic(*store, "Birch", random);

  // Through the store's own transactions: the forgetful SQL runs in a clinic-scoped transaction.
  store::detail::run_in_transaction(
      store->impl(), store::detail::TransactionKind::clinic_read, alder.fixture.clinic.id,
      [&](store::detail::TransactionContext& context) {
        EXPECT_EQ(context.query("SELECT COUNT(*) FROM patients").integer(0, 0),
                  static_cast<std::int64_t>(alder.patients.size()));
        EXPECT_TRUE(context.query("SELECT id FROM patients WHERE id = $1", birch.patients[0]).empty());
        EXPECT_TRUE(context.query("SELECT id FROM scans WHERE id = $1", birch.scans[0]).empty());
        EXPECT_EQ(context.query("SELECT COUNT(*) FROM clinics").integer(0, 0), 1);
        EXPECT_EQ(context.query("SELECT COUNT(*) FROM audit_entries WHERE clinic_id = $1", birch.fixture.clinic.id)
                      .integer(0, 0),
                  0);
        EXPECT_EQ(context.query("SELECT COUNT(*) FROM login_attempts").integer(0, 0), 0);
        // Another clinic's scan bytes are not readable either.
        const auto sha = context.query("SELECT COUNT(*) FROM blob_chunks").integer(0, 0);
        EXPECT_EQ(sha, static_cast<std::int64_t>(alder.scans.size()));
      });

  // Directly as the application's login role, with no setting at all: nothing.
  PGconn* connection = PQconnectdb(record.location().url.c_str());
  ASSERT_EQ(PQstatus(connection), CONNECTION_OK) << PQerrorMessage(connection);
  PGresult* result = PQexec(connection, "SELECT COUNT(*) FROM patients");
  ASSERT_EQ(PQresultStatus(result), PGRES_TUPLES_OK) << PQresultErrorMessage(result);
  EXPECT_STREQ(PQgetvalue(result, 0, 0), "0");
  PQclear(result);
  // The application role cannot edit or delete the audit trail.
  result = PQexec(connection,
                  "BEGIN; SELECT set_config('scarscope.scope', 'system', true); DELETE FROM audit_entries; COMMIT");
  EXPECT_EQ(PQresultStatus(result), PGRES_FATAL_ERROR);
  EXPECT_NE(std::string(PQresultErrorMessage(result)).find("permission denied"), std::string::npos)
      << PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(connection);
  EXPECT_EQ(postgres_admin_query(record.database_name(), "SELECT COUNT(*) FROM audit_entries"),
            std::to_string(alder.patients.size() + alder.scans.size() + birch.patients.size() + birch.scans.size()));
}

}  // namespace
}  // namespace scarscope::test
