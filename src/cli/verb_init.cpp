// `scarscope init [--data DIR | --db URL]`: creates a clinic record (or brings an existing one up
// to this scarscope's schema). On PostgreSQL the database must exist; run it as its owner.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/store_options.h"
#include "cli/verb.h"

namespace scarscope::cli {
namespace {

struct InitOptions {
  RecordOptions record;
  JsonOutput json;
};

int run_init(const InitOptions& options) {
  const store::StoreLocation location = options.record.location();
  const std::unique_ptr<store::Store> store = options.record.open(/*create=*/true);
  if (options.json.requested()) {
    options.json.write({{"record", location.describe()},
                        {"engine", store::engine_name(store->engine())},
                        {"schema_version", store->schema_version()}});
  }
  if (!options.json.to_stdout()) {
    std::cout << "The clinic record at " << location.describe() << " (" << store::engine_name(store->engine())
              << ") is ready, schema version " << store->schema_version() << ".\n"
              << "Next: add a user with `scarscope users add --clinic NAME --email EMAIL --role admin` "
                 "(the password is read from standard input).\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<InitOptions>();
  options->record.add_to(app);
  options->json.add_to(app);
  return [options] { return run_init(*options); };
}

const VerbRegistrar registrar{{"init", "Create a clinic record (SQLite folder or PostgreSQL database), or upgrade one", 200, setup}};

}  // namespace
}  // namespace scarscope::cli
