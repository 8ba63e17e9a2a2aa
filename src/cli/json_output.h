// The `--json [FILE]` contract shared by every verb that produces a result: the JSON goes to
// FILE, or to standard output when FILE is omitted or "-".
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace CLI {
class App;
}

namespace scarscope::cli {

class JsonOutput {
 public:
  // Adds --json [FILE] to the subcommand.
  void add_to(CLI::App& app);
  bool requested() const { return requested_; }
  // True when the JSON goes to standard output (so the text report must not).
  bool to_stdout() const { return requested_ && (target_.empty() || target_ == "-"); }
  // Writes the JSON (pretty, UTF-8, trailing newline). Throws InputError if FILE cannot be written.
  void write(const nlohmann::json& document) const;

 private:
  bool requested_ = false;
  std::string target_;
};

// True when standard error is a terminal (progress lines go there only then).
bool stderr_is_terminal();

}  // namespace scarscope::cli
