#include "cli/json_output.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace scarscope::cli {

void JsonOutput::add_to(CLI::App& app) {
  app.add_option_function<std::vector<std::string>>(
         "--json",
         [this](const std::vector<std::string>& values) {
           requested_ = true;
           target_ = values.empty() ? std::string() : values.front();
         },
         "Write the result as JSON to FILE (standard output if FILE is omitted or '-')")
      ->expected(0, 1)
      ->type_name("[FILE]")
      ->trigger_on_parse();
}

void JsonOutput::write(const nlohmann::json& document) const {
  // error_handler_t::replace keeps a stray non-UTF-8 byte in a file name from aborting the output.
  const std::string text = document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (to_stdout()) {
    std::cout << text << std::flush;
    return;
  }
  std::ofstream out(target_, std::ios::binary);
  if (!out) throw InputError(target_ + ": cannot write the JSON output");
  out << text;
  out.close();
  if (!out) throw InputError(target_ + ": writing the JSON output failed");
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace scarscope::cli
