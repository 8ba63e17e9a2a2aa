// `scarscope synth`: a synthetic skin scan with scars of known geometry (NAME.x3p) and its truth
// (NAME.truth.json); with --followup-of, a later visit of the same synthetic patient.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/verb.h"
#include "core/error.h"
#include "core/format.h"
#include "core/json_fields.h"
#include "surface/io.h"
#include "synth/skin_parameters.h"
#include "synth/synthetic_skin.h"
#include "synth/truth.h"

namespace scarscope::cli {
namespace {

// Every synthetic scan carries this date, so the same seed gives the same bytes.
constexpr const char* kFixedDate = "2020-01-01T00:00:00+00:00";

struct SynthOptions {
  std::uint64_t seed = 1;
  std::string preset = "cheek";
  std::string condition = "plain";
  std::string out;
  std::string truth;
  double spacing_um = 20.0;
  std::vector<double> size_mm{40.0, 40.0};
  int scars = -1;
  std::string followup_of;
  std::string response = "1";
  JsonOutput json;
};

std::string default_truth_path(const std::string& out) {
  std::filesystem::path path(out);
  return (path.parent_path() / (path.stem().string() + ".truth.json")).string();
}

int run_synth(const SynthOptions& options, bool followup) {
  if (options.size_mm.size() != 2) throw InputError("--size-mm takes two numbers: W H (mm)");
  synth::SynthRequest request;
  nlohmann::json baseline_truth;
  if (followup) {
    baseline_truth = read_json_file(options.followup_of);
    request = synth::request_from_truth(baseline_truth, options.followup_of);
  } else {
    request.preset = options.preset;
    request.condition = options.condition;
    request.seed = options.seed;
    request.width_mm = options.size_mm[0];
    request.height_mm = options.size_mm[1];
    request.spacing_um = options.spacing_um;
    request.scar_count = options.scars;
  }
  synth::SkinParameters check = synth::preset_parameters(request.preset);
  synth::apply_condition(check, request.condition);
  if (stderr_is_terminal()) {
    request.progress = [](const std::string& message) { std::fprintf(stderr, "\rsynth: %-30s", message.c_str()); };
  }
  const auto start = std::chrono::steady_clock::now();
  synth::SyntheticScan scan;
  if (followup) {
    synth::FollowupRequest visit = synth::parse_response(options.response);
    visit.seed = options.seed;
    scan = synth::generate_followup(request, visit);
  } else {
    scan = synth::generate_scan(request);
  }
  if (stderr_is_terminal()) std::fprintf(stderr, "\r%-40s\r", "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  scan.map.metadata.source_file = options.out;
  scan.map.metadata.date = kFixedDate;
  scan.map.metadata.comment = "synthetic skin, preset " + scan.preset + ", seed " + std::to_string(scan.seed);
  if (scan.parameters.realism.condition != "plain") scan.map.metadata.comment += ", condition " + scan.parameters.realism.condition;
  WriteOptions write;
  write.date = kFixedDate;
  const auto notes = write_height_map(scan.map, options.out, write);
  const std::string truth_path = options.truth.empty() ? default_truth_path(options.out) : options.truth;
  const nlohmann::json truth = synth::truth_json(scan, options.out, followup ? &baseline_truth : nullptr);
  {
    std::ofstream out(truth_path);
    if (!out) throw InputError(truth_path + ": cannot write the truth file");
    out << truth.dump(2) << "\n";
    if (!out) throw InputError(truth_path + ": writing the truth file failed");
  }
  if (options.json.requested()) {
    options.json.write({{"scan", options.out}, {"truth", truth_path}, {"counts", truth["counts"]},
                        {"seconds", seconds}});
  }
  if (!options.json.to_stdout()) {
    std::cout << "wrote " << options.out << " and " << truth_path << ": " << synth::describe(scan) << "\n";
    if (followup) {
      const auto& pose = truth["pose"];
      std::cout << "  follow-up of " << options.followup_of << ": shift " << pose["shift_mm"].dump() << " mm, rotation "
                << pose["rotation_deg"].get<double>() << " deg about " << pose["center_mm"].dump() << " mm\n";
    }
    for (const auto& note : notes) std::cout << "  note: " << note << "\n";
    std::cout << "  generated in " << fixed_decimal(seconds, 2) << " s\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<SynthOptions>();
  std::string presets;
  for (const auto& name : synth::preset_names()) presets += "\n  " + synth::preset_description(name);
  app.add_option("--seed", options->seed, "Seed: the same seed gives the same scan, byte for byte")
      ->capture_default_str();
  app.add_option("--preset", options->preset, "Kind of skin:" + presets)->capture_default_str();
  std::string conditions;
  for (const auto& name : synth::condition_names()) conditions += "\n  " + synth::condition_description(name);
  app.add_option("--condition", options->condition,
                 "What of real skin and scanners the scan has (ignored with --followup-of: the baseline's):" + conditions)
      ->capture_default_str();
  app.add_option("--out", options->out, "Scan to write (NAME.x3p; other height-map formats by extension)")
      ->required();
  app.add_option("--truth", options->truth, "Truth file to write (default: NAME.truth.json beside the scan)");
  app.add_option("--spacing-um", options->spacing_um, "Grid spacing in micrometres (1-500)")->capture_default_str();
  app.add_option("--size-mm", options->size_mm, "Scan size W H in millimetres (1-200 each)")
      ->expected(2)
      ->capture_default_str();
  app.add_option("--scars", options->scars, "Number of scars (default: the preset's density times the area)");
  auto* followup = app.add_option("--followup-of", options->followup_of,
                                  "Baseline truth file: make a later visit of the same synthetic patient");
  app.add_option("--response", options->response,
                 "With --followup-of: depth and volume factor for every scar (0.6 = 40 % less), or a JSON file "
                 "{\"<id>\": factor}; 1 = no change (new pose and noise only)")
      ->capture_default_str()
      ->needs(followup);
  options->json.add_to(app);
  return [options, followup] { return run_synth(*options, followup->count() > 0); };
}

const VerbRegistrar registrar{
    {"synth", "Make a synthetic skin scan with scars of known geometry, and its truth file", 60, setup}};

}  // namespace
}  // namespace scarscope::cli
