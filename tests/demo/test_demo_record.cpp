// The demo record: what `./run demo` says it made is in the record (on both engines), read back
// through the store; a second run leaves the record exactly as it was; the CLI verb prints the
// data folder and the demo login.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "clinic/ids.h"
#include "clinic/password.h"
#include "clinic/patient_profile_parts.h"
#include "clinic/treatment_vocabulary.h"
#include "demo/demo_record.h"
#include "store/backup.h"
#include "store/fsck.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::Engine;

demo::DemoRecordOptions small_demo() {
  demo::DemoRecordOptions options;
  options.kb_dir = std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "kb";
  options.today = CalendarDate::parse("2026-12-01", "today");
  options.scan_size_mm = 20.0;  // the demo's own 40 mm scans, smaller: the same steps in less time
  return options;
}

class DemoRecord : public ::testing::TestWithParam<Engine> {};

TEST_P(DemoRecord, HoldsWhatTheDemoSaysAndIsMadeOnce) {
  TestRecord record(GetParam());
  std::unique_ptr<store::Store> store = record.open();
  const demo::DemoRecord made = demo::create_demo_record(*store, small_demo());
  ASSERT_TRUE(made.created);

  // The login works: a clinician of the demo clinic whose password is the one printed.
  const auto user = store->read_system([](store::SystemReader& tx) { return tx.user_by_email(demo::kDemoLoginEmail); });
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->clinic_id, made.clinic_id);
  EXPECT_EQ(user->role, clinic::Role::clinician);
  EXPECT_FALSE(user->disabled);
  EXPECT_TRUE(clinic::verify_password(user->password_hash, made.login_password));
  const auto clinic = store->read_system([](store::SystemReader& tx) { return tx.clinic_by_name(demo::kDemoClinicName); });
  ASSERT_TRUE(clinic.has_value());
  EXPECT_EQ(clinic->id, made.clinic_id);

  store->read(made.clinic_id, [&](const store::ClinicReader& tx) {
    const auto patient = tx.patient(made.patient_id);
    ASSERT_TRUE(patient.has_value());
    EXPECT_EQ(patient->identifier, demo::kDemoPatientIdentifier);
    EXPECT_TRUE(clinic::missing_profile_fields(*patient).empty()) << "the planning profile is not complete";
    EXPECT_EQ(tx.consents(made.patient_id).size(), 2u);

    // Three visits of the left cheek, the last one on the demo's day.
    const auto visits = tx.visits(made.patient_id);
    ASSERT_EQ(visits.size(), 3u);
    for (const auto& visit : visits) EXPECT_EQ(visit.region, clinic::Region::left_cheek);
    EXPECT_LT(visits[0].date, visits[1].date);
    EXPECT_LT(visits[1].date, visits[2].date);
    EXPECT_EQ(visits[2].date, small_demo().today);

    // One scan per visit, its bytes under their hash, analysed: the stored analysis is the
    // library's document for that very file, with as many scars as the demo reported.
    const auto scans = tx.scans_of_patient(made.patient_id);
    ASSERT_EQ(scans.size(), 3u);
    ASSERT_EQ(made.scar_counts.size(), 3u);
    for (std::size_t v = 0; v < scans.size(); ++v) {
      EXPECT_EQ(scans[v].visit_id, visits[v].id);
      const std::vector<std::byte> bytes = tx.scan_file(scans[v].id);
      EXPECT_EQ(clinic::sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())),
                scans[v].sha256);
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), 2), "PK") << "an X3P file is a zip archive";
      const auto assessment = tx.latest_assessment_of_scan(scans[v].id);
      ASSERT_TRUE(assessment.has_value());
      const nlohmann::json analysis = nlohmann::json::parse(assessment->analysis.json);
      EXPECT_EQ(analysis["scan"]["file"], scans[v].file_name) << analysis["scan"].dump();
      EXPECT_EQ(analysis["scars"].size(), made.scar_counts[v]);
      EXPECT_EQ(assessment->analysis.version, analysis["scarscope"]["version"].get<std::string>());
    }
    EXPECT_GT(made.scar_counts[0], 0u) << "the baseline cheek has scars to treat";

    // The follow-ups compared with the baseline.
    const auto comparisons = tx.comparisons_of_patient(made.patient_id);
    ASSERT_EQ(comparisons.size(), 2u);
    std::set<std::string> followups;
    for (const auto& comparison : comparisons) {
      EXPECT_EQ(comparison.baseline_scan_id, scans[0].id);
      followups.insert(comparison.followup_scan_id);
      EXPECT_TRUE(nlohmann::json::parse(comparison.result.json).contains("scarscope"));
    }
    EXPECT_EQ(followups, (std::set<std::string>{scans[1].id, scans[2].id}));

    // The plan made at the baseline, accepted by the demo clinician.
    const auto plans = tx.plans_of_patient(made.patient_id);
    ASSERT_EQ(plans.size(), 1u);
    EXPECT_EQ(plans[0].visit_id, visits[0].id);
    EXPECT_EQ(plans[0].status, clinic::PlanStatus::accepted);
    EXPECT_EQ(plans[0].accepted_by, user->id);
    EXPECT_TRUE(nlohmann::json::parse(plans[0].proposal.json).contains("stages"));

    // Two sessions of the plan between the visits, their parameters within kb's ranges.
    const auto sessions = tx.treatment_sessions(made.patient_id);
    ASSERT_EQ(sessions.size(), 2u);
    const auto vocabulary = clinic::read_treatment_vocabulary(small_demo().kb_dir);
    for (std::size_t s = 0; s < 2; ++s) {
      EXPECT_EQ(sessions[s].plan_id, plans[0].id);
      EXPECT_EQ(sessions[s].modality, made.session_modality);
      EXPECT_EQ(sessions[s].date, visits[s].date);
      EXPECT_NO_THROW(vocabulary.check_session(sessions[s].modality, sessions[s].parameters));
    }
    // One adverse event after the first session, resolved.
    const auto events = tx.adverse_events_of_patient(made.patient_id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].session_id, sessions[0].id);
    EXPECT_EQ(events[0].kind, clinic::AdverseEventKind::erythema);
    EXPECT_TRUE(events[0].resolved.has_value());
    EXPECT_GT(events[0].onset, sessions[0].date);

    // Who made it all is in the clinic's audit trail.
    store::AuditQuery everything;
    everything.patient_id = made.patient_id;
    EXPECT_GE(tx.audit_entries(everything).items.size(), 15u);
  });
  const store::FsckReport report = store::check_store(*store);
  EXPECT_TRUE(report.clean()) << (report.findings.empty() ? "" : report.findings.front().what);

  // Made once: a second run finds the demo clinic and changes nothing.
  const auto before = store::dump_record_tables(*store);
  const demo::DemoRecord again = demo::create_demo_record(*store, small_demo());
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.clinic_id, made.clinic_id);
  EXPECT_EQ(again.patient_id, made.patient_id);
  EXPECT_EQ(again.user_id, made.user_id);
  EXPECT_EQ(store::dump_record_tables(*store), before);
}

INSTANTIATE_TEST_SUITE_P(Engines, DemoRecord, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

TEST(DemoRecordCli, PrintsTheDataFolderAndTheLoginAndRunsTwice) {
  RecordFolder folder;
  const std::filesystem::path data = folder.path() / "scarscope-data";
  const std::string args = "demo-record --data '" + data.string() + "' --date 2026-12-01 --scan-size-mm 20";
  CommandResult result = run_cli(args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("The demo record is in " + data.string()), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(std::string("Demo login: ") + demo::kDemoLoginEmail + " / " + demo::kDemoLoginPassword),
            std::string::npos)
      << result.out;
  EXPECT_TRUE(std::filesystem::exists(data / "scarscope.db"));
  EXPECT_EQ(run_cli("fsck --data '" + data.string() + "'").exit_code, 0);

  result = run_cli(args + " --json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json again = nlohmann::json::parse(result.out);
  EXPECT_FALSE(again["created"].get<bool>());
  EXPECT_EQ(again["login"]["email"], demo::kDemoLoginEmail);
  const nlohmann::json users = nlohmann::json::parse(run_cli("users list --json --data '" + data.string() + "'").out)["users"];
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["email"], demo::kDemoLoginEmail);
}

}  // namespace
}  // namespace scarscope::test
