// The "scan" object shared by `info` and `analyze`: what was read, how big, how complete.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include "surface/height_map.h"

namespace scarscope {

// {"file", "format", "nx", "ny", "dx_um", "dy_um", "valid_points", "valid_fraction",
//  "z_min_um", "z_max_um", "checksum_ok", "warnings"}
nlohmann::json scan_summary_json(const HeightMap& map);

}  // namespace scarscope
