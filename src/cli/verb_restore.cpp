// `scarscope restore ARCHIVE [--data DIR | --db URL]`: a backup into an empty record, of either
// engine (this is how a clinic moves from SQLite to PostgreSQL). Every hash is checked; a damaged
// archive restores nothing.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/store_options.h"
#include "cli/verb.h"
#include "store/backup.h"

namespace scarscope::cli {
namespace {

struct RestoreOptions {
  RecordOptions record;
  JsonOutput json;
  std::string archive;
};

int run_restore(const RestoreOptions& options) {
  const int archive_version = store::read_backup_schema_version(options.archive);
  store::BackupSummary summary;
  {
    // The target is made at the archive's schema version, filled, then upgraded when reopened.
    const std::unique_ptr<store::Store> target = options.record.open(/*create=*/true, archive_version);
    summary = store::restore_store(*target, options.archive);
  }
  const std::unique_ptr<store::Store> upgraded = options.record.open();
  if (options.json.requested()) {
    options.json.write({{"record", options.record.location().describe()},
                        {"schema_version", upgraded->schema_version()},
                        {"rows", summary.rows},
                        {"blobs", summary.blobs}});
  }
  if (!options.json.to_stdout()) {
    std::int64_t rows = 0;
    for (const auto& [table, count] : summary.rows) rows += count;
    std::cout << "Restored " << options.archive << " into " << options.record.location().describe() << ": " << rows
              << " rows, " << summary.blobs << " blobs, every hash checked; schema version "
              << upgraded->schema_version() << ".\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<RestoreOptions>();
  app.add_option("ARCHIVE", options->archive, "An archive written by scarscope backup")->required();
  options->record.add_to(app);
  options->json.add_to(app);
  return [options] { return run_restore(*options); };
}

const VerbRegistrar registrar{{"restore", "Restore a backup into an empty record (SQLite or PostgreSQL)", 230, setup}};

}  // namespace
}  // namespace scarscope::cli
