#include "surface/scan_summary.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace scarscope {

nlohmann::json scan_summary_json(const HeightMap& map) {
  // One pass with OpenCV's vectorised kernels (count of the mask, extremes under the mask) instead
  // of a branchy loop over every point: the same figures, as valid heights are finite.
  const std::size_t count = map.size();
  std::size_t valid_points = 0;
  double z_min = 0.0, z_max = 0.0;
  if (count > 0) {
    const cv::Mat z(map.ny(), map.nx(), CV_32F, const_cast<float*>(map.heights()));
    const cv::Mat valid(map.ny(), map.nx(), CV_8U, const_cast<std::uint8_t*>(map.mask()));
    valid_points = static_cast<std::size_t>(cv::countNonZero(valid));
    if (valid_points > 0) cv::minMaxIdx(z, &z_min, &z_max, nullptr, nullptr, valid);
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
    scan["z_min_um"] = static_cast<float>(z_min);  // float, as the heights are (the JSON digits stay)
    scan["z_max_um"] = static_cast<float>(z_max);
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
