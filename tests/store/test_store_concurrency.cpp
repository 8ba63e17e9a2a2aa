// Concurrency: 4 threads each writing 1,000 treatment sessions with an audit entry each, into one
// clinic, on each engine: nothing lost, no SQLITE_BUSY (or any error) reaching the caller, and the
// audit chain they all extended still verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/fsck.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::Engine;

class StoreConcurrency : public ::testing::TestWithParam<Engine> {};

TEST_P(StoreConcurrency, FourWritersLoseNothing) {
  constexpr int threads = 4;
  constexpr int sessions_each = 1000;
  TestRecord record(GetParam());
  std::unique_ptr<store::Store> store = record.open();
  const ClinicFixture clinic = make_clinic(*store, "Busy Clinic");
  std::vector<clinic::Patient> patients;
  for (int t = 0; t < threads; ++t) patients.push_back(make_patient(*store, clinic, "patient " + std::to_string(t)));

  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mutex;
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < sessions_each; ++i) {
        try {
          store->write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
            clinic::TreatmentSession session;
            session.patient_id = patients[static_cast<std::size_t>(t)].id;
            session.date = CalendarDate::parse("2026-11-01", "date");
            session.modality = "microneedling";
            session.parameters = {{"needle_depth_mm", 1.5}};
            session.notes = "writer " + std::to_string(t) + " session " + std::to_string(i);
            const clinic::TreatmentSession stored = tx.record_treatment_session(session, test_vocabulary());
            tx.append_audit(store::AuditEvent{clinic.clinician.id, clinic::AuditAction::create, "session", stored.id,
                                              session.patient_id, ""});
          });
        } catch (const std::exception& error) {
          if (failures++ == 0) {
            std::lock_guard lock(failure_mutex);
            first_failure = error.what();
          }
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;

  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  EXPECT_EQ(counts.at("treatment_sessions"), threads * sessions_each);
  EXPECT_EQ(counts.at("audit_entries"), threads * sessions_each);
  store->read(clinic.clinic.id, [&](const store::ClinicReader& tx) {
    for (const clinic::Patient& patient : patients) {
      EXPECT_EQ(tx.treatment_sessions(patient.id).size(), static_cast<std::size_t>(sessions_each));
    }
  });
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(report.audit_entries_checked, threads * sessions_each);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConcurrency, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
