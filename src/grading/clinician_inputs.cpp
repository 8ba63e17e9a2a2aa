// Reading the clinician's --clinician FILE (DESIGN.md "Clinician inputs") strictly: a misspelt
// field would otherwise silently leave a grade an estimate, so unknown fields are errors.
#include "grading/clinician_inputs.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "core/json_fields.h"

namespace scarscope {
namespace {

using nlohmann::json;

double months_from(const JsonField& value) {
  if (!value.is_number() || !std::isfinite(value.value().get<double>())) {
    value.fail(ErrorCode::wrong_type, "expected an age in months (a number), found " + value.type_name());
  }
  const double months = value.value().get<double>();
  if (months < 0) value.fail(ErrorCode::out_of_range, value.value().dump() + " is negative; an age in months is 0 or more");
  return months;
}

int scar_id_from_key(const JsonField& field, const std::string& key) {
  std::size_t used = 0;
  int id = -1;
  try {
    id = std::stoi(key, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != key.size() || key.empty() || id < 0) {
    field.fail(ErrorCode::bad_input, "'" + key + "' is not a scar id (the scars' \"id\" numbers, as strings: \"7\")");
  }
  return id;
}

}  // namespace

bool ClinicianInputs::empty() const {
  return !macular_erythematous && !macular_hyperpigmented && !macular_hypopigmented && !papular_scars &&
         hypertrophic_age_months.empty() && !hypertrophic_age_months_all && !superficial_elastolysis &&
         !superficial_elastolysis_count && !stretch_flattens && scars.empty();
}

std::optional<int> ClinicianInputs::macular_total() const {
  if (!macular_erythematous && !macular_hyperpigmented && !macular_hypopigmented) return std::nullopt;
  return macular_erythematous.value_or(0) + macular_hyperpigmented.value_or(0) + macular_hypopigmented.value_or(0);
}

ClinicianInputs clinician_inputs_from_json(const json& document, const std::string& source_name) {
  const JsonField root(document, source_name);
  root.expect_object(std::string("expected a JSON object of clinician inputs, found ") + document.type_name());
  root.reject_unknown({"hypertrophic_age_months", "macular_scars", "notes", "papular_scars", "scars", "stretch_flattens",
                       "superficial_elastolysis"});
  ClinicianInputs inputs;
  if (const auto macular = root.optional("macular_scars")) {
    macular->expect_object("expected {\"erythematous\": n, \"hyperpigmented\": n, \"hypopigmented\": n}");
    macular->reject_unknown({"erythematous", "hyperpigmented", "hypopigmented"});
    if (const auto n = macular->optional("erythematous")) inputs.macular_erythematous = n->count();
    if (const auto n = macular->optional("hyperpigmented")) inputs.macular_hyperpigmented = n->count();
    if (const auto n = macular->optional("hypopigmented")) inputs.macular_hypopigmented = n->count();
  }
  if (const auto papular = root.optional("papular_scars")) inputs.papular_scars = papular->count();
  if (const auto ages = root.optional("hypertrophic_age_months")) {
    if (ages->is_number()) {
      inputs.hypertrophic_age_months_all = months_from(*ages);
    } else if (ages->is_object()) {
      for (const auto& [key, value] : ages->members()) inputs.hypertrophic_age_months[scar_id_from_key(value, key)] = months_from(value);
    } else {
      ages->fail(ErrorCode::wrong_type, "expected {\"scar id\": months} or one number of months for all hypertrophic scars");
    }
  }
  if (const auto elastolysis = root.optional("superficial_elastolysis")) {
    if (elastolysis->is_boolean()) {
      inputs.superficial_elastolysis = elastolysis->boolean();
    } else if (elastolysis->is_number()) {
      inputs.superficial_elastolysis_count = elastolysis->count();
      inputs.superficial_elastolysis = *inputs.superficial_elastolysis_count > 0;
    } else {
      elastolysis->fail(ErrorCode::wrong_type, "expected true, false or a count, found " + elastolysis->type_name());
    }
  }
  if (const auto stretch = root.optional("stretch_flattens")) inputs.stretch_flattens = stretch->boolean();
  if (const auto notes = root.optional("notes")) inputs.notes = notes->text("expected text");
  if (const auto scars = root.optional("scars")) {
    scars->expect_object("expected {\"scar id\": {\"type\": ..., \"remove\": true, ...}}");
    for (const auto& [key, value] : scars->members()) {
      const int id = scar_id_from_key(value, key);
      value.expect_object("expected an object of corrections");
      value.reject_unknown({"normal_base", "remove", "stretch_flattens", "tethered", "type"});
      ScarCorrection correction;
      if (const auto type = value.optional("type")) correction.type = type->parsed_text(parse_scar_type);
      if (const auto flag = value.optional("stretch_flattens")) correction.stretch_flattens = flag->boolean();
      if (const auto flag = value.optional("normal_base")) correction.normal_base = flag->boolean();
      if (const auto flag = value.optional("tethered")) correction.tethered = flag->boolean();
      if (const auto flag = value.optional("remove")) correction.remove = flag->boolean();
      inputs.scars[id] = correction;
    }
  }
  return inputs;
}

ClinicianInputs read_clinician_inputs(const std::filesystem::path& path) {
  return clinician_inputs_from_json(read_json_file(path), path.filename().string());
}

nlohmann::json clinician_inputs_to_json(const ClinicianInputs& inputs) {
  using nlohmann::json;
  json document = json::object();
  json macular = json::object();
  if (inputs.macular_erythematous) macular["erythematous"] = *inputs.macular_erythematous;
  if (inputs.macular_hyperpigmented) macular["hyperpigmented"] = *inputs.macular_hyperpigmented;
  if (inputs.macular_hypopigmented) macular["hypopigmented"] = *inputs.macular_hypopigmented;
  if (!macular.empty()) document["macular_scars"] = macular;
  if (inputs.papular_scars) document["papular_scars"] = *inputs.papular_scars;
  if (inputs.hypertrophic_age_months_all) {
    document["hypertrophic_age_months"] = *inputs.hypertrophic_age_months_all;
  } else if (!inputs.hypertrophic_age_months.empty()) {
    json ages = json::object();
    for (const auto& [id, months] : inputs.hypertrophic_age_months) ages[std::to_string(id)] = months;
    document["hypertrophic_age_months"] = ages;
  }
  if (inputs.superficial_elastolysis_count) {
    document["superficial_elastolysis"] = *inputs.superficial_elastolysis_count;
  } else if (inputs.superficial_elastolysis) {
    document["superficial_elastolysis"] = *inputs.superficial_elastolysis;
  }
  if (inputs.stretch_flattens) document["stretch_flattens"] = *inputs.stretch_flattens;
  if (!inputs.scars.empty()) {
    json scars = json::object();
    for (const auto& [id, correction] : inputs.scars) {
      json entry = json::object();
      if (correction.type) entry["type"] = scar_type_name(*correction.type);
      if (correction.stretch_flattens) entry["stretch_flattens"] = *correction.stretch_flattens;
      if (correction.normal_base) entry["normal_base"] = *correction.normal_base;
      if (correction.tethered) entry["tethered"] = *correction.tethered;
      if (correction.remove) entry["remove"] = true;
      scars[std::to_string(id)] = entry;
    }
    document["scars"] = scars;
  }
  if (!inputs.notes.empty()) document["notes"] = inputs.notes;
  return document;
}

ScarInventory apply_corrections(const ScarInventory& inventory, const ClinicianInputs& inputs) {
  for (const auto& [id, correction] : inputs.scars) {
    const bool known = std::any_of(inventory.scars.begin(), inventory.scars.end(), [id = id](const Scar& scar) { return scar.id == id; });
    if (!known) {
      throw InputError("clinician inputs: scars." + std::to_string(id) + ": the inventory has no scar " + std::to_string(id) +
                       " (corrections use the ids of the inventory being graded)",
                       ErrorCode::bad_input, "scars." + std::to_string(id));
    }
  }
  ScarInventory corrected = inventory;
  corrected.scars.clear();
  for (const Scar& original : inventory.scars) {
    const auto it = inputs.scars.find(original.id);
    if (it == inputs.scars.end()) {
      corrected.scars.push_back(original);
      continue;
    }
    const ScarCorrection& correction = it->second;
    if (correction.remove) {
      corrected.warnings.push_back("scar " + std::to_string(original.id) + " (" + scar_type_name(original.type) +
                                   ") removed by the clinician: not a scar");
      continue;
    }
    Scar scar = original;
    auto record = [&scar](const std::string& what) {
      if (std::find(scar.corrected_by_clinician.begin(), scar.corrected_by_clinician.end(), what) == scar.corrected_by_clinician.end()) {
        scar.corrected_by_clinician.push_back(what);
      }
    };
    if (correction.type && *correction.type != scar.type) {
      const bool was_raised = scar.type == ScarType::hypertrophic;
      scar.type = *correction.type;
      record("type");
      // A depression's depth is not a raised scar's height, nor the other way round.
      if (was_raised != (scar.type == ScarType::hypertrophic)) {
        scar.not_measured.insert(ScarMeasure::depth_um);
        scar.not_measured.insert(ScarMeasure::mean_depth_um);
        scar.not_measured.insert(ScarMeasure::volume_mm3);
        scar.depth_um = scar.mean_depth_um = scar.volume_mm3 = 0.0;
        scar.profile.clear();
      }
    }
    if (correction.stretch_flattens) record("stretch_flattens");
    if (correction.normal_base) record("normal_base");
    if (correction.tethered) record("tethered");
    corrected.scars.push_back(std::move(scar));
  }
  return corrected;
}

}  // namespace scarscope
