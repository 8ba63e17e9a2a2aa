// What the server keeps in the record for logins: sessions by token hash (expiring, revocable, any
// server can check them), login attempts for rate limits, disabled users, and the record-wide
// audit chain for events outside a clinic.
#include <gtest/gtest.h>

#include "clinic/ids.h"
#include "clinic/password.h"
#include "core/error.h"
#include "store/fsck.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using namespace std::chrono_literals;
using store::Engine;
using store::SystemWriter;

class StoreAuth : public ::testing::TestWithParam<Engine> {
 protected:
  TestRecord record{GetParam()};
  std::unique_ptr<store::Store> store = record.open();
  ClinicFixture clinic = make_clinic(*store, "Login Clinic");
  std::optional<store::ActiveSession> active(const std::string& token) {
    return store->read_system([&](store::SystemReader& tx) { return tx.active_session(clinic::session_token_hash(token)); });
  }
};

TEST_P(StoreAuth, ASessionIsFoundByItsTokenUntilItExpiresOrIsRevoked) {
  const std::string token = clinic::new_session_token();
  EXPECT_EQ(token.size(), 43u);
  const clinic::AuthSession session = store->write_system([&](SystemWriter& tx) {
    return tx.create_auth_session(clinic.clinician.id, clinic::session_token_hash(token), record.clock().now() + 8h);
  });
  EXPECT_EQ(session.clinic_id, clinic.clinic.id);
  EXPECT_NE(session.token_hash, token);  // only the hash is kept
  const auto found = active(token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user.id, clinic.clinician.id);
  EXPECT_EQ(found->session.id, session.id);
  EXPECT_FALSE(active(clinic::new_session_token()));

  record.clock().advance(8h);
  EXPECT_FALSE(active(token)) << "an expired session still worked";

  const std::string second = clinic::new_session_token();
  store->write_system([&](SystemWriter& tx) {
    tx.create_auth_session(clinic.clinician.id, clinic::session_token_hash(second), record.clock().now() + 8h);
  });
  EXPECT_TRUE(active(second));
  EXPECT_TRUE(store->write_system([&](SystemWriter& tx) { return tx.revoke_auth_session(clinic::session_token_hash(second)); }));
  EXPECT_FALSE(active(second)) << "logout did not end the session";
  EXPECT_EQ(store->write_system([](SystemWriter& tx) { return tx.delete_expired_auth_sessions(); }), 2);
}

TEST_P(StoreAuth, DisablingAUserEndsTheirSessions) {
  const std::string token = clinic::new_session_token();
  store->write_system([&](SystemWriter& tx) {
    tx.create_auth_session(clinic.clinician.id, clinic::session_token_hash(token), record.clock().now() + 8h);
  });
  EXPECT_TRUE(store->write_system([&](SystemWriter& tx) { return tx.set_user_disabled(clinic.clinician.id, true); }));
  EXPECT_FALSE(active(token));
  EXPECT_TRUE(store->read_system([&](store::SystemReader& tx) { return tx.user(clinic.clinician.id)->disabled; }));
  EXPECT_FALSE(store->write_system([&](SystemWriter& tx) { return tx.set_user_disabled("AAAAAAAAAAAAAAAAAAAAAA", true); }));
}

TEST_P(StoreAuth, FailedLoginsAreCountedPerAccountAndPerAddressWithinAWindow) {
  const auto attempt = [&](const std::string& email, const std::string& address, bool ok) {
    store->write_system([&](SystemWriter& tx) { tx.record_login_attempt({email, address, record.clock().now(), ok}); });
    record.clock().advance(1s);
  };
  const clinic::Timestamp start = record.clock().now();
  attempt("a@clinic.example", "10.0.0.1", false);
  attempt("a@clinic.example", "10.0.0.2", false);
  attempt("b@clinic.example", "10.0.0.1", false);
  attempt("a@clinic.example", "10.0.0.1", true);
  const auto counts = store->read_system([&](store::SystemReader& tx) {
    return std::make_pair(tx.failed_logins_for_email("a@clinic.example", start),
                          tx.failed_logins_from_address("10.0.0.1", start));
  });
  EXPECT_EQ(counts.first, 2);
  EXPECT_EQ(counts.second, 2);
  EXPECT_EQ(store->read_system([&](store::SystemReader& tx) {
    return tx.failed_logins_for_email("a@clinic.example", start + 1s);
  }), 1);
  EXPECT_EQ(store->write_system([&](SystemWriter& tx) { return tx.delete_login_attempts_before(start + 2s); }), 2);
}

TEST_P(StoreAuth, UsersAreFoundByEmailWhateverItsCase) {
  const std::string email = clinic.clinician.email;
  std::string shouted = email;
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto found = store->read_system([&](store::SystemReader& tx) { return tx.user_by_email(" " + shouted); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, clinic.clinician.id);
  EXPECT_TRUE(clinic::verify_password(found->password_hash, "correct horse battery staple"));
  EXPECT_FALSE(clinic::verify_password(found->password_hash, "correct horse battery stapler"));
  EXPECT_FALSE(store->read_system([&](store::SystemReader& tx) { return tx.user_by_email("not an email"); }));
}

TEST_P(StoreAuth, EventsOutsideAnyClinicGoToTheRecordWideChain) {
  const clinic::AuditEntry first = store->write_system([](SystemWriter& tx) {
    return tx.append_audit("", {"", clinic::AuditAction::login_failed, "user", "", "", "unknown email"});
  });
  const clinic::AuditEntry second = store->write_system([&](SystemWriter& tx) {
    return tx.append_audit(clinic.clinic.id, {clinic.clinician.id, clinic::AuditAction::login, "user", clinic.clinician.id, "", ""});
  });
  EXPECT_EQ(first.clinic_id, "");
  EXPECT_EQ(first.sequence, 1);
  EXPECT_EQ(second.clinic_id, clinic.clinic.id);
  EXPECT_EQ(second.sequence, 1);
  const auto seen = store->read(clinic.clinic.id, [](const store::ClinicReader& tx) { return tx.audit_entries({}); });
  ASSERT_EQ(seen.total, 1);
  EXPECT_EQ(seen.items[0].action, clinic::AuditAction::login);
  EXPECT_TRUE(store::check_store(*store).clean());
}

TEST_P(StoreAuth, TheAuditTrailIsFilteredByPatientUserAndTimeNewestFirst) {
  const clinic::Patient a = make_patient(*store, clinic, "a");
  const clinic::Patient b = make_patient(*store, clinic, "b");
  for (int i = 0; i < 5; ++i) {
    store->write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
      const store::AuditEvent events[] = {{clinic.clinician.id, clinic::AuditAction::read, "patient", a.id, a.id, ""},
                                          {"someone", clinic::AuditAction::export_, "patient", b.id, b.id, "csv"}};
      tx.append_audit(events);
    });
    record.clock().advance(1min);
  }
  store::AuditQuery query;
  query.patient_id = a.id;
  query.page = {2, 0};
  const auto page = store->read(clinic.clinic.id, [&](const store::ClinicReader& tx) { return tx.audit_entries(query); });
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_GT(page.items[0].at, page.items[1].at);
  store::AuditQuery by_user;
  by_user.user_id = "someone";
  by_user.from = test_start_time() + 2min;
  const auto exports = store->read(clinic.clinic.id, [&](const store::ClinicReader& tx) { return tx.audit_entries(by_user); });
  EXPECT_EQ(exports.total, 3);
  for (const auto& entry : exports.items) EXPECT_EQ(entry.action, clinic::AuditAction::export_);
}

// Audit ids begin with their time (so entries are appended at the end of the primary key's index
// instead of on a random page each) and are still record ids with 84 random bits: later entries'
// ids sort after earlier ones, also within one batch's millisecond they differ.
TEST_P(StoreAuth, AuditIdsAreRecordIdsOrderedByTime) {
  const clinic::Patient patient = make_patient(*store, clinic, "ordered");
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    const auto entries = store->write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
      const store::AuditEvent events[] = {{clinic.clinician.id, clinic::AuditAction::read, "patient", patient.id, patient.id, ""},
                                          {clinic.clinician.id, clinic::AuditAction::read, "patient", patient.id, patient.id, ""}};
      return tx.append_audit(events);
    });
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_NE(entries[0].id, entries[1].id);
    EXPECT_EQ(entries[0].id.substr(0, 8), entries[1].id.substr(0, 8)) << "one time, one prefix";
    ids.push_back(entries[0].id);
    record.clock().advance(std::chrono::milliseconds(1 + 997 * (i % 3)));  // steps of 1 ms and of about 1 s
  }
  for (const std::string& id : ids) EXPECT_TRUE(clinic::is_record_id(id)) << id;
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]) << "entry " << i;
  // Each id is stored as returned, and the chain still verifies.
  const auto seen = store->read(clinic.clinic.id, [&](const store::ClinicReader& tx) {
    store::AuditQuery query;
    query.patient_id = patient.id;
    query.page = {100, 0};
    return tx.audit_entries(query);
  });
  EXPECT_EQ(seen.total, 80);
  for (const auto& entry : seen.items) EXPECT_TRUE(clinic::is_record_id(entry.id));
  EXPECT_NE(std::find_if(seen.items.begin(), seen.items.end(), [&](const auto& entry) { return entry.id == ids.front(); }),
            seen.items.end());
  EXPECT_TRUE(store::check_store(*store).clean());
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreAuth, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
