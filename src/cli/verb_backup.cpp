// `scarscope backup OUT [--data DIR | --db URL]`: the whole record (a consistent snapshot of every
// table and every blob, with a manifest of hashes) in one archive, restorable into either engine.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/store_options.h"
#include "cli/verb.h"
#include "store/backup.h"

namespace scarscope::cli {
namespace {

struct BackupOptions {
  RecordOptions record;
  JsonOutput json;
  std::string archive;
};

std::int64_t total_rows(const store::BackupSummary& summary) {
  std::int64_t rows = 0;
  for (const auto& [table, count] : summary.rows) rows += count;
  return rows;
}

int run_backup(const BackupOptions& options) {
  const std::unique_ptr<store::Store> store = options.record.open();
  const store::BackupSummary summary = store::backup_store(*store, options.archive);
  if (options.json.requested()) {
    options.json.write({{"archive", options.archive}, {"schema_version", summary.schema_version},
                        {"rows", summary.rows}, {"blobs", summary.blobs}, {"blob_bytes", summary.blob_bytes}});
  }
  if (!options.json.to_stdout()) {
    std::cout << "Backed up " << options.record.location().describe() << " to " << options.archive << ": "
              << total_rows(summary) << " rows in " << summary.rows.size() << " tables, " << summary.blobs
              << " blobs (" << summary.blob_bytes << " bytes), schema version " << summary.schema_version << ".\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<BackupOptions>();
  app.add_option("OUT", options->archive, "The archive to write (never overwritten)")->required();
  options->record.add_to(app);
  options->json.add_to(app);
  return [options] { return run_backup(*options); };
}

const VerbRegistrar registrar{{"backup", "Write the whole record (every table and blob, with hashes) to one archive", 220, setup}};

}  // namespace
}  // namespace scarscope::cli
