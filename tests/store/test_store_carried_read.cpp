// Store::CarriedRead, on each engine: the server's session check and its route's read run as one
// read transaction. The second read continues the first (it sees the first one's snapshot, not a
// change committed between them), a write on the thread ends the carried read (the write's result
// is seen by the reads after it), and reads after the second, or after the scope, are fresh.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::Engine;

class StoreCarriedRead : public ::testing::TestWithParam<Engine> {
 protected:
  // A record of the test's engine with one clinic and its patient "Before Rename".
  void open(store::StoreOptions options = {}) {
    record = std::make_unique<TestRecord>(GetParam());
    store = record->open(std::move(options));
    clinic = make_clinic(*store, "Carried Clinic");
    patient = make_patient(*store, clinic, "Before Rename");
  }

  std::unique_ptr<TestRecord> record;
  std::unique_ptr<store::Store> store;
  ClinicFixture clinic;
  clinic::Patient patient;
};

// Renames the patient from another thread (another connection of the pool), committed on return.
void rename_elsewhere(store::Store& store, const ClinicFixture& clinic, const std::string& patient_id,
                      const std::string& name) {
  std::thread writer([&] {
    store.write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
      clinic::Patient patient = *tx.patient(patient_id);
      patient.name = name;
      tx.update_patient(patient);
    });
  });
  writer.join();
}

std::string name_of(store::Store& store, const ClinicFixture& clinic, const std::string& patient_id) {
  return store.read(clinic.clinic.id, [&](const store::ClinicReader& tx) { return tx.patient(patient_id)->name; });
}

std::size_t clinic_count(store::Store& store) {
  return store.read_system([](const store::SystemReader& tx) { return tx.clinics().size(); });
}

TEST_P(StoreCarriedRead, TheSecondReadContinuesTheFirstsSnapshotAndTheThirdIsFresh) {
  open();

  {
    store::Store::CarriedRead carried(*store);
    EXPECT_EQ(clinic_count(*store), 1u);  // the session check: a system read, left open
    rename_elsewhere(*store, clinic, patient.id, "After Rename");
    // The route's read, a clinic read of the same transaction: the rename came after its snapshot.
    EXPECT_EQ(name_of(*store, clinic, patient.id), "Before Rename");
    // Only one read is carried: the next one starts afresh.
    EXPECT_EQ(name_of(*store, clinic, patient.id), "After Rename");
  }

  // Without the scope the same sequence sees the rename at once (what the first check tells apart).
  EXPECT_EQ(clinic_count(*store), 1u);
  rename_elsewhere(*store, clinic, patient.id, "Renamed Again");
  EXPECT_EQ(name_of(*store, clinic, patient.id), "Renamed Again");
}

TEST_P(StoreCarriedRead, AWriteOnTheThreadEndsTheCarriedReadAndTheNextReadSeesIt) {
  open();

  store::Store::CarriedRead carried(*store);
  EXPECT_EQ(name_of(*store, clinic, patient.id), "Before Rename");  // carried open
  // A write while the read is open: on SQLite it must not wait for the read's own connection,
  // and the read after it must see it.
  store->write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
    clinic::Patient changed = *tx.patient(patient.id);
    changed.name = "Written Here";
    tx.update_patient(changed);
  });
  EXPECT_EQ(name_of(*store, clinic, patient.id), "Written Here");
}

TEST_P(StoreCarriedRead, TheScopesEndReturnsTheConnectionAndAFailedReadEndsTheCarry) {
  store::StoreOptions options;
  options.max_connections = 1;  // a connection kept after the scope would make the next read wait forever
  open(options);

  {
    store::Store::CarriedRead carried(*store);
    EXPECT_EQ(clinic_count(*store), 1u);  // left open, holding the only connection
  }
  // The scope committed it and gave the connection back: another thread can read and write.
  rename_elsewhere(*store, clinic, patient.id, "After Rename");
  EXPECT_EQ(name_of(*store, clinic, patient.id), "After Rename");

  {
    store::Store::CarriedRead carried(*store);
    EXPECT_EQ(clinic_count(*store), 1u);
    // The continuing read fails (an unknown patient): its transaction ends with it.
    EXPECT_THROW(store->read(clinic.clinic.id,
                             [&](const store::ClinicReader& tx) -> std::string {
                               auto found = tx.patient("no-such-patient");
                               if (!found) throw std::runtime_error("not found");
                               return found->name;
                             }),
                 std::runtime_error);
    rename_elsewhere(*store, clinic, patient.id, "Third Name");
    EXPECT_EQ(name_of(*store, clinic, patient.id), "Third Name");
  }
}

TEST_P(StoreCarriedRead, AnInnerScopeOnTheSameThreadChangesNothing) {
  open();

  store::Store::CarriedRead outer(*store);
  EXPECT_EQ(clinic_count(*store), 1u);
  {
    store::Store::CarriedRead inner(*store);  // does nothing: the outer one's read stays open
  }
  rename_elsewhere(*store, clinic, patient.id, "After Rename");
  EXPECT_EQ(name_of(*store, clinic, patient.id), "Before Rename");
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreCarriedRead, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
