#include "cli/store_options.h"

#include <CLI/CLI.hpp>

namespace scarscope::cli {

void RecordOptions::add_to(CLI::App& app) {
  app.add_option("--data", data_dir, "The record's folder (SQLite), default ./scarscope-data");
  app.add_option("--db", db_url, "A PostgreSQL record instead: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE");
}

std::unique_ptr<store::Store> RecordOptions::open(bool create, std::optional<int> schema_version) const {
  store::StoreOptions options;
  options.create = create;
  options.schema_version = schema_version;
  options.max_connections = 2;
  return store::Store::open(location(), options);
}

}  // namespace scarscope::cli
