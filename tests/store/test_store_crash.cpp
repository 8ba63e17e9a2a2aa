// Crash safety: a process storing a scan, or writing a multi-row transaction, is killed with SIGKILL
// at chosen points (and at an arbitrary moment of a stream of writes). After reopening there is no
// partial scan, no referenced blob is missing, fsck finds no error (an interrupted upload may leave
// an unreferenced blob, which fsck --repair removes), and every committed record is present.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "store/fsck.h"
#include "store_test_support.h"

extern char** environ;

namespace scarscope::test {
namespace {

using store::Engine;

// The child process, its standard output as lines.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int out[2], in[2];
    if (::pipe(out) != 0 || ::pipe(in) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + args[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(in[0]);
    input_ = in[1];  // held open, never written: the child blocks reading it
    output_ = ::fdopen(out[0], "r");
  }
  ~Child() {
    kill();
    if (output_) std::fclose(output_);
    ::close(input_);
  }
  // The next line, without its newline; "" when the child's output ended.
  std::string line() {
    char buffer[512];
    if (std::fgets(buffer, sizeof buffer, output_) == nullptr) return {};
    std::string text(buffer);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  // Kills it with SIGKILL and reaps it; true if it died of that signal.
  bool kill() {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

 private:
  pid_t pid_ = 0;
  int input_ = -1;
  std::FILE* output_ = nullptr;
};

std::string describe(const store::FsckReport& report) {
  std::string text;
  for (const auto& finding : report.findings) text += finding.check + "/" + finding.severity + ": " + finding.what + "\n";
  return text;
}

class StoreCrash : public ::testing::TestWithParam<Engine> {
 protected:
  std::vector<std::string> child_args(const std::string& scenario, const std::string& point = "") {
    std::vector<std::string> args = {STORE_CRASH_CHILD, GetParam() == Engine::sqlite ? "sqlite" : "postgres",
                                      GetParam() == Engine::sqlite ? record.location().data_dir.string()
                                                                   : record.location().url,
                                      clinic.clinic.id, clinic.clinician.id, scenario};
    if (!point.empty()) args.push_back(point);
    return args;
  }
  // After the crash: no error, and once the interrupted upload's leftovers are repaired, clean.
  void expect_consistent_after_crash() {
    std::unique_ptr<store::Store> store = record.open();
    const store::FsckReport report = store::check_store(*store);
    EXPECT_FALSE(report.has_errors()) << describe(report);
    for (const auto& finding : report.findings) EXPECT_EQ(finding.check, "orphans") << describe(report);
    const store::FsckReport repaired =
        store::check_store(*store, {.repair = true, .orphan_grace = std::chrono::microseconds(0)});
    EXPECT_FALSE(repaired.has_errors()) << describe(repaired);
    EXPECT_TRUE(store::check_store(*store).clean()) << describe(store::check_store(*store));
  }
  std::int64_t count(const std::string& table) {
    std::unique_ptr<store::Store> store = record.open();
    return store->read_system([](store::SystemReader& tx) { return tx.record_counts(); }).at(table);
  }

  TestRecord record{GetParam()};
  ClinicFixture clinic = [this] {
    std::unique_ptr<store::Store> store = record.open();
    return make_clinic(*store, "Crash Clinic");
  }();
};

TEST_P(StoreCrash, KilledWhileStoringAScanLeavesNoPartialScan) {
  std::vector<std::string> points = {"blob.before_record", "transaction.before_commit"};
  if (GetParam() == Engine::sqlite) points.insert(points.begin(), "blob.before_rename");
  for (const std::string& point : points) {
    SCOPED_TRACE(point);
    Child child(child_args("scan", point));
    ASSERT_EQ(child.line(), "ready");
    ASSERT_EQ(child.line(), "at " + point);
    EXPECT_TRUE(child.kill());
    EXPECT_EQ(count("scans"), 0);
    EXPECT_EQ(count("patients"), 0);
    expect_consistent_after_crash();
  }
}

TEST_P(StoreCrash, KilledBeforeAMultiRowCommitLeavesNoneOfItsRows) {
  Child child(child_args("transaction", "transaction.before_commit"));
  ASSERT_EQ(child.line(), "ready");
  ASSERT_EQ(child.line(), "at transaction.before_commit");
  EXPECT_TRUE(child.kill());
  EXPECT_EQ(count("patients"), 0);
  EXPECT_EQ(count("visits"), 0);
  EXPECT_EQ(count("audit_entries"), 0);
  expect_consistent_after_crash();
  // The record takes writes again (no lock left behind).
  std::unique_ptr<store::Store> store = record.open();
  EXPECT_NO_THROW(make_patient(*store, clinic, "after the crash"));
}

TEST_P(StoreCrash, KilledInTheMiddleOfAStreamOfWritesKeepsEveryCommittedRecord) {
  std::vector<std::string> committed;
  {
    Child child(child_args("stream"));
    ASSERT_EQ(child.line(), "ready");
    while (committed.size() < 6) {
      const std::string line = child.line();
      ASSERT_EQ(line.rfind("committed ", 0), 0u) << line;
      committed.push_back(line.substr(10));
    }
    EXPECT_TRUE(child.kill());  // somewhere in the seventh scan, or between two
  }
  std::unique_ptr<store::Store> store = record.open();
  store->read(clinic.clinic.id, [&](const store::ClinicReader& tx) {
    for (const std::string& patient : committed) {
      EXPECT_TRUE(tx.patient(patient)) << "a committed patient is missing";
      const auto scans = tx.scans_of_patient(patient);
      ASSERT_EQ(scans.size(), 1u);
      EXPECT_EQ(static_cast<std::int64_t>(tx.scan_file(scans[0].id).size()), scans[0].size_bytes);
    }
  });
  expect_consistent_after_crash();
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreCrash, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
