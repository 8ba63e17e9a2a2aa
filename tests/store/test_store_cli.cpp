// The record verbs as a user runs them: init, users add (password on standard input) / list /
// disable, backup, restore into PostgreSQL, fsck.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "clinic/ids.h"
#include "store/sqlite_layout.h"
#include "store/store.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

// A new, empty PostgreSQL database on the test server, dropped afterwards; its superuser URL.
class ScratchDatabase {
 public:
  ScratchDatabase() : name_("scarscope_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++)) {
    postgres_admin_execute("postgres", "CREATE DATABASE " + name_);
    const std::string admin = postgres_admin_url();
    url_ = admin.substr(0, admin.rfind('/') + 1) + name_;
  }
  ~ScratchDatabase() { postgres_admin_execute("postgres", "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  static inline int counter_ = 0;
  std::string name_;
  std::string url_;
};

TEST(RecordCli, AClinicIsSetUpBackedUpMovedToPostgresAndChecked) {
  RecordFolder folder;
  const std::string data = "--data " + quoted(folder.path() / "record");
  CommandResult result = run_cli("init " + data);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string version = "schema version " + std::to_string(store::Store::latest_schema_version(store::Engine::sqlite));
  EXPECT_NE(result.out.find(version), std::string::npos) << result.out;

  result = run_cli_with_input("users add --clinic 'Skin Clinic' --email Admin@Skin.example --role admin --name 'Ada' " + data,
                              "a long enough secret\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("a new clinic"), std::string::npos) << result.out;
  result = run_cli_with_input("users add --clinic 'Skin Clinic' --email dr@skin.example --role clinician " + data,
                              "another long secret\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;

  result = run_cli("users list --json " + data);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json users = nlohmann::json::parse(result.out)["users"];
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0]["email"], "admin@skin.example");
  EXPECT_EQ(users[0]["role"], "admin");
  EXPECT_EQ(users[0]["clinic"], "Skin Clinic");
  EXPECT_EQ(result.out.find("secret"), std::string::npos);
  EXPECT_EQ(result.out.find("argon2"), std::string::npos) << "the password hash was shown";

  result = run_cli("users disable --email dr@skin.example " + data);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = run_cli("users list --json " + data);
  const nlohmann::json users_now = nlohmann::json::parse(result.out)["users"];
  EXPECT_TRUE(users_now[1]["disabled"].get<bool>());

  TempDir backups;
  result = run_cli("backup " + quoted(backups / "skin.tar") + " " + data);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = run_cli("backup " + quoted(backups / "skin.tar") + " " + data);
  EXPECT_EQ(result.exit_code, 2) << "a backup overwrote a file";

  ScratchDatabase database;
  result = run_cli("restore " + quoted(backups / "skin.tar") + " --db '" + database.url() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = run_cli("users list --json --db '" + database.url() + "'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["users"], users_now);  // the same users, ids and times
  result = run_cli("fsck --json --db '" + database.url() + "'");
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(nlohmann::json::parse(result.out)["clean"].get<bool>()) << result.out;
  // Restoring again into the now full database is refused.
  result = run_cli("restore " + quoted(backups / "skin.tar") + " --db '" + database.url() + "'");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("already holds records"), std::string::npos) << result.err;
}

TEST(RecordCli, APasswordThatBreaksTheRulesStoresNothing) {
  RecordFolder folder;
  const std::string data = "--data " + quoted(folder.path() / "record");
  ASSERT_EQ(run_cli("init " + data).exit_code, 0);
  CommandResult result = run_cli_with_input("users add --clinic C --email a@c.example --role admin " + data, "short\n");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("password"), std::string::npos) << result.err;
  result = run_cli_with_input("users add --clinic C --email a@c.example --role emperor " + data, "long enough password\n");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--role"), std::string::npos) << result.err;
  result = run_cli("users list --json " + data);
  EXPECT_TRUE(nlohmann::json::parse(result.out)["users"].empty());
  EXPECT_EQ(run_cli("users list " + data + " --clinic C").out, "No users in C.\n");
}

TEST(RecordCli, FsckSaysWhenTheAuditTrailWasTamperedWith) {
  RecordFolder folder;
  const std::string data = "--data " + quoted(folder.path() / "record");
  ASSERT_EQ(run_cli("init " + data).exit_code, 0);
  ASSERT_EQ(run_cli_with_input("users add --clinic C --email a@c.example --role admin " + data, "long enough password\n").exit_code, 0);
  ASSERT_EQ(run_cli_with_input("users add --clinic C --email b@c.example --role admin " + data, "long enough password\n").exit_code, 0);
  sqlite_execute(folder.path() / "record" / "scarscope.db",
                 "DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET detail = 'nothing to see' WHERE sequence = 1");
  const CommandResult result = run_cli("fsck " + data);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("entry 1: its hash does not match its fields"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("DAMAGED"), std::string::npos) << result.out;
}

// Each kind of damage fsck looks for, one at a time, seen by a user as exit status 1 and a line
// naming what is wrong; the intact record before it exits 0 and says "clean".
TEST(RecordCli, FsckExitsNonZeroForADeletedAuditEntryAMissingBlobAndAChangedBlob) {
  TestRecord record(store::Engine::sqlite);
  Random random(40);
  ClinicRecords alder;
  std::vector<clinic::Scan> scans;
  {
    std::unique_ptr<store::Store> store = record.open();
    alder = fill_clinic(*store, "Alder", random);
    ASSERT_GE(alder.scans.size(), 2u);
    for (int i = 0; i < 2; ++i) {
      scans.push_back(*store->read(alder.fixture.clinic.id, [&](const store::ClinicReader& tx) { return tx.scan(alder.scans[i]); }));
    }
  }
  const std::filesystem::path data_dir = record.location().data_dir;
  const std::string data = "--data " + quoted(data_dir);
  CommandResult result = run_cli("fsck " + data);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("clean."), std::string::npos) << result.out;

  const store::SqliteLayout layout(data_dir);
  const std::string kept = read_text_file(layout.blob_path(scans[0].sha256));
  write_text_file(layout.blob_path(scans[0].sha256), std::string(kept.size(), '!'));
  result = run_cli("fsck " + data);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("blob " + scans[0].sha256 + " does not match its hash"), std::string::npos) << result.out;
  write_text_file(layout.blob_path(scans[0].sha256), kept);
  ASSERT_EQ(run_cli("fsck " + data).exit_code, 0);

  std::filesystem::rename(layout.blob_path(scans[1].sha256), data_dir / "aside");
  result = run_cli("fsck --json " + data);
  EXPECT_EQ(result.exit_code, 1);
  const nlohmann::json report = nlohmann::json::parse(result.out);
  EXPECT_TRUE(report["errors"].get<bool>());
  ASSERT_FALSE(report["findings"].empty());
  EXPECT_EQ(report["findings"][0]["check"], "blobs");
  EXPECT_NE(report["findings"][0]["what"].get<std::string>().find(scans[1].sha256), std::string::npos) << result.out;
  std::filesystem::rename(data_dir / "aside", layout.blob_path(scans[1].sha256));
  ASSERT_EQ(run_cli("fsck " + data).exit_code, 0);

  sqlite_execute(data_dir / "scarscope.db",
                 "DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE chain = '" +
                     alder.fixture.clinic.id + "' AND sequence = 2");
  result = run_cli("fsck " + data);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("entry 2 is missing"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("DAMAGED"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace scarscope::test
