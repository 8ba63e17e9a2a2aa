// `scarscope demo-record [--data DIR | --db URL] [--date YYYY-MM-DD]`: creates the demo clinic
// record (src/demo/demo_record.h) once, and prints where it is and the demo login. A record that
// already holds the demo clinic is left as it is (exit 0, "already there").
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/kb_location.h"
#include "cli/store_options.h"
#include "cli/verb.h"
#include "demo/demo_record.h"
#include "store/store.h"

namespace scarscope::cli {
namespace {

struct DemoRecordOptions {
  RecordOptions record;
  JsonOutput json;
  std::string date;
  double scan_size_mm = 40.0;
};

int run_demo_record(const DemoRecordOptions& options) {
  demo::DemoRecordOptions demo_options;
  demo_options.kb_dir = knowledge_base_dir();
  demo_options.scan_size_mm = options.scan_size_mm;
  if (!options.date.empty()) demo_options.today = CalendarDate::parse(options.date, "--date");
  if (!options.json.to_stdout()) {
    demo_options.progress = [](const std::string& line) { std::cout << "  " << line << "\n" << std::flush; };
  }
  const store::StoreLocation location = options.record.location();
  const std::unique_ptr<store::Store> store = options.record.open(/*create=*/true);
  const demo::DemoRecord made = demo::create_demo_record(*store, demo_options);
  if (options.json.requested()) {
    options.json.write({{"record", location.describe()},
                        {"created", made.created},
                        {"clinic", made.clinic_name},
                        {"clinic_id", made.clinic_id},
                        {"login", {{"email", made.login_email}, {"password", made.login_password}}},
                        {"patient_id", made.patient_id},
                        {"visits", made.visit_ids.size()},
                        {"scans", made.scan_ids.size()},
                        {"scars_per_visit", made.scar_counts},
                        {"comparisons", made.comparison_ids.size()},
                        {"sessions", made.session_ids.size()},
                        {"session_modality", made.session_modality},
                        {"adverse_events", made.adverse_event_id.empty() ? 0 : 1}});
  }
  if (!options.json.to_stdout()) {
    if (made.created) {
      std::cout << "The demo record is in " << location.describe() << ": " << made.clinic_name << ", patient "
                << demo::kDemoPatientIdentifier << " with " << made.visit_ids.size()
                << " analysed visits of the left cheek (scars found:";
      for (const std::size_t count : made.scar_counts) std::cout << " " << count;
      std::cout << "), " << made.comparison_ids.size() << " comparisons with the baseline, an accepted plan, "
                << made.session_ids.size() << " " << made.session_modality << " sessions and 1 adverse event.\n";
    } else {
      std::cout << "The demo record is already in " << location.describe() << " (" << made.clinic_name
                << "); left as it is.\n";
    }
    std::cout << "Demo login: " << made.login_email << " / " << made.login_password << "\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<DemoRecordOptions>();
  options->record.add_to(app);
  app.add_option("--date", options->date, "The last follow-up's date (default: today, UTC)");
  app.add_option("--scan-size-mm", options->scan_size_mm, "Width and height of each synthetic scan (mm)")
      ->check(CLI::Range(10.0, 100.0));
  options->json.add_to(app);
  return [options] { return run_demo_record(*options); };
}

const VerbRegistrar registrar{
    {"demo-record", "Create the demo clinic record (a demo login, a patient, analysed visits, a plan, sessions) once", 250,
     setup}};

}  // namespace
}  // namespace scarscope::cli
