// Backup and restore: one archive, restored into the same engine and into the other one, compared
// record by record and blob by blob; a damaged archive restores nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "clinic/audit_chain.h"
#include "clinic/ids.h"
#include "core/error.h"
#include "store/backup.h"
#include "store/fsck.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::Engine;

// Every blob of a record, by hash, read back through the record's own scans.
std::map<std::string, std::string> scan_files(store::Store& store) {
  std::map<std::string, std::string> files;
  const auto clinics = store.read_system([](store::SystemReader& tx) { return tx.clinics(); });
  for (const clinic::Clinic& clinic : clinics) {
    store.read(clinic.id, [&](const store::ClinicReader& tx) {
      for (const auto& patient : tx.find_patients("", {1000, 0}).items) {
        for (const clinic::Scan& scan : tx.scans_of_patient(patient.id)) {
          const std::vector<std::byte> bytes = tx.scan_file(scan.id);
          files[scan.sha256] = std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        }
      }
    });
  }
  return files;
}

struct EnginePair {
  Engine from;
  Engine to;
};

class StoreBackup : public ::testing::TestWithParam<EnginePair> {};

TEST_P(StoreBackup, ARestoredRecordHoldsEveryRecordAndBlobOfTheOriginal) {
  TestRecord source(GetParam().from);
  std::unique_ptr<store::Store> original = source.open();
  Random random(20);
  const ClinicRecords alder = fill_clinic(*original, "Alder", random);
  fill_clinic(*original, "Birch", random);
  // A blob bigger than one PostgreSQL piece, and a job in every state worth moving.
  const clinic::Scan big = make_scan(*original, alder.fixture, alder.visits[0], std::string(2'500'000, 'q'));
  original->write_system([](store::SystemWriter& tx) { tx.claim_job({"worker", std::chrono::minutes(5)}); });
  original->write(alder.fixture.clinic.id, [&](store::ClinicWriter& tx) {
    clinic::AssessmentCorrection correction;
    correction.assessment_id = alder.assessments[0];
    correction.clinician_inputs_json = R"({"papular_scars": 3})";
    tx.add_correction(correction);
  });

  TempDir folder;
  const auto archive = folder / "record.scarscope-backup";
  source.clock().advance(std::chrono::minutes(1));
  const store::BackupSummary made = store::backup_store(*original, archive);
  EXPECT_EQ(made.rows.at("clinics"), 2);
  EXPECT_GE(made.blobs, 2);
  EXPECT_EQ(store::read_backup_schema_version(archive), original->schema_version());

  // The backup is itself in the original's audit trail (record-wide chain), before the snapshot.
  const auto audited = store::dump_record_tables(*original).at("audit_entries");
  EXPECT_EQ(std::count_if(audited.begin(), audited.end(),
                          [](const std::string& line) { return line.find("\"action\":\"backup\"") != std::string::npos; }),
            1);

  TestRecord target(GetParam().to);
  std::unique_ptr<store::Store> restored = target.open();
  const store::BackupSummary back = store::restore_store(*restored, archive);
  EXPECT_EQ(back.rows, made.rows);
  EXPECT_EQ(back.blobs, made.blobs);

  // Record by record: every table the backup carries, except the restore's own audit entry.
  auto before = store::dump_record_tables(*original);
  auto after = store::dump_record_tables(*restored);
  ASSERT_EQ(after.at("audit_entries").size(), before.at("audit_entries").size() + 1);
  auto& restored_entries = after.at("audit_entries");
  EXPECT_EQ(std::erase_if(restored_entries,
                          [](const std::string& line) { return line.find("\"action\":\"restore\"") != std::string::npos; }),
            1u);
  std::string restore_head = after.at("audit_chains").front();
  after.at("audit_chains").erase(after.at("audit_chains").begin());
  before.at("audit_chains").erase(before.at("audit_chains").begin());
  for (const auto& [table, rows] : before) {
 EXPECT_TRUE(after.at(table) == rows) << table << " differs after " << engine_label(GetParam().from) << " -> "
                                     << engine_label(GetParam().to);
  }
  // Blob by blob, through the scans that name them.
  const auto original_files = scan_files(*original);
  EXPECT_EQ(scan_files(*restored), original_files);
  EXPECT_EQ(original_files.at(big.sha256), std::string(2'500'000, 'q'));
  // The audit chains still verify, the restore's entry included.
  const store::FsckReport report = store::check_store(*restored);
  EXPECT_TRUE(report.clean()) << (report.findings.empty() ? "" : report.findings.front().what);
  EXPECT_GT(report.audit_entries_checked, 0);
  EXPECT_NE(restore_head.find("\"last_sequence\":2"), std::string::npos) << restore_head;  // backup, restore
  // The restored record works as a record: a clinician goes on where they left off.
  EXPECT_NO_THROW(make_patient(*restored, alder.fixture, "after the move"));
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreBackup,
                         ::testing::Values(EnginePair{Engine::sqlite, Engine::sqlite},
                                           EnginePair{Engine::sqlite, Engine::postgres},
                                           EnginePair{Engine::postgres, Engine::postgres},
                                           EnginePair{Engine::postgres, Engine::sqlite}),
                         [](const auto& info) {
                           return engine_label(info.param.from) + "To" + engine_label(info.param.to);
                         });

class StoreRestoreRefusal : public ::testing::TestWithParam<Engine> {
 protected:
  // A small record's backup, made on SQLite.
  void SetUp() override {
    TestRecord source(Engine::sqlite);
    std::unique_ptr<store::Store> original = source.open();
    Random random(21);
    fill_clinic(*original, "Alder", random);
    store::backup_store(*original, archive);
  }
  // The archive with `count` bytes from `offset` on replaced by 'X'.
  void damage(std::streamoff offset, std::size_t count) {
    std::fstream file(archive, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(offset);
    file.write(std::string(count, 'X').data(), static_cast<std::streamsize>(count));
  }
  std::streamoff find(const std::string& text) {
    const std::string bytes = read_text_file(archive);
    return static_cast<std::streamoff>(bytes.find(text));
  }
  void expect_refused_and_target_empty(ErrorCode code) {
    TestRecord target(GetParam());
    std::unique_ptr<store::Store> restored = target.open();
    try {
      store::restore_store(*restored, archive);
      FAIL() << "a damaged archive was restored";
    } catch (const InputError& error) {
      EXPECT_EQ(error.code(), code) << error.what();
    }
    const auto counts = restored->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
    for (const auto& [table, rows] : counts) EXPECT_EQ(rows, 0) << table;
    EXPECT_TRUE(store::check_store(*restored).clean());
  }
  TempDir folder;
  std::filesystem::path archive = folder / "record.tar";
};

TEST_P(StoreRestoreRefusal, ABlobWhoseBytesDoNotMatchItsHashRestoresNothing) {
  // The first blob's bytes follow the first "blobs/" header: damage its content ("... scan NNN").
  damage(find("Alder scan"), 5);
  expect_refused_and_target_empty(ErrorCode::bad_format);
}

TEST_P(StoreRestoreRefusal, ARecordFileThatDoesNotMatchTheManifestRestoresNothing) {
  damage(find("\"name\":\"Alder patient 0\""), 8);
  expect_refused_and_target_empty(ErrorCode::bad_format);
}

TEST_P(StoreRestoreRefusal, AForgedAuditEntryWhoseManifestHashWasUpdatedRestoresNothing) {
  // A forger turns a "create" into a "delete" in the archived audit trail and, knowing the format,
  // puts the edited file's SHA-256 into the manifest: every hash agrees, the audit chain does not.
  std::string bytes = read_text_file(archive);
  // The member's tar header: the name at the start of a 512-byte block (the manifest names it too).
  std::size_t header = bytes.find("records/audit_entries.jsonl");
  while (header != std::string::npos && header % 512 != 0) header = bytes.find("records/audit_entries.jsonl", header + 1);
  ASSERT_NE(header, std::string::npos);
  const std::size_t size = std::stoul(bytes.substr(header + 124, 11), nullptr, 8);
  const std::size_t data = header + 512;
  std::string content = bytes.substr(data, size);
  const std::string old_hash = clinic::sha256_hex(content);
  const std::size_t action = content.find("\"action\":\"create\"");
  ASSERT_NE(action, std::string::npos);
  content.replace(action, 17, "\"action\":\"delete\"");
  const std::string new_hash = clinic::sha256_hex(content);
  bytes.replace(data, size, content);
  const std::size_t in_manifest = bytes.find(old_hash);
  ASSERT_NE(in_manifest, std::string::npos);
  ASSERT_LT(in_manifest, header) << "the manifest comes first";
  bytes.replace(in_manifest, old_hash.size(), new_hash);
  write_text_file(archive, bytes);
  expect_refused_and_target_empty(ErrorCode::bad_format);
}

TEST_P(StoreRestoreRefusal, ATruncatedArchiveRestoresNothing) {
  std::filesystem::resize_file(archive, std::filesystem::file_size(archive) / 2);
  expect_refused_and_target_empty(ErrorCode::bad_format);
}

TEST_P(StoreRestoreRefusal, ARecordThatIsNotEmptyIsNotRestoredInto) {
  TestRecord target(GetParam());
  std::unique_ptr<store::Store> restored = target.open();
  make_clinic(*restored, "Already here");
  const auto before = store::dump_record_tables(*restored);
  try {
    store::restore_store(*restored, archive);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::conflict);
  }
  EXPECT_EQ(store::dump_record_tables(*restored), before);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreRestoreRefusal, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

TEST(StoreBackupFile, ABackupNeverOverwritesAFile) {
  TestRecord source(Engine::sqlite);
  std::unique_ptr<store::Store> original = source.open();
  TempDir folder;
  write_text_file(folder / "existing", "precious");
  EXPECT_THROW(store::backup_store(*original, folder / "existing"), InputError);
  EXPECT_EQ(read_text_file(folder / "existing"), "precious");
}

}  // namespace
}  // namespace scarscope::test
