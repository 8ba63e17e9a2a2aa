#include "surface/scan_summary.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

namespace scarscope {

nlohmann::json scan_summary_json(const HeightMap& map) {
  float z_min = std::numeric_limits<float>::infinity();
  float z_max = -std::numeric_limits<float>::infinity();
  const std::size_t count = map.size();
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();
  std::size_t valid_points = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!valid[i]) continue;
    ++valid_points;
    z_min = std::min(z_min, z[i]);
    z_max = std::max(z_max, z[i]);
  }
  nlohmann::json scan;
  scan["file"] = std::filesystem::path(map.metadata.source_file).filename().string();
  scan["format"] = map.metadata.source_format;
  scan["nx"] = map.nx();
  scan["ny"] = map.ny();
  scan["dx_um"] = map.dx_um();
  scan["dy_um"] = map.dy_um();
  scan["valid_points"] = valid_points;
  scan["valid_fraction"] = count ? static_cast<double>(valid_points) / static_cast<double>(count) : 0.0;
  if (valid_points > 0) {
    scan["z_min_um"] = z_min;
    scan["z_max_um"] = z_max;
  } else {
    scan["z_min_um"] = nullptr;
    scan["z_max_um"] = nullptr;
  }
  if (map.metadata.checksum_ok.has_value()) {
    scan["checksum_ok"] = *map.metadata.checksum_ok;
  } else {
    scan["checksum_ok"] = nullptr;
  }
  scan["warnings"] = map.metadata.warnings;
  if (!map.metadata.instrument.empty()) scan["instrument"] = map.metadata.instrument;
  if (!map.metadata.date.empty()) scan["date"] = map.metadata.date;
  return scan;
}

}  // namespace scarscope
