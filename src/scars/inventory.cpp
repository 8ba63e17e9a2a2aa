// Reading and writing the scar inventory (DESIGN.md "Analysis JSON"), and merging the scans of a visit.
// The reader is tolerant where a meaning is unambiguous (a hand-made list without measurements,
// depth_um on a hypertrophic scar) and strict where a guess could mislead (unknown type, wrong type
// of a field, counts smaller than the list).
#include "scars/inventory.h"

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "core/format.h"
#include "core/json_fields.h"
#include "core/result_version.h"

namespace scarscope {
namespace {

using nlohmann::json;

const std::array<ScarType, 4> kTypes{ScarType::ice_pick, ScarType::boxcar, ScarType::rolling,
                                     ScarType::hypertrophic};

constexpr std::array<ScarMeasure, 10> kMeasures{
    ScarMeasure::confidence, ScarMeasure::centroid_mm,   ScarMeasure::area_mm2,   ScarMeasure::diameter_mm,
    ScarMeasure::major_mm,   ScarMeasure::minor_mm,      ScarMeasure::depth_um,   ScarMeasure::mean_depth_um,
    ScarMeasure::volume_mm3, ScarMeasure::wall_slope_deg};

// The shape measurements, their JSON names and where they live in ScarShape.
struct ShapeField {
  const char* name;
  std::optional<double> ScarShape::*member;
};
constexpr std::array<ShapeField, 8> kShapeFields{{{"floor_fraction", &ScarShape::floor_fraction},
                                                  {"flat_fraction", &ScarShape::flat_fraction},
                                                  {"wall_sharpness", &ScarShape::wall_sharpness},
                                                  {"depth_to_width", &ScarShape::depth_to_width},
                                                  {"elongation", &ScarShape::elongation},
                                                  {"unseen_fraction", &ScarShape::unseen_fraction},
                                                  {"rim_level_um", &ScarShape::rim_level_um},
                                                  {"max_depth_um", &ScarShape::max_depth_um}}};
constexpr const char* kExtentExtrapolated = "extent_extrapolated";

// Scar fields the reader interprets itself; any other numeric field goes to Scar::extra.
const std::set<std::string> kKnownScarFields{
    "id",          "type",         "confidence", "reason",        "centroid_mm",    "area_mm2",
    "diameter_mm", "major_mm",     "minor_mm",   "depth_um",      "height_um",      "depth_is_lower_bound",
    "mean_depth_um", "mean_height_um", "volume_mm3", "wall_slope_deg", "profile", "outline_mm",
    "scan",        "scan_scar_id", "corrected_by_clinician", "floor_fraction", "flat_fraction", "wall_sharpness",
    "depth_to_width", "elongation", "unseen_fraction", "rim_level_um", "extent_extrapolated", "max_depth_um"};

std::optional<double> optional_number(const JsonField& object, std::string_view key) {
  const auto field = object.optional(key);
  if (!field) return std::nullopt;
  return field->number();
}

double non_negative(const JsonField& field, double value) {
  if (value < 0.0) {
    field.fail(ErrorCode::out_of_range,
               general_decimal(value) + " is negative (sizes, depths and heights are positive numbers)");
  }
  return value;
}

double non_negative(const JsonField& field) { return non_negative(field, field.number()); }

int required_integer(const JsonField& field) {
  const json& value = field.value();
  if (!value.is_number_integer() && !(value.is_number_float() && std::floor(value.get<double>()) == value.get<double>())) {
    field.fail(ErrorCode::wrong_type,
               "expected an integer, found " + (value.is_number() ? value.dump() : field.type_name()));
  }
  const double number = value.get<double>();
  if (number < 0 || number > 1e9) field.fail(ErrorCode::out_of_range, value.dump() + " is out of range (0 or more)");
  return static_cast<int>(number);
}

std::array<double, 2> point_from_json(const JsonField& field) {
  const json& value = field.value();
  if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) {
    field.fail(ErrorCode::wrong_type, "expected [x, y] in mm");
  }
  std::array<double, 2> point{value[0].get<double>(), value[1].get<double>()};
  if (!std::isfinite(point[0]) || !std::isfinite(point[1])) field.fail(ErrorCode::out_of_range, "not finite");
  return point;
}

ScarCounts counts_from_json(const JsonField& counts) {
  counts.expect_object("expected an object like {\"boxcar\": 3}, found " + counts.type_name());
  ScarCounts result;
  for (const auto& [key, value] : counts.members()) {
    if (key == "total") continue;  // derived; the per-type numbers are what count
    ScarType type;
    try {
      type = parse_scar_type(key);
    } catch (const InputError&) {
      value.fail(ErrorCode::unknown_field, "not a scar type (ice_pick, boxcar, rolling, hypertrophic)");
    }
    result.of(type) = required_integer(value);
  }
  return result;
}

// Coverage in cm² from a "scan" object: its own coverage_cm2, or the grid's size times valid fraction.
std::optional<double> coverage_of_scan(const JsonField& scan) {
  if (auto coverage = optional_number(scan, "coverage_cm2")) return non_negative(scan.member("coverage_cm2"), *coverage);
  const auto nx = optional_number(scan, "nx");
  const auto ny = optional_number(scan, "ny");
  const auto dx = optional_number(scan, "dx_um");
  const auto dy = optional_number(scan, "dy_um");
  if (!nx || !ny || !dx || !dy) return std::nullopt;
  double fraction = 1.0;
  if (auto valid = optional_number(scan, "valid_fraction")) fraction = *valid;
  if (fraction < 0.0 || fraction > 1.0) scan.member("valid_fraction").fail(ErrorCode::out_of_range, "must be between 0 and 1");
  const double area_um2 = non_negative(scan.member("nx"), *nx) * non_negative(scan.member("dx_um"), *dx) *
                          non_negative(scan.member("ny"), *ny) * non_negative(scan.member("dy_um"), *dy) * fraction;
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
  throw InputError("'" + name + "' is not a scar type (ice_pick, boxcar, rolling, hypertrophic)", ErrorCode::bad_input);
}

const std::array<ScarType, 4>& all_scar_types() { return kTypes; }

const char* scar_measure_name(ScarMeasure measure) {
  switch (measure) {
    case ScarMeasure::confidence: return "confidence";
    case ScarMeasure::centroid_mm: return "centroid_mm";
    case ScarMeasure::area_mm2: return "area_mm2";
    case ScarMeasure::diameter_mm: return "diameter_mm";
    case ScarMeasure::major_mm: return "major_mm";
    case ScarMeasure::minor_mm: return "minor_mm";
    case ScarMeasure::depth_um: return "depth_um";
    case ScarMeasure::mean_depth_um: return "mean_depth_um";
    case ScarMeasure::volume_mm3: return "volume_mm3";
    case ScarMeasure::wall_slope_deg: return "wall_slope_deg";
  }
  return "unknown";
}

std::optional<ScarMeasure> scar_measure_named(std::string_view name) {
  for (const ScarMeasure measure : kMeasures) {
    if (name == scar_measure_name(measure)) return measure;
  }
  return std::nullopt;
}

bool Scar::measured(std::string_view name) const {
  const auto measure = scar_measure_named(name);
  return !measure || measured(*measure);
}

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

namespace {

Scar read_scar(const JsonField& object) {
  object.expect_object("expected a scar object, found " + object.type_name());
  Scar scar;
  scar.id = required_integer(
      object.required("id", "missing; every listed scar needs a unique integer id (clinician corrections refer to it)"));
  scar.type = object.required("type", "missing; one of ice_pick, boxcar, rolling, hypertrophic").parsed_text(parse_scar_type);
  const bool raised = scar.type == ScarType::hypertrophic;

  auto number_field = [&](ScarMeasure measure, double& target, bool must_be_positive) {
    const JsonField field = object.member(scar_measure_name(measure));
    if (field.is_null()) {
      scar.not_measured.insert(measure);
    } else {
      target = must_be_positive ? non_negative(field) : field.number();
    }
  };

  if (const auto confidence = object.optional("confidence")) {
    scar.confidence = confidence->number();
    if (scar.confidence < 0.0 || scar.confidence > 1.0) confidence->fail(ErrorCode::out_of_range, "must be between 0 and 1");
  } else {
    // A scar listed by hand is as certain as the person who listed it; the writer leaves it out again.
    scar.confidence = 1.0;
    scar.not_measured.insert(ScarMeasure::confidence);
  }
  if (const auto reason = object.optional("reason")) scar.reason = reason->text();
  if (const auto centroid = object.optional("centroid_mm")) {
    scar.centroid_mm = point_from_json(*centroid);
  } else {
    scar.not_measured.insert(ScarMeasure::centroid_mm);
  }
  number_field(ScarMeasure::area_mm2, scar.area_mm2, true);
  number_field(ScarMeasure::diameter_mm, scar.diameter_mm, true);
  number_field(ScarMeasure::major_mm, scar.major_mm, true);
  number_field(ScarMeasure::minor_mm, scar.minor_mm, true);
  number_field(ScarMeasure::volume_mm3, scar.volume_mm3, true);
  number_field(ScarMeasure::wall_slope_deg, scar.wall_slope_deg, false);

  // Depth of a depression, height of a raised scar (DESIGN: height_um replaces depth_um).
  const auto depth = optional_number(object, "depth_um");
  const auto height = optional_number(object, "height_um");
  if (raised) {
    if (height) {
      scar.depth_um = non_negative(object.member("height_um"), *height);
    } else if (depth) {
      scar.depth_um = std::abs(*depth);  // tolerated: the inventory reader records a warning
    } else {
      scar.not_measured.insert(ScarMeasure::depth_um);
    }
  } else {
    if (height) {
      object.member("height_um").fail(ErrorCode::bad_input, "only a hypertrophic scar has a height; a " +
                                                                std::string(scar_type_name(scar.type)) + " scar gives depth_um");
    }
    if (depth) {
      scar.depth_um = non_negative(object.member("depth_um"), *depth);
    } else {
      scar.not_measured.insert(ScarMeasure::depth_um);
    }
  }
  const auto mean_depth = optional_number(object, "mean_depth_um");
  const auto mean_height = optional_number(object, "mean_height_um");
  if (raised && mean_height) {
    scar.mean_depth_um = non_negative(object.member("mean_height_um"), *mean_height);
  } else if (mean_depth) {
    scar.mean_depth_um = raised ? std::abs(*mean_depth) : non_negative(object.member("mean_depth_um"), *mean_depth);
  } else {
    scar.not_measured.insert(ScarMeasure::mean_depth_um);
  }

  if (const auto lower = object.optional("depth_is_lower_bound")) scar.depth_is_lower_bound = lower->boolean();
  if (const auto profile = object.optional("profile")) {
    scar.profile = profile->text();
    if (scar.profile != "V" && scar.profile != "U" && scar.profile != "M" && scar.profile != "dome") {
      profile->fail(ErrorCode::bad_input, "'" + scar.profile + "' is not one of V, U, M, dome");
    }
  }
  if (const auto outline = object.optional("outline_mm")) {
    for (const JsonField& point : outline->expect_array("expected a list of [x, y] points in mm").elements()) {
      scar.outline_mm.push_back(point_from_json(point));
    }
  }
  if (const auto scan = object.optional("scan")) scar.scan = scan->text("expected the scan's file name, found " + scan->type_name());
  if (const auto scan_id = object.optional("scan_scar_id")) scar.scan_scar_id = required_integer(*scan_id);
  if (const auto corrected = object.optional("corrected_by_clinician")) {
    scar.corrected_by_clinician = corrected->texts("expected a list of field names");
  }
  for (const ShapeField& shape : kShapeFields) {
    if (const auto value = optional_number(object, shape.name)) scar.shape.*shape.member = *value;
  }
  if (const auto extrapolated = object.optional(kExtentExtrapolated)) {
    // Written as 1 or 0 (a number, like the other shape measurements).
    scar.shape.extent_extrapolated = extrapolated->is_boolean() ? extrapolated->boolean() : extrapolated->number() != 0.0;
  }
  for (const auto& [key, value] : object.members()) {
    if (kKnownScarFields.count(key) == 0 && value.is_number()) scar.extra[key] = value.value().get<double>();
  }

  // Area and equivalent-area diameter are one measurement in two forms (d = sqrt(4 A / pi)).
  if (scar.measured(ScarMeasure::area_mm2) && !scar.measured(ScarMeasure::diameter_mm)) {
    scar.diameter_mm = std::sqrt(4.0 * scar.area_mm2 / std::numbers::pi);
    scar.not_measured.erase(ScarMeasure::diameter_mm);
  } else if (scar.measured(ScarMeasure::diameter_mm) && !scar.measured(ScarMeasure::area_mm2)) {
    scar.area_mm2 = std::numbers::pi * scar.diameter_mm * scar.diameter_mm / 4.0;
    scar.not_measured.erase(ScarMeasure::area_mm2);
  }
  return scar;
}

}  // namespace

Scar scar_from_json(const json& object, const std::string& where) { return read_scar(JsonField(object, "", where)); }

ScarInventory inventory_from_json(const json& document, const std::string& source_name) {
  const JsonField root(document, source_name);
  root.expect_object("expected a JSON object with \"scars\" and/or \"counts\", found " + root.type_name());
  // A stored analysis from a newer ScarScope may mean something else by these fields.
  read_result_version(document, ResultKind::analysis, source_name);
  ScarInventory inventory;
  inventory.source = source_name;
  const auto scars = root.optional("scars");
  const auto counts = root.optional("counts");
  if (!scars && !counts) root.fail(ErrorCode::missing_field, "no \"scars\" list and no \"counts\": not a scar inventory");
  if (scars) {
    scars->expect_array("expected a list of scars, found " + scars->type_name());
    std::set<int> ids;
    for (const JsonField& entry : scars->elements()) {
      Scar scar = read_scar(entry);
      if (!ids.insert(scar.id).second) {
        entry.member("id").fail(ErrorCode::bad_input, std::to_string(scar.id) + " is used by another scar; ids must be unique");
      }
      if (scar.type == ScarType::hypertrophic && entry.value().contains("depth_um") && !entry.value().contains("height_um")) {
        inventory.warnings.push_back(entry.where() + ": hypertrophic scar gives depth_um; read as its height (height_um)");
      }
      inventory.scars.push_back(std::move(scar));
    }
  }
  if (counts) {
    const ScarCounts declared = counts_from_json(*counts);
    const ScarCounts listed = inventory.counts();
    for (const ScarType type : kTypes) {
      const int missing = declared.of(type) - listed.of(type);
      if (counts->value().contains(scar_type_name(type)) && missing < 0) {
        counts->member(scar_type_name(type))
            .fail(ErrorCode::bad_input, std::to_string(declared.of(type)) + " but \"scars\" lists " +
                                            std::to_string(listed.of(type)) + " such scars; counts include the listed scars");
      }
      if (missing > 0) inventory.unlisted.of(type) = missing;
    }
  }

  bool has_scan_information = false;
  if (auto coverage = optional_number(root, "coverage_cm2")) {
    inventory.coverage_cm2 = non_negative(root.member("coverage_cm2"), *coverage);
    has_scan_information = true;
  }
  if (const auto scan = root.optional("scan")) {
    scan->expect_object("expected the scan object of DESIGN.md");
    has_scan_information = true;
    if (!document.contains("coverage_cm2")) {
      if (auto coverage = coverage_of_scan(*scan)) inventory.coverage_cm2 = *coverage;
    }
    if (const auto file = scan->optional("file"); file && file->is_string()) inventory.scans.push_back(file->text());
  }
  if (const auto scan_names = root.optional("scans")) {
    has_scan_information = true;
    inventory.scans = scan_names->texts("expected a list of scan file names");
  }
  inventory.hand_count = !has_scan_information;
  if (const auto hand = root.optional("hand_count")) inventory.hand_count = hand->boolean();
  return inventory;
}

ScarInventory read_inventory(const std::filesystem::path& path) {
  return inventory_from_json(read_json_file(path), path.filename().string());
}

json scar_to_json(const Scar& scar) {
  const bool raised = scar.type == ScarType::hypertrophic;
  json object = json::object();
  object["id"] = scar.id;
  object["type"] = scar_type_name(scar.type);
  if (scar.measured(ScarMeasure::confidence)) object["confidence"] = scar.confidence;
  if (!scar.reason.empty()) object["reason"] = scar.reason;
  if (scar.measured(ScarMeasure::centroid_mm)) object["centroid_mm"] = {scar.centroid_mm[0], scar.centroid_mm[1]};
  if (scar.measured(ScarMeasure::area_mm2)) object["area_mm2"] = scar.area_mm2;
  if (scar.measured(ScarMeasure::diameter_mm)) object["diameter_mm"] = scar.diameter_mm;
  if (scar.measured(ScarMeasure::major_mm)) object["major_mm"] = scar.major_mm;
  if (scar.measured(ScarMeasure::minor_mm)) object["minor_mm"] = scar.minor_mm;
  if (scar.measured(ScarMeasure::depth_um)) {
    object[raised ? "height_um" : "depth_um"] = scar.depth_um;
    object["depth_is_lower_bound"] = scar.depth_is_lower_bound;
  }
  if (scar.measured(ScarMeasure::mean_depth_um)) object[raised ? "mean_height_um" : "mean_depth_um"] = scar.mean_depth_um;
  if (scar.measured(ScarMeasure::volume_mm3)) object["volume_mm3"] = scar.volume_mm3;
  if (scar.measured(ScarMeasure::wall_slope_deg)) object["wall_slope_deg"] = scar.wall_slope_deg;
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
  for (const ShapeField& shape : kShapeFields) {
    const std::optional<double>& value = scar.shape.*shape.member;
    if (value && std::isfinite(*value)) object[shape.name] = *value;
  }
  if (scar.shape.extent_extrapolated) object[kExtentExtrapolated] = *scar.shape.extent_extrapolated ? 1.0 : 0.0;
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
