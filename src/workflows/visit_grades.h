// The grades of one visit: the scars of its scans (assessments, truth files, a clinician's hand
// count) merged into one inventory and graded with what the clinician adds (`scarscope grade`).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result_version.h"
#include "grading/clinician_inputs.h"
#include "grading/grading.h"
#include "scars/inventory.h"
#include "workflows/knowledge.h"

namespace scarscope {

// One inventory from a visit's parts: a single part keeps its own scar ids (a clinician's
// corrections refer to them); several are merged and renumbered 1..N, each scar keeping its scan
// and its id there. InputError for no part at all.
ScarInventory visit_inventory(const std::vector<ScarInventory>& parts);

// Where a scar of a merged inventory came from.
struct MergedScarId {
  int id = 0;            // in the merged inventory
  std::string scan;      // the scan it was found in
  int scan_scar_id = 0;  // its id there
  bool operator==(const MergedScarId&) const = default;
};

struct VisitGrades {
  ResultVersion made_by;
  // The visit's scars (merged when there were several parts). Read back from JSON, it holds the
  // scans, the coverage and the counts (as `unlisted`): the grades JSON does not list scars.
  ScarInventory inventory;
  bool merged = false;  // several parts were merged: merged_ids says where each scar came from
  std::vector<MergedScarId> merged_ids;
  std::optional<ClinicianInputs> clinician;
  Grades grades;
};

VisitGrades grade_visit(const std::vector<ScarInventory>& parts, const std::optional<ClinicianInputs>& clinician,
                        const Knowledge& knowledge);

// {"scans", "coverage_cm2", "counts", "grades", "merged_ids" (several parts), "clinician_inputs"
// (when given), "scarscope"}.
nlohmann::json to_json(const VisitGrades& grades);
// The JSON back: scars are not listed in it, so the inventory holds the counts, scans and coverage.
VisitGrades visit_grades_from_json(const nlohmann::json& document, const std::string& source);

}  // namespace scarscope
