// How much each scar changed between two visits (`scarscope compare`): the follow-up registered onto
// its baseline, scars matched, each change measured against its own minimal detectable change.
// A typed result with its JSON (DESIGN.md's follow-up JSON, stamped "scarscope").
#pragma once
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/result_version.h"
#include "followup/comparison.h"
#include "scars/inventory.h"
#include "workflows/scan_input.h"

namespace scarscope {

// One visit of a comparison: its scan and, when it was analysed before (a stored assessment's
// `scars`), that analysis; without one the scan is analysed again.
struct ComparedVisit {
  ScanInput scan;
  std::optional<ScarInventory> scars;
};

struct CompareRequest {
  ComparedVisit baseline, followup;
  // A second scan of the baseline visit: the MDC then comes from this test-retest pair.
  std::optional<ScanInput> baseline_retest;
  CompareOptions options;  // its baseline_retest is set from the one above
  bool overlay_png = false;
};

struct Comparison {
  ResultVersion made_by;
  std::string baseline_file, followup_file;  // the scans' names
  std::size_t baseline_count = 0, followup_count = 0;  // scars each analysis lists
  // A comparison read back from JSON holds what its JSON says: the registration's numbers, every
  // scar's change; not the registered height maps.
  VisitComparison comparison;
  std::vector<std::byte> overlay_png;  // baseline | follow-up | difference, when asked for
};

// Compares the visits. When the scans do not show the same skin, the result says so
// (comparison.registration.registered == false, with the problem) and lists no change; the caller
// decides whether that is an error. InputError for unreadable scans; CancelledError on request.
Comparison compare_scans(const CompareRequest& request, const Progress* progress = nullptr);

// The follow-up JSON: "registration", "scars", "global", "mdc_source", "notes", "baseline" and
// "followup" ({"file", "count"}), "scarscope".
nlohmann::json to_json(const Comparison& comparison);
// A stored comparison back: to_json(comparison_from_json(j)) == j. Older schemas accepted, newer refused.
Comparison comparison_from_json(const nlohmann::json& document, const std::string& source);
// The comparison part of such a JSON (also what a series lists under "comparisons"); `path` is its
// place in the document, for messages.
VisitComparison visit_comparison_from_json(const nlohmann::json& comparison, const std::string& source,
                                           const std::string& path = "");

}  // namespace scarscope
