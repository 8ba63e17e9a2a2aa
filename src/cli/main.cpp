// The `scarscope` command: parses `scarscope VERB ...` and runs the verb.
// Exit status: 0 success, 2 bad input or usage (one line on stderr naming the problem), 1 otherwise.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/verb.h"
#include "core/error.h"

namespace scarscope::cli {

std::vector<Verb>& registered_verbs() {
  static std::vector<Verb> verbs;
  return verbs;
}

}  // namespace scarscope::cli

int main(int argc, char** argv) {
  using namespace scarscope;
  using namespace scarscope::cli;

  CLI::App app{"ScarScope " SCARSCOPE_VERSION
               ": acne-scar assessment from 3D skin scans (read, measure, type, grade, plan, follow up)",
               "scarscope"};
  app.require_subcommand(1);
  app.set_version_flag("--version", SCARSCOPE_VERSION);

  auto& verbs = registered_verbs();
  std::stable_sort(verbs.begin(), verbs.end(), [](const Verb& a, const Verb& b) { return a.order < b.order; });
  std::map<CLI::App*, VerbRunner> runners;
  for (const Verb& verb : verbs) {
    CLI::App* sub = app.add_subcommand(verb.name, verb.summary);
    runners[sub] = verb.setup(*sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    std::cerr << "scarscope: " << message << "\n";
    if (argc <= 1) std::cerr << "Run 'scarscope --help' for the verbs.\n";
    return 2;
  }

  try {
    for (auto& [sub, runner] : runners) {
      if (sub->parsed()) return runner();
    }
    std::cerr << "scarscope: no verb given; run 'scarscope --help'\n";
    return 2;
  } catch (const InputError& e) {
    std::cerr << "scarscope: " << e.what() << "\n";
    return 2;
  } catch (const nlohmann::json::exception& e) {
    // JSON inputs that do not parse or have the wrong shape are bad input, not our failure.
    std::cerr << "scarscope: bad JSON input: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "scarscope: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "scarscope: error: " << e.what() << "\n";
    return 1;
  }
}
