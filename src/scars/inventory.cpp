// Reading and writing the scar inventory (DESIGN.md "Analysis JSON"), and merging the scans of a visit.
// The reader is tolerant where a meaning is unambiguous (a hand-made list without measurements,
// depth_um on a hypertrophic scar) and strict where a guess could mislead (unknown type, wrong type
// of a field, counts smaller than the list).
#include "scars/inventory.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "core/error.h"

namespace scarscope {
namespace {

using nlohmann::json;

const std::array<ScarType, 4> kTypes{ScarType::ice_pick, ScarType::boxcar, ScarType::rolling,
                                     ScarType::hypertrophic};

// Scar fields the reader interprets itself; any other numeric field goes to Scar::extra.
const std::set<std::string> kKnownScarFields{
    "id",          "type",         "confidence", "reason",        "centroid_mm",    "area_mm2",
    "diameter_mm", "major_mm",     "minor_mm",   "depth_um",      "height_um",      "depth_is_lower_bound",
    "mean_depth_um", "mean_height_um", "volume_mm3", "wall_slope_deg", "profile", "outline_mm",
    "scan",        "scan_scar_id", "corrected_by_clinician"};

std::string type_name_of(const json& value) { return value.type_name(); }

std::optional<double> optional_number(const json& object, const std::string& key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) {
    throw InputError(where + "." + key + ": expected a number, found " + type_name_of(*it));
  }
  const double value = it->get<double>();
  if (!std::isfinite(value)) throw InputError(where + "." + key + ": not a finite number");
  return value;
}

double non_negative(double value, const std::string& field) {
  if (value < 0.0) {
    std::ostringstream message;
    message << field << ": " << value << " is negative (sizes, depths and heights are positive numbers)";
    throw InputError(message.str());
  }
  return value;
}

int required_integer(const json& value, const std::string& field) {
  if (!value.is_number_integer() && !(value.is_number_float() && std::floor(value.get<double>()) == value.get<double>())) {
    throw InputError(field + ": expected an integer, found " + (value.is_number() ? value.dump() : type_name_of(value)));
  }
  const double number = value.get<double>();
  if (number < 0 || number > 1e9) throw InputError(field + ": " + value.dump() + " is out of range (0 or more)");
  return static_cast<int>(number);
}

std::array<double, 2> point_from_json(const json& value, const std::string& field) {
  if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) {
    throw InputError(field + ": expected [x, y] in mm");
  }
  std::array<double, 2> point{value[0].get<double>(), value[1].get<double>()};
  if (!std::isfinite(point[0]) || !std::isfinite(point[1])) throw InputError(field + ": not finite");
  return point;
}

std::string prefixed(const std::string& source, const std::string& rest) {
  return source.empty() ? rest : source + ": " + rest;
}

ScarCounts counts_from_json(const json& counts, const std::string& where) {
  if (!counts.is_object()) throw InputError(where + ": expected an object like {\"boxcar\": 3}, found " + type_name_of(counts));
  ScarCounts result;
  for (const auto& [key, value] : counts.items()) {
    if (key == "total") continue;  // derived; the per-type numbers are what count
    ScarType type;
    try {
      type = parse_scar_type(key);
    } catch (const InputError&) {
      throw InputError(where + "." + key + ": not a scar type (ice_pick, boxcar, rolling, hypertrophic)");
    }
    result.of(type) = required_integer(value, where + "." + key);
  }
  return result;
}

// Coverage in cm² from a "scan" object: its own coverage_cm2, or the grid's size times valid fraction.
std::optional<double> coverage_of_scan(const json& scan, const std::string& where) {
  if (auto coverage = optional_number(scan, "coverage_cm2", where)) return non_negative(*coverage, where + ".coverage_cm2");
  const auto nx = optional_number(scan, "nx", where);
  const auto ny = optional_number(scan, "ny", where);
  const auto dx = optional_number(scan, "dx_um", where);
  const auto dy = optional_number(scan, "dy_um", where);
  if (!nx || !ny || !dx || !dy) return std::nullopt;
  double fraction = 1.0;
  if (auto valid = optional_number(scan, "valid_fraction", where)) fraction = *valid;
  if (fraction < 0.0 || fraction > 1.0) throw InputError(where + ".valid_fraction: must be between 0 and 1");
  const double area_um2 = non_negative(*nx, where + ".nx") * non_negative(*dx, where + ".dx_um") *
                          non_negative(*ny, where + ".ny") * non_negative(*dy, where + ".dy_um") * fraction;
  return area_um2 / 1e8;  // 1 cm² = 1e8 µm²
}

}  // namespace

const char* scar_type_name(ScarType type) {
  switch (type) {
    case ScarType::ice_pick: return "ice_pick";
    case ScarType::boxcar: return "boxcar";
    case ScarType::rolling: return "rolling";
    case ScarType::hypertrophic: return "hypertrophic";
  }
  return "unknown";
}

ScarType parse_scar_type(const std::string& name) {
  for (const ScarType type : kTypes) {
    if (name == scar_type_name(type)) return type;
  }
  throw InputError("'" + name + "' is not a scar type (ice_pick, boxcar, rolling, hypertrophic)");
}

const std::array<ScarType, 4>& all_scar_types() { return kTypes; }

int ScarCounts::of(ScarType type) const {
  switch (type) {
    case ScarType::ice_pick: return ice_pick;
    case ScarType::boxcar: return boxcar;
    case ScarType::rolling: return rolling;
    case ScarType::hypertrophic: return hypertrophic;
  }
  return 0;
}

int& ScarCounts::of(ScarType type) {
  switch (type) {
    case ScarType::ice_pick: return ice_pick;
    case ScarType::boxcar: return boxcar;
    case ScarType::rolling: return rolling;
    case ScarType::hypertrophic: break;
  }
  return hypertrophic;
}

ScarCounts ScarInventory::counts() const {
  ScarCounts counts = unlisted;
  for (const Scar& scar : scars) ++counts.of(scar.type);
  return counts;
}

Scar scar_from_json(const json& object, const std::string& where) {
  if (!object.is_object()) throw InputError(where + ": expected a scar object, found " + type_name_of(object));
  Scar scar;

  const auto id = object.find("id");
  if (id == object.end() || id->is_null()) {
    throw InputError(where + ".id: missing; every listed scar needs a unique integer id (clinician corrections refer to it)");
  }
  scar.id = required_integer(*id, where + ".id");

  const auto type = object.find("type");
  if (type == object.end() || type->is_null()) {
    throw InputError(where + ".type: missing; one of ice_pick, boxcar, rolling, hypertrophic");
  }
  if (!type->is_string()) throw InputError(where + ".type: expected a string, found " + type_name_of(*type));
  try {
    scar.type = parse_scar_type(type->get<std::string>());
  } catch (const InputError& error) {
    throw InputError(where + ".type: " + error.what());
  }
  const bool raised = scar.type == ScarType::hypertrophic;

  auto number_field = [&](const std::string& key, double& target, bool must_be_positive) {
    if (auto value = optional_number(object, key, where)) {
      target = must_be_positive ? non_negative(*value, where + "." + key) : *value;
    } else {
      scar.not_measured.insert(key);
    }
  };

  if (auto confidence = optional_number(object, "confidence", where)) {
    if (*confidence < 0.0 || *confidence > 1.0) throw InputError(where + ".confidence: must be between 0 and 1");
    scar.confidence = *confidence;
  } else {
    // A scar listed by hand is as certain as the person who listed it; the writer leaves it out again.
    scar.confidence = 1.0;
    scar.not_measured.insert("confidence");
  }
  if (const auto reason = object.find("reason"); reason != object.end() && !reason->is_null()) {
    if (!reason->is_string()) throw InputError(where + ".reason: expected a string, found " + type_name_of(*reason));
    scar.reason = reason->get<std::string>();
  }
  if (const auto centroid = object.find("centroid_mm"); centroid != object.end() && !centroid->is_null()) {
    scar.centroid_mm = point_from_json(*centroid, where + ".centroid_mm");
  } else {
    scar.not_measured.insert("centroid_mm");
  }
  number_field("area_mm2", scar.area_mm2, true);
  number_field("diameter_mm", scar.diameter_mm, true);
  number_field("major_mm", scar.major_mm, true);
  number_field("minor_mm", scar.minor_mm, true);
  number_field("volume_mm3", scar.volume_mm3, true);
  number_field("wall_slope_deg", scar.wall_slope_deg, false);

  // Depth of a depression, height of a raised scar (DESIGN: height_um replaces depth_um).
  const auto depth = optional_number(object, "depth_um", where);
  const auto height = optional_number(object, "height_um", where);
  if (raised) {
    if (height) {
      scar.depth_um = non_negative(*height, where + ".height_um");
    } else if (depth) {
      scar.depth_um = std::abs(*depth);  // tolerated: the inventory reader records a warning
    } else {
      scar.not_measured.insert("depth_um");
    }
  } else {
    if (height) throw InputError(where + ".height_um: only a hypertrophic scar has a height; a " +
                                 std::string(scar_type_name(scar.type)) + " scar gives depth_um");
    if (depth) {
      scar.depth_um = non_negative(*depth, where + ".depth_um");
    } else {
      scar.not_measured.insert("depth_um");
    }
  }
  const auto mean_depth = optional_number(object, "mean_depth_um", where);
  const auto mean_height = optional_number(object, "mean_height_um", where);
  if (raised && mean_height) {
    scar.mean_depth_um = non_negative(*mean_height, where + ".mean_height_um");
  } else if (mean_depth) {
    scar.mean_depth_um = raised ? std::abs(*mean_depth) : non_negative(*mean_depth, where + ".mean_depth_um");
  } else {
    scar.not_measured.insert("mean_depth_um");
  }

  if (const auto lower = object.find("depth_is_lower_bound"); lower != object.end() && !lower->is_null()) {
    if (!lower->is_boolean()) throw InputError(where + ".depth_is_lower_bound: expected true or false, found " + type_name_of(*lower));
    scar.depth_is_lower_bound = lower->get<bool>();
  }
  if (const auto profile = object.find("profile"); profile != object.end() && !profile->is_null()) {
    if (!profile->is_string()) throw InputError(where + ".profile: expected a string, found " + type_name_of(*profile));
    scar.profile = profile->get<std::string>();
    if (scar.profile != "V" && scar.profile != "U" && scar.profile != "M" && scar.profile != "dome") {
      throw InputError(where + ".profile: '" + scar.profile + "' is not one of V, U, M, dome");
    }
  }
  if (const auto outline = object.find("outline_mm"); outline != object.end() && !outline->is_null()) {
    if (!outline->is_array()) throw InputError(where + ".outline_mm: expected a list of [x, y] points in mm");
    for (std::size_t i = 0; i < outline->size(); ++i) {
      scar.outline_mm.push_back(point_from_json((*outline)[i], where + ".outline_mm[" + std::to_string(i) + "]"));
    }
  }
  if (const auto scan = object.find("scan"); scan != object.end() && !scan->is_null()) {
    if (!scan->is_string()) throw InputError(where + ".scan: expected the scan's file name, found " + type_name_of(*scan));
    scar.scan = scan->get<std::string>();
  }
  if (const auto scan_id = object.find("scan_scar_id"); scan_id != object.end() && !scan_id->is_null()) {
    scar.scan_scar_id = required_integer(*scan_id, where + ".scan_scar_id");
  }
  if (const auto corrected = object.find("corrected_by_clinician"); corrected != object.end() && !corrected->is_null()) {
    if (!corrected->is_array()) throw InputError(where + ".corrected_by_clinician: expected a list of field names");
    for (const auto& field : *corrected) {
      if (!field.is_string()) throw InputError(where + ".corrected_by_clinician: expected a list of field names");
      scar.corrected_by_clinician.push_back(field.get<std::string>());
    }
  }
  for (const auto& [key, value] : object.items()) {
    if (kKnownScarFields.count(key) == 0 && value.is_number()) scar.extra[key] = value.get<double>();
  }

  // Area and equivalent-area diameter are one measurement in two forms (d = sqrt(4 A / pi)).
  if (scar.measured("area_mm2") && !scar.measured("diameter_mm")) {
    scar.diameter_mm = std::sqrt(4.0 * scar.area_mm2 / std::numbers::pi);
    scar.not_measured.erase("diameter_mm");
  } else if (scar.measured("diameter_mm") && !scar.measured("area_mm2")) {
    scar.area_mm2 = std::numbers::pi * scar.diameter_mm * scar.diameter_mm / 4.0;
    scar.not_measured.erase("area_mm2");
  }
  return scar;
}

ScarInventory inventory_from_json(const json& document, const std::string& source_name) {
  const std::string& src = source_name;
  if (!document.is_object()) {
    throw InputError(prefixed(src, "expected a JSON object with \"scars\" and/or \"counts\", found " + type_name_of(document)));
  }
  ScarInventory inventory;
  inventory.source = source_name;
  const auto scars = document.find("scars");
  const auto counts = document.find("counts");
  if ((scars == document.end() || scars->is_null()) && (counts == document.end() || counts->is_null())) {
    throw InputError(prefixed(src, "no \"scars\" list and no \"counts\": not a scar inventory"));
  }
  if (scars != document.end() && !scars->is_null()) {
    if (!scars->is_array()) throw InputError(prefixed(src, "scars: expected a list of scars, found " + type_name_of(*scars)));
    std::set<int> ids;
    for (std::size_t i = 0; i < scars->size(); ++i) {
      const std::string where = prefixed(src, "scars[" + std::to_string(i) + "]");
      Scar scar = scar_from_json((*scars)[i], where);
      if (!ids.insert(scar.id).second) {
        throw InputError(where + ".id: " + std::to_string(scar.id) + " is used by another scar; ids must be unique");
      }
      if (scar.type == ScarType::hypertrophic && (*scars)[i].contains("depth_um") && !(*scars)[i].contains("height_um")) {
        inventory.warnings.push_back(where + ": hypertrophic scar gives depth_um; read as its height (height_um)");
      }
      inventory.scars.push_back(std::move(scar));
    }
  }
  if (counts != document.end() && !counts->is_null()) {
    const ScarCounts declared = counts_from_json(*counts, prefixed(src, "counts"));
    const ScarCounts listed = inventory.counts();
    for (const ScarType type : kTypes) {
      const int missing = declared.of(type) - listed.of(type);
      if (counts->contains(scar_type_name(type)) && missing < 0) {
        throw InputError(prefixed(src, std::string("counts.") + scar_type_name(type) + ": " +
                                           std::to_string(declared.of(type)) + " but \"scars\" lists " +
                                           std::to_string(listed.of(type)) + " such scars; counts include the listed scars"));
      }
      if (missing > 0) inventory.unlisted.of(type) = missing;
    }
  }

  bool has_scan_information = false;
  if (auto coverage = optional_number(document, "coverage_cm2", src.empty() ? "document" : src)) {
    inventory.coverage_cm2 = non_negative(*coverage, prefixed(src, "coverage_cm2"));
    has_scan_information = true;
  }
  if (const auto scan = document.find("scan"); scan != document.end() && !scan->is_null()) {
    if (!scan->is_object()) throw InputError(prefixed(src, "scan: expected the scan object of DESIGN.md"));
    has_scan_information = true;
    if (!document.contains("coverage_cm2")) {
      if (auto coverage = coverage_of_scan(*scan, prefixed(src, "scan"))) inventory.coverage_cm2 = *coverage;
    }
    if (const auto file = scan->find("file"); file != scan->end() && file->is_string()) {
      inventory.scans.push_back(file->get<std::string>());
    }
  }
  if (const auto scan_names = document.find("scans"); scan_names != document.end() && !scan_names->is_null()) {
    if (!scan_names->is_array()) throw InputError(prefixed(src, "scans: expected a list of scan file names"));
    has_scan_information = true;
    inventory.scans.clear();
    for (const auto& name : *scan_names) {
      if (!name.is_string()) throw InputError(prefixed(src, "scans: expected a list of scan file names"));
      inventory.scans.push_back(name.get<std::string>());
    }
  }
  inventory.hand_count = !has_scan_information;
  if (const auto hand = document.find("hand_count"); hand != document.end() && !hand->is_null()) {
    if (!hand->is_boolean()) throw InputError(prefixed(src, "hand_count: expected true or false"));
    inventory.hand_count = hand->get<bool>();
  }
  return inventory;
}

ScarInventory read_inventory(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open the inventory file");
  json document;
  try {
    document = json::parse(in);
  } catch (const json::parse_error& error) {
    throw InputError(path.string() + ": not valid JSON (" + error.what() + ")");
  }
  return inventory_from_json(document, path.filename().string());
}

json scar_to_json(const Scar& scar) {
  const bool raised = scar.type == ScarType::hypertrophic;
  json object = json::object();
  object["id"] = scar.id;
  object["type"] = scar_type_name(scar.type);
  if (scar.measured("confidence")) object["confidence"] = scar.confidence;
  if (!scar.reason.empty()) object["reason"] = scar.reason;
  if (scar.measured("centroid_mm")) object["centroid_mm"] = {scar.centroid_mm[0], scar.centroid_mm[1]};
  if (scar.measured("area_mm2")) object["area_mm2"] = scar.area_mm2;
  if (scar.measured("diameter_mm")) object["diameter_mm"] = scar.diameter_mm;
  if (scar.measured("major_mm")) object["major_mm"] = scar.major_mm;
  if (scar.measured("minor_mm")) object["minor_mm"] = scar.minor_mm;
  if (scar.measured("depth_um")) {
    object[raised ? "height_um" : "depth_um"] = scar.depth_um;
    object["depth_is_lower_bound"] = scar.depth_is_lower_bound;
  }
  if (scar.measured("mean_depth_um")) object[raised ? "mean_height_um" : "mean_depth_um"] = scar.mean_depth_um;
  if (scar.measured("volume_mm3")) object["volume_mm3"] = scar.volume_mm3;
  if (scar.measured("wall_slope_deg")) object["wall_slope_deg"] = scar.wall_slope_deg;
  if (!scar.profile.empty()) object["profile"] = scar.profile;
  if (!scar.outline_mm.empty()) {
    json outline = json::array();
    for (const auto& point : scar.outline_mm) outline.push_back({point[0], point[1]});
    object["outline_mm"] = std::move(outline);
  }
  if (!scar.scan.empty()) {
    object["scan"] = scar.scan;
    object["scan_scar_id"] = scar.scan_scar_id;
  }
  if (!scar.corrected_by_clinician.empty()) object["corrected_by_clinician"] = scar.corrected_by_clinician;
  for (const auto& [key, value] : scar.extra) {
    if (kKnownScarFields.count(key) == 0 && std::isfinite(value)) object[key] = value;
  }
  return object;
}

json counts_to_json(const ScarCounts& counts) {
  json object = json::object();
  for (const ScarType type : kTypes) object[scar_type_name(type)] = counts.of(type);
  return object;
}

json inventory_to_json(const ScarInventory& inventory) {
  json scars = json::array();
  for (const Scar& scar : inventory.scars) scars.push_back(scar_to_json(scar));
  json document = {{"scars", std::move(scars)}, {"counts", counts_to_json(inventory.counts())}};
  if (inventory.hand_count) {
    document["hand_count"] = true;
  } else {
    document["coverage_cm2"] = inventory.coverage_cm2;
    document["scans"] = inventory.scans;
  }
  return document;
}

ScarInventory merge_inventories(const std::vector<ScarInventory>& inventories) {
  ScarInventory merged;
  merged.hand_count = !inventories.empty();
  int next_id = 1;
  for (std::size_t k = 0; k < inventories.size(); ++k) {
    const ScarInventory& part = inventories[k];
    std::string name;
    if (part.scans.size() == 1) {
      name = part.scans.front();
    } else if (!part.source.empty()) {
      name = part.source;
    } else {
      name = "inventory " + std::to_string(k + 1);
    }
    for (const Scar& original : part.scars) {
      Scar scar = original;
      if (scar.scan.empty()) {
        scar.scan = name;
        scar.scan_scar_id = original.id;
      }
      scar.id = next_id++;
      merged.scars.push_back(std::move(scar));
    }
    for (const ScarType type : kTypes) merged.unlisted.of(type) += part.unlisted.of(type);
    merged.coverage_cm2 += part.coverage_cm2;
    merged.scans.insert(merged.scans.end(), part.scans.begin(), part.scans.end());
    if (!part.hand_count) merged.hand_count = false;
    for (const std::string& warning : part.warnings) merged.warnings.push_back(warning);
  }
  if (inventories.size() == 1) merged.source = inventories.front().source;
  return merged;
}

}  // namespace scarscope
