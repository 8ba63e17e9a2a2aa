// The options every record verb takes (`--data DIR` for the SQLite default, `--db URL` for
// PostgreSQL) and opening the record they name.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "store/store.h"

namespace CLI {
class App;
}

namespace scarscope::cli {

struct RecordOptions {
  std::string data_dir;
  std::string db_url;

  // Adds --data DIR and --db URL to the subcommand.
  void add_to(CLI::App& app);
  store::StoreLocation location() const { return store::StoreLocation::from_options(data_dir, db_url); }
  // Opens (and migrates) the record; `create`: make a new SQLite record if there is none.
  std::unique_ptr<store::Store> open(bool create = false, std::optional<int> schema_version = std::nullopt) const;
};

}  // namespace scarscope::cli
