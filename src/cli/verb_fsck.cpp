// `scarscope fsck [--repair] [--data DIR | --db URL]`: checks the record (foreign keys, blob hashes,
// unreferenced blobs, audit hash chains). Exit 0 when nothing is wrong (warnings are listed), 1 when
// the record is damaged. --repair removes only unreferenced blobs and stray files.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/store_options.h"
#include "cli/verb.h"
#include "store/fsck.h"

namespace scarscope::cli {
namespace {

struct FsckOptions {
  RecordOptions record;
  JsonOutput json;
  bool repair = false;
};

int run_fsck(const FsckOptions& options) {
  const std::unique_ptr<store::Store> store = options.record.open();
  const store::FsckReport report = store::check_store(*store, {.repair = options.repair});
  if (options.json.requested()) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& finding : report.findings) {
      findings.push_back({{"check", finding.check}, {"severity", finding.severity}, {"what", finding.what}});
    }
    options.json.write({{"record", options.record.location().describe()},
                        {"errors", report.has_errors()},
                        {"clean", report.clean()},
                        {"blobs_checked", report.blobs_checked},
                        {"audit_entries_checked", report.audit_entries_checked},
                        {"findings", findings}});
  }
  if (!options.json.to_stdout()) {
    for (const auto& finding : report.findings) {
      std::cout << finding.severity << " [" << finding.check << "] " << finding.what << "\n";
    }
    std::cout << options.record.location().describe() << ": " << report.blobs_checked << " blobs and "
              << report.audit_entries_checked << " audit entries checked; "
              << (report.has_errors() ? "the record is DAMAGED (see the errors above)"
                                      : report.clean() ? "clean" : "no errors")
              << ".\n";
  }
  return report.has_errors() ? 1 : 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<FsckOptions>();
  app.add_flag("--repair", options->repair, "Remove unreferenced blobs (older than an hour) and stray files");
  options->record.add_to(app);
  options->json.add_to(app);
  return [options] { return run_fsck(*options); };
}

const VerbRegistrar registrar{{"fsck", "Check the record: foreign keys, blob hashes, orphans, audit chains", 240, setup}};

}  // namespace
}  // namespace scarscope::cli
