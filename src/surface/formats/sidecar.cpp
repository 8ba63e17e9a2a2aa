#include "surface/formats/sidecar.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope::formats {

namespace fs = std::filesystem;

namespace {

std::optional<double> number_field(const nlohmann::json& doc, const char* key, const std::string& name) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) {
    throw InputError(name + ": \"" + key + "\" must be a number, got " + it->dump());
  }
  const double value = it->get<double>();
  if (!std::isfinite(value)) throw InputError(name + ": \"" + key + "\" must be finite");
  return value;
}

bool nearly_equal(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b)); }

}  // namespace

Sidecar parse_sidecar(std::string_view json_text, const std::string& name) {
  const nlohmann::json doc = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded()) throw InputError(name + ": sidecar is not valid JSON");
  if (!doc.is_object()) throw InputError(name + ": sidecar must be a JSON object like {\"dx_um\": 20, ...}");
  Sidecar sidecar;
  sidecar.name = name;
  sidecar.dx_um = number_field(doc, "dx_um", name);
  sidecar.dy_um = number_field(doc, "dy_um", name);
  for (const auto& [key, value] : {std::pair{"dx_um", sidecar.dx_um}, std::pair{"dy_um", sidecar.dy_um}}) {
    if (value && *value <= 0.0) {
      throw InputError(name + ": \"" + key + "\" is " + format_number(*value) +
                       "; a spacing must be a positive number of micrometres");
    }
  }
  if (sidecar.dx_um && !sidecar.dy_um) sidecar.dy_um = sidecar.dx_um;  // square pixels when only dx is given
  if (sidecar.dy_um && !sidecar.dx_um) {
    throw InputError(name + ": \"dy_um\" is given without \"dx_um\"");
  }
  const auto unit = doc.find("z_unit");
  if (unit != doc.end() && !unit->is_null()) {
    if (!unit->is_string()) throw InputError(name + ": \"z_unit\" must be \"m\", \"mm\" or \"um\"");
    sidecar.z_unit = unit->get<std::string>();
    micrometres_per_unit(*sidecar.z_unit, name + ": \"z_unit\"");
  }
  sidecar.z_scale = number_field(doc, "z_scale", name);
  if (sidecar.z_scale && *sidecar.z_scale == 0.0) {
    throw InputError(name + ": \"z_scale\" is 0; heights would all be equal (it must be non-zero)");
  }
  sidecar.z_offset = number_field(doc, "z_offset", name);
  sidecar.missing_value = number_field(doc, "missing_value", name);
  return sidecar;
}

std::string sidecar_to_json(const Sidecar& sidecar) {
  nlohmann::ordered_json doc;
  if (sidecar.dx_um) doc["dx_um"] = *sidecar.dx_um;
  if (sidecar.dy_um) doc["dy_um"] = *sidecar.dy_um;
  if (sidecar.z_unit) doc["z_unit"] = *sidecar.z_unit;
  if (sidecar.z_scale) doc["z_scale"] = *sidecar.z_scale;
  if (sidecar.z_offset) doc["z_offset"] = *sidecar.z_offset;
  if (sidecar.missing_value) doc["missing_value"] = *sidecar.missing_value;
  return doc.dump(2) + "\n";
}

Sidecar micrometre_sidecar(double dx_um, double dy_um) {
  // Built in one initialisation: g++ 12 misreads assignments to optional<string> members as
  // reads of uninitialised memory under -O1 sanitizer builds.
  return Sidecar{std::string(), dx_um, dy_um, std::optional<std::string>(std::in_place, "um"), std::nullopt, std::nullopt,
                 std::nullopt};
}

fs::path sidecar_path_for(const fs::path& data_file) {
  fs::path path = data_file;
  path += ".json";
  return path;
}

std::optional<Sidecar> find_sidecar(const fs::path& data_file) {
  std::error_code ec;
  fs::path candidates[] = {sidecar_path_for(data_file), fs::path(data_file).replace_extension(".json")};
  for (const fs::path& candidate : candidates) {
    if (candidate == data_file) continue;
    if (fs::is_regular_file(candidate, ec)) {
      return parse_sidecar(read_file_bytes(candidate), candidate.string());
    }
  }
  return std::nullopt;
}

void write_sidecar(const Sidecar& sidecar, const fs::path& data_file) {
  write_file_bytes(sidecar_path_for(data_file), sidecar_to_json(sidecar));
}

std::vector<std::string> write_encoded(const EncodedHeightMap& encoded, const fs::path& data_file) {
  write_file_bytes(data_file, as_chars(encoded.bytes));
  if (!encoded.sidecar_json.empty()) write_file_bytes(sidecar_path_for(data_file), encoded.sidecar_json);
  return encoded.notes;
}

double resolve_height_unit(const UnitSources& sources) {
  const std::optional<std::string>& option_unit = sources.options->units;
  std::optional<std::string> sidecar_unit;
  if (sources.sidecar) sidecar_unit = sources.sidecar->z_unit;
  const auto factor = [&](const std::string& unit, const std::string& where) {
    return micrometres_per_unit(unit, where);
  };
  if (option_unit && sidecar_unit && factor(*option_unit, "--units") != factor(*sidecar_unit, sources.sidecar->name)) {
    throw InputError(sources.file + ": --units " + *option_unit + " contradicts " + sources.sidecar->name +
                     " (z_unit " + *sidecar_unit + "); remove one of them");
  }
  if (option_unit && sources.file_z_unit &&
      factor(*option_unit, "--units") != factor(*sources.file_z_unit, sources.file)) {
    throw InputError(sources.file + ": --units " + *option_unit + " contradicts the file, which states its heights are in " +
                     *sources.file_z_unit + "; leave out --units");
  }
  if (sidecar_unit && sources.file_z_unit &&
      factor(*sidecar_unit, sources.sidecar->name) != factor(*sources.file_z_unit, sources.file)) {
    throw InputError(sources.file + ": " + sources.sidecar->name + " (z_unit " + *sidecar_unit +
                     ") contradicts the file, which states its heights are in " + *sources.file_z_unit);
  }
  if (option_unit) return factor(*option_unit, "--units");
  if (sidecar_unit) return factor(*sidecar_unit, sources.sidecar->name);
  if (sources.file_z_unit) return factor(*sources.file_z_unit, sources.file);
  throw InputError(sources.file + ": " + sources.format_label +
                   " does not say its height unit: give --units m|mm|um (or a sidecar " +
                   sidecar_path_for(sources.file).filename().string() + " with \"z_unit\")");
}

Spacing resolve_grid_spacing(const UnitSources& sources) {
  const std::optional<double>& option_spacing = sources.options->spacing_um;
  std::optional<Spacing> sidecar_spacing;
  if (sources.sidecar && sources.sidecar->dx_um) {
    sidecar_spacing = Spacing{*sources.sidecar->dx_um, *sources.sidecar->dy_um};
  }
  if (option_spacing && !(*option_spacing > 0.0 && std::isfinite(*option_spacing))) {
    throw InputError("--spacing-um must be a positive number of micrometres");
  }
  if (option_spacing && sidecar_spacing &&
      !(nearly_equal(*option_spacing, sidecar_spacing->dx_um) && nearly_equal(*option_spacing, sidecar_spacing->dy_um))) {
    throw InputError(sources.file + ": --spacing-um " + format_number(*option_spacing) + " contradicts " +
                     sources.sidecar->name + " (dx_um " + format_number(sidecar_spacing->dx_um) + ", dy_um " +
                     format_number(sidecar_spacing->dy_um) + "); remove one of them");
  }
  if (option_spacing) return {*option_spacing, *option_spacing};
  if (sidecar_spacing) return *sidecar_spacing;
  if (sources.file_dx_um && sources.file_dy_um) return {*sources.file_dx_um, *sources.file_dy_um};
  throw InputError(sources.file + ": " + sources.format_label +
                   " does not say its grid spacing: give --spacing-um (or a sidecar " +
                   sidecar_path_for(sources.file).filename().string() + " with \"dx_um\" and \"dy_um\")");
}

}  // namespace scarscope::formats
