// The JSON sidecar that gives an image or text height map what the file itself cannot say:
// {"dx_um": 20, "dy_um": 20, "z_unit": "um", "z_scale": 0.01, "z_offset": -300, "missing_value": 0}
// height (in z_unit) = z_offset + z_scale * stored value. For `scan.png` it is `scan.png.json`
// (what ScarScope writes) or `scan.json`.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surface/io.h"

namespace scarscope::formats {

struct Sidecar {
  std::string name;  // file name for messages
  std::optional<double> dx_um;
  std::optional<double> dy_um;
  std::optional<std::string> z_unit;  // "m", "mm" or "um"
  std::optional<double> z_scale;
  std::optional<double> z_offset;
  std::optional<double> missing_value;  // stored value that means "no data"
};

// Parses and validates a sidecar (spacings finite and positive, a known unit, a finite non-zero
// scale); InputError naming `name` and the field otherwise.
Sidecar parse_sidecar(std::string_view json_text, const std::string& name);
std::string sidecar_to_json(const Sidecar& sidecar);
// The sidecar of a grid written in micrometres: spacing and z_unit "um".
Sidecar micrometre_sidecar(double dx_um, double dy_um);

// The sidecar ScarScope writes next to `data_file`: `data_file` + ".json".
std::filesystem::path sidecar_path_for(const std::filesystem::path& data_file);
// The sidecar of `data_file` if one exists (`scan.png.json`, else `scan.json`).
std::optional<Sidecar> find_sidecar(const std::filesystem::path& data_file);
void write_sidecar(const Sidecar& sidecar, const std::filesystem::path& data_file);
// Writes an encoded height map to `data_file` and its sidecar, if it has one, beside it; returns its notes.
std::vector<std::string> write_encoded(const EncodedHeightMap& encoded, const std::filesystem::path& data_file);

// How a reader learns units and spacing: the command line, a sidecar, and what the file says,
// with a refusal when two of them disagree and a refusal naming the missing option when none
// says. Never a guess.
struct UnitSources {
  std::string file;                            // data file name, for messages
  std::string format_label;                    // "CSV", "float TIFF", ... for messages
  const ReadOptions* options = nullptr;
  const Sidecar* sidecar = nullptr;            // may be null
  std::optional<std::string> file_z_unit;      // what the file itself states (TIFF description)
  std::optional<double> file_dx_um, file_dy_um;  // what the file itself states (resolution tags)
};

// Micrometres per stored height unit (--units, sidecar z_unit, or the file's own statement).
double resolve_height_unit(const UnitSources& sources);
struct Spacing {
  double dx_um;
  double dy_um;
};
// Grid spacing (--spacing-um, sidecar dx_um/dy_um, or the file's resolution).
Spacing resolve_grid_spacing(const UnitSources& sources);

}  // namespace scarscope::formats
