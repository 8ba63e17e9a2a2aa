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

// Writes heights in micrometres (shortest exact float text, NaN = missing) with a '#' comment
// line and the sidecar PATH.json giving the spacing and unit; returns notes for the user.
std::vector<std::string> write_csv(const HeightMap& map, const std::filesystem::path& path);

}  // namespace scarscope::formats
