// `scarscope eval`: scores an analysis (or a follow-up comparison, or a whole suite) against the
// truth of synthetic scans made by `scarscope synth`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/verb.h"
#include "core/error.h"
#include "core/json_fields.h"
#include "synth/evaluation.h"

namespace scarscope::cli {
namespace {

struct EvalOptions {
  std::string truth;
  std::string result;
  std::string suite;
  std::string followup_truth;
  std::string compare;
  JsonOutput json;
};

// Adds the file name to an InputError from the scorer ("truth: scars[3]..." -> "a.truth.json: ...").
template <typename Function>
nlohmann::json scored(const std::string& files, Function&& score) {
  try {
    return score();
  } catch (const UnsupportedError&) {
    throw;
  } catch (const InputError& e) {
    throw InputError(files + ": " + e.what());
  }
}

int run_eval(const EvalOptions& options) {
  const int modes = (!options.truth.empty() || !options.result.empty() ? 1 : 0) + (!options.suite.empty() ? 1 : 0) +
                    (!options.followup_truth.empty() || !options.compare.empty() ? 1 : 0);
  if (modes != 1) {
    throw InputError("give exactly one of: --truth T --result R | --suite DIR | --followup-truth T --compare C");
  }
  nlohmann::json report;
  if (!options.suite.empty()) {
    std::function<void(const std::string&)> progress;
    if (stderr_is_terminal()) {
      progress = [](const std::string& message) { std::fprintf(stderr, "\reval: %-50s", message.c_str()); };
    }
    report = synth::evaluate_suite(options.suite, progress);
    if (stderr_is_terminal()) std::fprintf(stderr, "\r%-60s\r", "");
  } else if (!options.followup_truth.empty() || !options.compare.empty()) {
    if (options.followup_truth.empty() || options.compare.empty()) {
      throw InputError("--followup-truth and --compare go together");
    }
    const nlohmann::json truth = read_json_file(options.followup_truth);
    const nlohmann::json compare = read_json_file(options.compare);
    report = scored(options.followup_truth + " / " + options.compare,
                    [&] { return synth::evaluate_followup(truth, compare); });
    report["truth_file"] = options.followup_truth;
    report["compare_file"] = options.compare;
  } else {
    if (options.truth.empty() || options.result.empty()) throw InputError("--truth and --result go together");
    const nlohmann::json truth = read_json_file(options.truth);
    const nlohmann::json result = read_json_file(options.result);
    report = scored(options.truth + " / " + options.result, [&] { return synth::evaluate_analysis(truth, result); });
    report["truth_file"] = options.truth;
    report["result_file"] = options.result;
  }
  if (options.json.requested()) options.json.write(report);
  if (!options.json.to_stdout()) std::cout << synth::evaluation_text(report);
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  app.add_option("--truth", options->truth, "Truth file of a synthetic scan (NAME.truth.json)");
  app.add_option("--result", options->result, "Analysis of that scan (NAME.analysis.json)");
  app.add_option("--suite", options->suite,
                 "Folder of NAME.truth.json with NAME.analysis.json (and NAME.compare.json for follow-ups)");
  app.add_option("--followup-truth", options->followup_truth, "Truth file of a synthetic follow-up");
  app.add_option("--compare", options->compare, "Comparison of its baseline and follow-up (scarscope compare --json)");
  options->json.add_to(app);
  return [options] { return run_eval(*options); };
}

const VerbRegistrar registrar{
    {"eval", "Score an analysis or a follow-up comparison against synthetic truth (precision, recall, errors)", 70,
     setup}};

}  // namespace
}  // namespace scarscope::cli
