// Goodman & Baron quantitative and qualitative grades and ECCA from a scar inventory (plus what a
// clinician adds), labelled as what they are: estimates from the few cm² a scan covers unless a
// clinician supplied the inputs a scan cannot see. The scales' tables and the mapping of measured
// scars onto their lesion types are data in kb/grading.json, read at run time.
#pragma once
#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result_version.h"
#include "grading/clinician_inputs.h"
#include "scars/inventory.h"

namespace scarscope {

// The parsed and checked kb/grading.json: a value, loaded once (from a file or a JSON value) and
// shared by every grading that uses it. Cheap to copy (the tables are shared and immutable).
struct GradingKnowledge {
  std::string source;   // the file name it was read from ("grading.json"), never a path
  std::string version;  // its "version"
  std::string sha256;   // of its canonical JSON (core/json_fields.h): grades record it
  struct Tables;
  std::shared_ptr<const Tables> tables;
  // What a grade records of it: file name, version and content hash.
  KnowledgeIdentity identity() const { return {source, version, sha256}; }
};

// Reads and checks a grading knowledge base; throws InputError naming the file and the field.
GradingKnowledge load_grading_knowledge(const std::filesystem::path& path);
// The same from a JSON value; `source_name` names it in messages (its file name is recorded).
GradingKnowledge grading_knowledge_from_json(const nlohmann::json& document, const std::string& source_name);

// What a grade rests on (DESIGN.md "Grades are estimates").
enum class GradeBasis { three_d_only, clinician_only, three_d_plus_clinician };
const char* grade_basis_name(GradeBasis basis);  // "3d_only", "clinician_only", "3d_plus_clinician"
// InputError for anything else.
GradeBasis parse_grade_basis(const std::string& name);

// One row of a scale, so a clinician can check the sum.
struct GradeItem {
  std::string id;     // the kb's lesion id ("punched_out_deep_abnormal_base", "V_shaped", ...)
  std::string label;  // the scale's wording
  std::string group;  // Goodman & Baron group "A".."D"; empty for ECCA
  int count = 0;
  std::optional<double> area_cm2;  // Goodman & Baron hypertrophic row: scored by area, not count
  int band = 0;        // G&B: count multiplier 1–3 (0 when none); ECCA: count band 0–3
  int points_each = 0; // G&B points of the lesion type (or of the area band); ECCA weight
  int points = 0;      // what this row adds to the total
  std::string source;  // "3d", "clinician" or "3d_plus_clinician"
  std::vector<int> scar_ids;     // the listed scars in this row
  int unlisted = 0;              // scars counted by hand but not listed (in `count`)
  std::vector<std::string> notes;  // e.g. "2 scars without a measured depth counted as shallow"
};

struct ScaleGrade {
  int value = 0;
  int maximum = 0;  // 84 for Goodman & Baron quantitative, 540 for ECCA
  // When a clinician input the scan cannot see would change the value (ECCA: the age of a
  // hypertrophic scar), the value is the lower end and this the upper end.
  std::optional<int> value_high;
  GradeBasis basis = GradeBasis::three_d_only;
  std::optional<double> coverage_cm2;  // empty for a clinician's whole-face hand count
  std::vector<std::string> missing_inputs;
  std::vector<GradeItem> items;
  std::string citation;  // the scale's publication, from the knowledge base
};

// Why a scar (or a clinician-reported finding) sets a qualitative grade.
struct QualitativeFinding {
  std::optional<int> scar_id;  // empty for unlisted scars and clinician-reported findings
  std::string what;            // "scar 3 (boxcar)", "4 hand-counted ice_pick scars", "macular scars"
  int low = 0, high = 0;       // its grade, a range when the stretch test is missing
  std::string reason;
};

struct QualitativeGrade {
  int low = 0, high = 0;  // 1–4; equal unless an input is missing; 0 = no scarring found
  std::string value_text() const;  // "4", "3-4"; "0" when nothing was found
  std::string level;               // "macular", "mild", "moderate", "severe" ("moderate to severe" for 3-4)
  GradeBasis basis = GradeBasis::three_d_only;
  std::optional<double> coverage_cm2;
  std::vector<std::string> missing_inputs;
  std::vector<QualitativeFinding> findings;  // the findings that decide the grade, most severe first
  std::string citation;
};

struct Grades {
  ScaleGrade goodman_baron_quantitative;
  ScaleGrade ecca;
  QualitativeGrade goodman_baron_qualitative;
  std::vector<std::string> notes;  // what the grades rest on, in words
  KnowledgeIdentity knowledge;     // the grading knowledge they were made with
};

// Grades an inventory. `clinician` may be null; its scar corrections are applied first (so call
// with the uncorrected inventory). Throws InputError if a correction names an unknown scar id.
Grades grade_inventory(const ScarInventory& inventory, const ClinicianInputs* clinician,
                       const GradingKnowledge& knowledge);

// The "grades" object of the analysis JSON (DESIGN.md): each grade has value, basis,
// coverage_cm2 (null for a hand count), missing_inputs, maximum and items; the qualitative value
// is a number or a range string like "3-4". Extra: "notes", "knowledge_base" {file, version, sha256}.
nlohmann::json grades_to_json(const Grades& grades);
nlohmann::json grade_inventory_json(const ScarInventory& inventory, const ClinicianInputs* clinician,
                                    const GradingKnowledge& knowledge);
// The "grades" object back (a stored result): grades_to_json(grades_from_json(g)) == g. Throws
// InputError naming the field that is wrong; `source` names the document.
Grades grades_from_json(const nlohmann::json& grades, const std::string& source, const std::string& path = "grades");

// Text for a clinician: each grade with its basis ("estimate from 3D scan" where it is one), the
// missing inputs and the rows that make up the sum.
std::string grades_text(const Grades& grades);

}  // namespace scarscope
