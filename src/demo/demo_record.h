// The demo clinic record (`scarscope demo-record`, step 7 of `./run demo`): a demo clinic with a
// clinician login, one patient with a complete planning profile, three visits of the left cheek
// (a baseline and two follow-ups after treatment, synthetic scans made with the synth part's
// follow-up generator), each scan analysed through analyze_scan, the follow-ups compared with the
// baseline, a plan made at the baseline and accepted, the sessions given between the visits and
// one adverse event. Everything goes through the library and the store, never the CLI.
//
// Made once: a record that already holds the demo clinic is left exactly as it is (the result
// says so and names what is there), so `./run demo` can run any number of times.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "planning/calendar_date.h"

namespace scarscope::store {
class Store;
}

namespace scarscope::demo {

// The demo's fixed names (a demo login is public by design: the record holds no real patient).
inline constexpr const char* kDemoClinicName = "ScarScope Demo Clinic";
inline constexpr const char* kDemoLoginEmail = "demo@scarscope.example";
inline constexpr const char* kDemoLoginPassword = "scarscope-demo";
inline constexpr const char* kDemoPatientIdentifier = "DEMO-001";

struct DemoRecordOptions {
  std::filesystem::path kb_dir;         // grading, treatments, planning rules, session parameters
  CalendarDate today = CalendarDate::today();  // the last follow-up's date; the rest go back from it
  double scan_size_mm = 40.0;           // each synthetic scan is this wide and high
  double spacing_um = 20.0;
  std::function<void(const std::string&)> progress;  // one line per step, for people
};

struct DemoRecord {
  bool created = false;  // false: the record already held the demo clinic and was not changed
  std::string clinic_id;
  std::string clinic_name = kDemoClinicName;
  std::string login_email = kDemoLoginEmail;
  std::string login_password = kDemoLoginPassword;
  std::string user_id;
  std::string patient_id;
  // Filled when created (oldest first).
  std::vector<std::string> visit_ids, scan_ids, assessment_ids, comparison_ids, session_ids;
  std::string plan_id;
  std::string adverse_event_id;
  std::vector<std::size_t> scar_counts;  // scars each analysis found, per visit
  std::string session_modality;
};

// Builds the demo record in `store` (see above). Throws InputError when the knowledge base is
// missing or wrong; the record is unchanged unless the demo clinic was created.
DemoRecord create_demo_record(store::Store& store, const DemoRecordOptions& options);

}  // namespace scarscope::demo
