// The truth file of a synthetic scan (NAME.truth.json): the analysis JSON of DESIGN.md written
// from the exact scar measurements, plus the generator's request and parameters, so the scan can
// be made again (and followed up) from the file alone.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "synth/synthetic_skin.h"

namespace scarscope::synth {

// The truth JSON. `scan_file` is the name the scan was written to (for "scan.file");
// `baseline_truth` (follow-ups only) is the baseline's truth, for the expected changes.
nlohmann::json truth_json(const SyntheticScan& scan, const std::string& scan_file,
                          const nlohmann::json* baseline_truth = nullptr);

// The request that made the scan a truth file describes. Throws InputError naming the field
// if the file is not a baseline truth written by `scarscope synth`.
SynthRequest request_from_truth(const nlohmann::json& truth, const std::string& file_name);

// Parses a response: a number ("0.6") is a global factor; otherwise a JSON file {"<id>": factor}.
// Throws InputError naming the problem.
FollowupRequest parse_response(const std::string& response);

// A short plain-text description of what was made (for the CLI).
std::string describe(const SyntheticScan& scan);

}  // namespace scarscope::synth
