// fsck: a record in order is clean; an edited or deleted audit entry, a blob whose bytes changed, a
// missing blob, and unreferenced blobs are each found (and only the last ones repaired).
#include <gtest/gtest.h>

#include <fstream>

#include "store/fsck.h"
#include "store/sqlite_layout.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::Engine;

bool has_finding(const store::FsckReport& report, const std::string& check, const std::string& severity,
                 const std::string& text) {
  for (const auto& finding : report.findings) {
    if (finding.check == check && finding.severity == severity && finding.what.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string describe(const store::FsckReport& report) {
  std::string text;
  for (const auto& finding : report.findings) text += finding.check + "/" + finding.severity + ": " + finding.what + "\n";
  return text;
}

class StoreFsck : public ::testing::TestWithParam<Engine> {
 protected:
  // Plays an attacker (or a broken disk) changing the database behind the store's back, as its owner.
  void tamper(const std::string& sql) {
    if (GetParam() == Engine::sqlite) {
      sqlite_execute(record.location().data_dir / "scarscope.db",
                     "DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete; " + sql);
    } else {
      postgres_admin_execute(record.database_name(),
                             "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only; " + sql);
    }
  }
  TestRecord record{GetParam()};
  std::unique_ptr<store::Store> store = record.open();
  Random random{30};
  ClinicRecords alder = fill_clinic(*store, "Alder", random);
};

TEST_P(StoreFsck, ARecordInOrderIsClean) {
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(report.clean()) << describe(report);
  EXPECT_EQ(report.blobs_checked, static_cast<std::int64_t>(alder.scans.size()));
  EXPECT_EQ(report.audit_entries_checked, static_cast<std::int64_t>(alder.patients.size() + alder.scans.size()));
}

TEST_P(StoreFsck, AnEditedAuditEntryBreaksTheChain) {
  tamper("UPDATE audit_entries SET user_id = 'someone else' WHERE sequence = 2");
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(report.has_errors());
  EXPECT_TRUE(has_finding(report, "audit", "error", "entry 2: its hash does not match its fields")) << describe(report);
}

TEST_P(StoreFsck, ADeletedAuditEntryBreaksTheChain) {
  tamper("DELETE FROM audit_entries WHERE sequence = 2");
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(has_finding(report, "audit", "error", "entry 2 is missing")) << describe(report);
}

TEST_P(StoreFsck, DeletingTheLastAuditEntriesShowsAtTheChainsHead) {
  tamper("DELETE FROM audit_entries WHERE sequence > 2");
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(has_finding(report, "audit", "error", "were deleted")) << describe(report);
}

TEST_P(StoreFsck, ABlobWhoseBytesChangedIsFound) {
  const clinic::Scan scan = *store->read(alder.fixture.clinic.id, [&](const store::ClinicReader& tx) {
    return tx.scan(alder.scans[0]);
  });
  if (GetParam() == Engine::sqlite) {
    std::ofstream(store::SqliteLayout(record.location().data_dir).blob_path(scan.sha256), std::ios::binary)
        << std::string(static_cast<std::size_t>(scan.size_bytes), '!');
  } else {
    postgres_admin_execute(record.database_name(),
                           "UPDATE blob_chunks SET data = decode(repeat('21', length(data)), 'hex') WHERE blob_key = '" +
                               scan.sha256 + "'");
  }
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(has_finding(report, "blobs", "error", scan.sha256 + " does not match its hash")) << describe(report);
}

TEST_P(StoreFsck, AMissingBlobIsFound) {
  const clinic::Scan scan = *store->read(alder.fixture.clinic.id, [&](const store::ClinicReader& tx) {
    return tx.scan(alder.scans[0]);
  });
  if (GetParam() == Engine::sqlite) {
    std::filesystem::remove(store::SqliteLayout(record.location().data_dir).blob_path(scan.sha256));
  } else {
    postgres_admin_execute(record.database_name(), "DELETE FROM blob_chunks WHERE blob_key = '" + scan.sha256 + "'");
  }
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(has_finding(report, "blobs", "error", scan.sha256)) << describe(report);
}

TEST_P(StoreFsck, UnreferencedBlobsAreRemovedOnlyWithRepairAndOnlyOnceOldEnough) {
  const store::BlobRef orphan = store->put_blob(std::string_view("an upload that never became a scan"));
  store::FsckReport report = store::check_store(*store, {.repair = true});
  EXPECT_TRUE(has_finding(report, "orphans", "warning", orphan.sha256)) << describe(report);
  EXPECT_TRUE(store->has_blob(orphan.sha256)) << "a young upload was removed";

  record.clock().advance(std::chrono::hours(2));
  report = store::check_store(*store);
  EXPECT_TRUE(has_finding(report, "orphans", "warning", orphan.sha256));
  EXPECT_TRUE(store->has_blob(orphan.sha256)) << "fsck without --repair changed the record";

  report = store::check_store(*store, {.repair = true});
  EXPECT_TRUE(has_finding(report, "orphans", "repaired", orphan.sha256)) << describe(report);
  EXPECT_FALSE(store->has_blob(orphan.sha256));
  EXPECT_TRUE(store::check_store(*store).clean());
}

TEST_P(StoreFsck, ScansKeepTheirPatientConsistentWithTheirVisit) {
  const ClinicRecords birch = fill_clinic(*store, "Birch", random);
  const std::string sql = "UPDATE scans SET patient_id = '" + alder.patients.back() + "' WHERE id = '" + alder.scans[0] + "'";
  if (alder.patients.back() == alder.patients.front()) GTEST_FAIL() << "the fixture needs two patients";
  if (GetParam() == Engine::sqlite) {
    sqlite_execute(record.location().data_dir / "scarscope.db", sql);
  } else {
    postgres_admin_execute(record.database_name(), sql);
  }
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(has_finding(report, "foreign_keys", "error", alder.scans[0])) << describe(report);
  (void)birch;
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreFsck, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

TEST(SqliteFsck, AFileNoRecordNamesAndATemporaryFileAreRepaired) {
  TestRecord record(Engine::sqlite);
  std::unique_ptr<store::Store> store = record.open();
  const store::SqliteLayout layout(record.location().data_dir);
  write_text_file(layout.blob_temporary_dir() / "crashed-upload.part", "half");
  std::filesystem::create_directories(layout.blobs_dir() / "ab" / "cd");
  write_text_file(layout.blobs_dir() / "ab" / "cd" / "not-a-blob", "?");
  store::FsckReport report = store::check_store(*store);
  EXPECT_EQ(report.findings.size(), 2u) << describe(report);
  EXPECT_TRUE(std::filesystem::exists(layout.blob_temporary_dir() / "crashed-upload.part"));
  report = store::check_store(*store, {.repair = true, .orphan_grace = std::chrono::microseconds(0)});
  EXPECT_TRUE(has_finding(report, "orphans", "repaired", "crashed-upload.part")) << describe(report);
  EXPECT_FALSE(std::filesystem::exists(layout.blob_temporary_dir() / "crashed-upload.part"));
  EXPECT_TRUE(store::check_store(*store).clean());
}

}  // namespace
}  // namespace scarscope::test
