// What only a clinical examination shows, and the clinician's corrections of what the scan shows
// (the --clinician FILE of grade, analyze and plan; schema in DESIGN.md).
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "scars/inventory.h"

namespace scarscope {

struct ScarCorrection {
  std::optional<ScarType> type;
  std::optional<bool> stretch_flattens;  // distensible on stretching (rolling, shallow boxcar)
  std::optional<bool> normal_base;       // normal-looking base (punch elevation candidates)
  std::optional<bool> tethered;
  bool remove = false;                   // not a scar (e.g. a pore or a mole the scan mistook)
};

struct ClinicianInputs {
  std::optional<int> macular_erythematous;  // macular_scars.erythematous
  std::optional<int> macular_hyperpigmented;
  std::optional<int> papular_scars;
  std::map<int, double> hypertrophic_age_months;  // by scar id
  std::optional<bool> superficial_elastolysis;
  std::map<int, ScarCorrection> scars;             // by scar id
  bool empty() const;
  // Added beyond DESIGN.md's example (all optional):
  // "superficial_elastolysis" may also be a count (an integer) instead of true/false.
  std::optional<int> superficial_elastolysis_count;
  // "hypertrophic_age_months" may also be one number: the age of every hypertrophic scar without
  // its own entry (a hand count lists no ids).
  std::optional<double> hypertrophic_age_months_all;
  // "stretch_flattens": the whole-face stretch test, for atrophic scars without their own.
  std::optional<bool> stretch_flattens;
  // "macular_scars": {"hypopigmented": n} (Goodman & Baron count white macules with the others).
  std::optional<int> macular_hypopigmented;
  // "notes": free text, kept for the record.
  std::string notes;
  // All macular scars together (the Goodman & Baron row), or nothing if none was given.
  std::optional<int> macular_total() const;
};

// Throws InputError naming the field that is wrong (unknown field, wrong type, negative count).
// `source_name` (a file name) prefixes the messages.
ClinicianInputs clinician_inputs_from_json(const nlohmann::json& document, const std::string& source_name = "");
ClinicianInputs read_clinician_inputs(const std::filesystem::path& path);
// The same schema back (what was given only), e.g. to record it with an analysis.
nlohmann::json clinician_inputs_to_json(const ClinicianInputs& inputs);

// Applies the per-scar corrections (corrections win; each corrected scar records what changed).
// Throws InputError if a correction names a scar id the inventory does not have.
ScarInventory apply_corrections(const ScarInventory& inventory, const ClinicianInputs& inputs);

}  // namespace scarscope
