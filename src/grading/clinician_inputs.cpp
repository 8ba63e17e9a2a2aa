// Reading the clinician's --clinician FILE (DESIGN.md "Clinician inputs") strictly: a misspelt
// field would otherwise silently leave a grade an estimate, so unknown fields are errors.
#include "grading/clinician_inputs.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace scarscope {
namespace {

using nlohmann::json;

std::string at(const std::string& source, const std::string& field) {
  return source.empty() ? field : source + ": " + field;
}

int count_from(const json& value, const std::string& field) {
  const bool whole = value.is_number_integer() ||
                     (value.is_number_float() && std::isfinite(value.get<double>()) &&
                      std::floor(value.get<double>()) == value.get<double>());
  if (!whole) {
    throw InputError(field + ": expected a count (a whole number, 0 or more), found " +
                     (value.is_number() ? value.dump() : std::string(value.type_name())));
  }
  const double number = value.get<double>();
  if (number < 0) throw InputError(field + ": " + value.dump() + " is negative; a count is 0 or more");
  if (number > 1e6) throw InputError(field + ": " + value.dump() + " is not a plausible count");
  return static_cast<int>(number);
}

bool bool_from(const json& value, const std::string& field) {
  if (!value.is_boolean()) throw InputError(field + ": expected true or false, found " + std::string(value.type_name()));
  return value.get<bool>();
}

double months_from(const json& value, const std::string& field) {
  if (!value.is_number() || !std::isfinite(value.get<double>())) {
    throw InputError(field + ": expected an age in months (a number), found " + std::string(value.type_name()));
  }
  const double months = value.get<double>();
  if (months < 0) throw InputError(field + ": " + value.dump() + " is negative; an age in months is 0 or more");
  return months;
}

int scar_id_from_key(const std::string& key, const std::string& field) {
  std::size_t used = 0;
  int id = -1;
  try {
    id = std::stoi(key, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != key.size() || key.empty() || id < 0) {
    throw InputError(field + ": '" + key + "' is not a scar id (the scars' \"id\" numbers, as strings: \"7\")");
  }
  return id;
}

// `prefix` is what comes before the field's name in the message ("exam.json: ", "exam.json: scars.7.").
void reject_unknown(const json& object, const std::set<std::string>& known, const std::string& prefix) {
  for (const auto& item : object.items()) {
    if (known.count(item.key()) == 0) {
      std::string list;
      for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
      throw InputError(prefix + item.key() + ": unknown field (known: " + list + ")");
    }
  }
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
  const std::string& src = source_name;
  if (!document.is_object()) {
    throw InputError(at(src, std::string("expected a JSON object of clinician inputs, found ") + document.type_name()));
  }
  reject_unknown(document,
                 {"macular_scars", "papular_scars", "hypertrophic_age_months", "superficial_elastolysis",
                  "stretch_flattens", "scars", "notes"},
                 src.empty() ? "" : src + ": ");
  ClinicianInputs inputs;
  if (const auto macular = document.find("macular_scars"); macular != document.end() && !macular->is_null()) {
    const std::string field = at(src, "macular_scars");
    if (!macular->is_object()) {
      throw InputError(field + ": expected {\"erythematous\": n, \"hyperpigmented\": n, \"hypopigmented\": n}");
    }
    reject_unknown(*macular, {"erythematous", "hyperpigmented", "hypopigmented"}, field + ".");
    if (macular->contains("erythematous")) inputs.macular_erythematous = count_from(macular->at("erythematous"), field + ".erythematous");
    if (macular->contains("hyperpigmented")) inputs.macular_hyperpigmented = count_from(macular->at("hyperpigmented"), field + ".hyperpigmented");
    if (macular->contains("hypopigmented")) inputs.macular_hypopigmented = count_from(macular->at("hypopigmented"), field + ".hypopigmented");
  }
  if (const auto papular = document.find("papular_scars"); papular != document.end() && !papular->is_null()) {
    inputs.papular_scars = count_from(*papular, at(src, "papular_scars"));
  }
  if (const auto ages = document.find("hypertrophic_age_months"); ages != document.end() && !ages->is_null()) {
    const std::string field = at(src, "hypertrophic_age_months");
    if (ages->is_number()) {
      inputs.hypertrophic_age_months_all = months_from(*ages, field);
    } else if (ages->is_object()) {
      for (const auto& [key, value] : ages->items()) {
        inputs.hypertrophic_age_months[scar_id_from_key(key, field + "." + key)] = months_from(value, field + "." + key);
      }
    } else {
      throw InputError(field + ": expected {\"scar id\": months} or one number of months for all hypertrophic scars");
    }
  }
  if (const auto elastolysis = document.find("superficial_elastolysis"); elastolysis != document.end() && !elastolysis->is_null()) {
    const std::string field = at(src, "superficial_elastolysis");
    if (elastolysis->is_boolean()) {
      inputs.superficial_elastolysis = elastolysis->get<bool>();
    } else if (elastolysis->is_number()) {
      inputs.superficial_elastolysis_count = count_from(*elastolysis, field);
      inputs.superficial_elastolysis = *inputs.superficial_elastolysis_count > 0;
    } else {
      throw InputError(field + ": expected true, false or a count, found " + std::string(elastolysis->type_name()));
    }
  }
  if (const auto stretch = document.find("stretch_flattens"); stretch != document.end() && !stretch->is_null()) {
    inputs.stretch_flattens = bool_from(*stretch, at(src, "stretch_flattens"));
  }
  if (const auto notes = document.find("notes"); notes != document.end() && !notes->is_null()) {
    if (!notes->is_string()) throw InputError(at(src, "notes: expected text"));
    inputs.notes = notes->get<std::string>();
  }
  if (const auto scars = document.find("scars"); scars != document.end() && !scars->is_null()) {
    const std::string field = at(src, "scars");
    if (!scars->is_object()) throw InputError(field + ": expected {\"scar id\": {\"type\": ..., \"remove\": true, ...}}");
    for (const auto& [key, value] : scars->items()) {
      const std::string where = field + "." + key;
      const int id = scar_id_from_key(key, where);
      if (!value.is_object()) throw InputError(where + ": expected an object of corrections");
      reject_unknown(value, {"type", "stretch_flattens", "normal_base", "tethered", "remove"}, where + ".");
      ScarCorrection correction;
      if (const auto type = value.find("type"); type != value.end() && !type->is_null()) {
        if (!type->is_string()) throw InputError(where + ".type: expected a scar type name");
        try {
          correction.type = parse_scar_type(type->get<std::string>());
        } catch (const InputError& error) {
          throw InputError(where + ".type: " + error.what());
        }
      }
      if (value.contains("stretch_flattens") && !value["stretch_flattens"].is_null()) {
        correction.stretch_flattens = bool_from(value["stretch_flattens"], where + ".stretch_flattens");
      }
      if (value.contains("normal_base") && !value["normal_base"].is_null()) {
        correction.normal_base = bool_from(value["normal_base"], where + ".normal_base");
      }
      if (value.contains("tethered") && !value["tethered"].is_null()) {
        correction.tethered = bool_from(value["tethered"], where + ".tethered");
      }
      if (value.contains("remove") && !value["remove"].is_null()) correction.remove = bool_from(value["remove"], where + ".remove");
      inputs.scars[id] = correction;
    }
  }
  return inputs;
}

ClinicianInputs read_clinician_inputs(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open the clinician inputs file");
  json document;
  try {
    document = json::parse(in);
  } catch (const json::parse_error& error) {
    throw InputError(path.string() + ": not valid JSON (" + error.what() + ")");
  }
  return clinician_inputs_from_json(document, path.filename().string());
}

json clinician_inputs_to_json(const ClinicianInputs& inputs) {
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
                       " (corrections use the ids of the inventory being graded)");
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
        scar.not_measured.insert("depth_um");
        scar.not_measured.insert("mean_depth_um");
        scar.not_measured.insert("volume_mm3");
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
