// The read audit queue is bounded: when entries cannot be written (here: a write transaction held
// open, as a stuck database would), reads wait for room and are then refused as unavailable, and
// the queue never holds more than its bound. Once the database moves again, every read that was
// answered has its entry.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "server/audit_writer.h"
#include "server_test_support.h"
#include "store/store_error.h"

namespace scarscope::test {
namespace {

TEST(AuditQueue, ReadsWaitForRoomAndAreRefusedWhileTheDatabaseIsStuck) {
  TestRecord record(store::Engine::sqlite);
  auto store = record.open();
  const ClinicStaff staff = add_clinic_with_staff(*store, "North");
  const std::string clinic_id = staff.clinic.id;

  std::promise<void> holding;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread blocker([&] {
    store->write(clinic_id, [&](store::ClinicWriter&) {
      holding.set_value();
      released.wait();
    });
  });
  holding.get_future().wait();

  constexpr std::size_t max_batch = 2;
  constexpr std::size_t max_queued = 2;
  int answered = 0;
  std::string refusal;
  {
    server::AuditWriter writer(*store, std::chrono::milliseconds(1), max_batch, max_queued,
                               std::chrono::milliseconds(200));
    for (int read = 0; read < 20 && refusal.empty(); ++read) {
      try {
        writer.record(clinic_id, store::AuditEvent{staff.clinician.id, clinic::AuditAction::read, "patient",
                                                   "p" + std::to_string(read), "p" + std::to_string(read), ""});
        ++answered;
        EXPECT_LE(writer.pending(), max_queued + max_batch);
      } catch (const store::StoreUnavailableError& e) {
        refusal = e.what();
      }
    }
    EXPECT_NE(refusal.find("the audit trail is behind"), std::string::npos) << "no read was refused";
    // The writer holds one batch, the queue the rest: the reads beyond were refused.
    EXPECT_LE(answered, static_cast<int>(max_queued + max_batch));
    EXPECT_GE(writer.waited_for_room(), 1u);
    release.set_value();
    blocker.join();
    writer.flush();
    EXPECT_EQ(writer.pending(), 0u);
  }
  // Every answered read is in the audit trail, no refused one is.
  store::AuditQuery query;
  query.page.limit = 100;
  const auto entries = store->read(clinic_id, [&](const store::ClinicReader& tx) { return tx.audit_entries(query).items; });
  int reads = 0;
  for (const clinic::AuditEntry& entry : entries)
    if (entry.action == clinic::AuditAction::read) ++reads;
  EXPECT_EQ(reads, answered);
}

}  // namespace
}  // namespace scarscope::test
