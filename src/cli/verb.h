// How a CLI verb plugs into `scarscope`: each verb lives in its own verb_NAME.cpp and registers
// itself with a VerbRegistrar, so adding a verb touches no other file.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace scarscope::cli {

// Runs the verb after the command line was parsed; returns the exit status.
using VerbRunner = std::function<int()>;

struct Verb {
  std::string name;     // "info"
  std::string summary;  // one line for `scarscope --help`
  int order = 100;      // position in the help listing
  // Declares the verb's options on its subcommand and returns what runs it.
  std::function<VerbRunner(CLI::App&)> setup;
};

std::vector<Verb>& registered_verbs();

struct VerbRegistrar {
  explicit VerbRegistrar(Verb verb) { registered_verbs().push_back(std::move(verb)); }
};

}  // namespace scarscope::cli
