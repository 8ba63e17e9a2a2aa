// Concurrency: 4 threads each writing 1,000 treatment sessions with an audit entry each, into one
// clinic, on each engine: nothing lost, no SQLITE_BUSY (or any error) reaching the caller, and the
// audit chain they all extended still verifies. SQLite's group commit returns no write before the
// fsync that covers it.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
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

// SQLite's group commit: connections commit with synchronous=NORMAL and the store fsyncs the WAL
// once for the writes committed meanwhile. A write must still return only after an fsync that began
// after its COMMIT has ended (then it survives a power cut, as with synchronous=FULL). The order is
// seen through the store's fault points, from 4 threads writing at once.
TEST(StoreGroupCommit, SqliteWriteReturnsOnlyAfterAnFsyncBegunAfterItsCommit) {
  constexpr int threads = 4;
  constexpr int writes_each = 60;
  TestRecord record(Engine::sqlite);
  struct Event {
    std::string point;
    std::thread::id thread;
  };
  std::mutex events_mutex;
  std::vector<Event> events;
  auto note = [&](std::string_view point) {
    std::lock_guard lock(events_mutex);
    events.push_back({std::string(point), std::this_thread::get_id()});
  };
  store::StoreOptions options;
  options.fault_hook = [&](std::string_view point) {
    if (point == "transaction.committed" || point == "sqlite.sync_begin" || point == "sqlite.sync_end") note(point);
  };
  std::unique_ptr<store::Store> store = record.open(options);
  const ClinicFixture clinic = make_clinic(*store, "Group Commit Clinic");
  const clinic::Patient patient = make_patient(*store, clinic, "patient");
  {
    std::lock_guard lock(events_mutex);
    events.clear();
  }
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < writes_each; ++i) {
        store->write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
          tx.append_audit(store::AuditEvent{clinic.clinician.id, clinic::AuditAction::read, "patient", patient.id,
                                            patient.id, "writer " + std::to_string(t)});
        });
        note("returned");
      }
    });
  }
  for (auto& writer : writers) writer.join();

  // For each write: its commit (on its thread), then a sync_begin, its sync_end, then its return.
  int writes_checked = 0;
  int syncs = 0;
  for (std::size_t c = 0; c < events.size(); ++c) {
    if (events[c].point == "sqlite.sync_begin") ++syncs;
    if (events[c].point != "transaction.committed") continue;
    std::size_t returned = c + 1;
    while (returned < events.size() &&
           !(events[returned].point == "returned" && events[returned].thread == events[c].thread))
      ++returned;
    ASSERT_LT(returned, events.size()) << "a write never returned";
    bool synced = false;
    for (std::size_t s = c + 1; s < returned && !synced; ++s) {
      if (events[s].point != "sqlite.sync_begin") continue;
      for (std::size_t e = s + 1; e < returned; ++e) {
        if (events[e].point == "sqlite.sync_end") {
          synced = true;
          break;
        }
      }
    }
    EXPECT_TRUE(synced) << "write " << writes_checked << " returned before an fsync begun after its commit ended";
    ++writes_checked;
  }
  EXPECT_EQ(writes_checked, threads * writes_each);
  EXPECT_GT(syncs, 0);
  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  EXPECT_GE(counts.at("audit_entries"), threads * writes_each);
}

// SQLite's WAL is copied into the database by a checkpointer thread of the store, not by the
// committing writer (SQLite's automatic checkpoint runs inside the commit that passes 1,000 WAL
// frames, holding the write lock: every write queued behind it waited for the copy and its
// fsyncs). Here the checkpoint is held at its start while writes go on and return; released, it
// copies the WAL, the next write restarts it from its start, and the record still verifies.
TEST(StoreCheckpoint, SqliteCheckpointsBesideTheWriterAndTheWalRestarts) {
  TestRecord record(Engine::sqlite);
  std::mutex mutex;
  std::condition_variable changed;
  bool checkpoint_started = false;
  bool checkpoint_may_go = false;
  int checkpoints_ended = 0;
  bool wal_restarted = false;
  std::thread::id checkpoint_thread;
  store::StoreOptions options;
  options.fault_hook = [&](std::string_view point) {
    std::unique_lock lock(mutex);
    if (point == "sqlite.checkpoint_begin") {
      checkpoint_started = true;
      checkpoint_thread = std::this_thread::get_id();
      changed.notify_all();
      changed.wait(lock, [&] { return checkpoint_may_go; });
    } else if (point == "sqlite.checkpoint_end") {
      ++checkpoints_ended;
      changed.notify_all();
    } else if (point == "sqlite.wal_restarted") {
      wal_restarted = true;
      changed.notify_all();
    }
  };
  std::unique_ptr<store::Store> store = record.open(options);
  const ClinicFixture clinic = make_clinic(*store, "Checkpoint Clinic");
  const clinic::Patient patient = make_patient(*store, clinic, "patient");
  const std::string detail(900, 'x');
  auto write_entries = [&](int count) {
    store->write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
      std::vector<store::AuditEvent> events;
      for (int i = 0; i < count; ++i)
        events.push_back({clinic.clinician.id, clinic::AuditAction::read, "patient", patient.id, patient.id, detail});
      tx.append_audit(std::span<const store::AuditEvent>(events));
    });
  };
  // About 4 entries of 1 KB per 4 KiB page: 5,000 entries fill well over 1,000 WAL frames.
  int writes = 0;
  while (true) {
    write_entries(250);
    ++writes;
    std::lock_guard lock(mutex);
    if (checkpoint_started) break;
    ASSERT_LT(writes, 200) << "no checkpoint was asked for after " << writes * 250 << " entries";
  }
  EXPECT_NE(checkpoint_thread, std::this_thread::get_id()) << "the writer ran the checkpoint itself";
  // The checkpoint is held: writes still commit and return (they would wait if the writer ran it).
  for (int i = 0; i < 20; ++i) write_entries(250);
  {
    std::unique_lock lock(mutex);
    EXPECT_EQ(checkpoints_ended, 0);
    checkpoint_may_go = true;
    changed.notify_all();
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(120), [&] { return checkpoints_ended > 0; }))
        << "the checkpoint did not end";
  }
  // Once the WAL is entirely in the database, the next write starts it again from its beginning
  // (the store sees SQLite's count of WAL frames fall after a commit).
  int singles = 0;
  while (true) {
    write_entries(1);
    ++singles;
    std::unique_lock lock(mutex);
    if (wal_restarted) break;
    ASSERT_LT(singles, 50) << "the WAL never restarted";
    const int ended = checkpoints_ended;
    // The last checkpoint left frames behind (copied while writes went on): the writes ask again.
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(120), [&] { return checkpoints_ended > ended || wal_restarted; }))
        << "no checkpoint followed";
  }
  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  EXPECT_EQ(counts.at("audit_entries"), (writes + 20) * 250 + singles);
  EXPECT_TRUE(store::check_store(*store).clean());
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConcurrency, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
