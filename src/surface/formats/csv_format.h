// CSV height grids: one row of heights per line (separated by commas, semicolons, tabs or
// spaces), row 0 first; an empty cell or NaN is missing; lines starting with '#' are comments.
// CSV carries no units: --units and --spacing-um, or a sidecar, say them.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

HeightMap read_csv_text(std::string_view text, const std::string& name, const ReadOptions& options,
                        const Sidecar* sidecar);

// Heights in micrometres (shortest exact float text, NaN = missing) after a '#' comment line, with
// the sidecar (spacing and unit) that goes beside it as NAME.json; `name` is for messages and notes.
EncodedHeightMap encode_csv(const HeightMap& map, const std::string& name);
// encode_csv written to PATH and its sidecar to PATH.json; returns notes for the user.
std::vector<std::string> write_csv(const HeightMap& map, const std::filesystem::path& path);

}  // namespace scarscope::formats
