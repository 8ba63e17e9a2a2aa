#include "surface/scan_summary.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/json_fields.h"

namespace scarscope {

ScanSummary summarize_scan(const HeightMap& map) {
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
  ScanSummary summary;
  summary.file = std::filesystem::path(map.metadata.source_file).filename().string();
  summary.format = map.metadata.source_format;
  summary.nx = map.nx();
  summary.ny = map.ny();
  summary.dx_um = map.dx_um();
  summary.dy_um = map.dy_um();
  summary.valid_points = valid_points;
  summary.valid_fraction = count ? static_cast<double>(valid_points) / static_cast<double>(count) : 0.0;
  if (valid_points > 0) {
    summary.z_min_um = static_cast<float>(z_min);  // float, as the heights are (the JSON digits stay)
    summary.z_max_um = static_cast<float>(z_max);
  }
  summary.checksum_ok = map.metadata.checksum_ok;
  summary.warnings = map.metadata.warnings;
  summary.instrument = map.metadata.instrument;
  summary.date = map.metadata.date;
  return summary;
}

nlohmann::json scan_summary_to_json(const ScanSummary& summary) {
  nlohmann::json scan;
  scan["file"] = summary.file;
  scan["format"] = summary.format;
  scan["nx"] = summary.nx;
  scan["ny"] = summary.ny;
  scan["dx_um"] = summary.dx_um;
  scan["dy_um"] = summary.dy_um;
  scan["valid_points"] = summary.valid_points;
  scan["valid_fraction"] = summary.valid_fraction;
  scan["z_min_um"] = summary.z_min_um ? nlohmann::json(*summary.z_min_um) : nlohmann::json(nullptr);
  scan["z_max_um"] = summary.z_max_um ? nlohmann::json(*summary.z_max_um) : nlohmann::json(nullptr);
  scan["checksum_ok"] = summary.checksum_ok ? nlohmann::json(*summary.checksum_ok) : nlohmann::json(nullptr);
  scan["warnings"] = summary.warnings;
  if (!summary.instrument.empty()) scan["instrument"] = summary.instrument;
  if (!summary.date.empty()) scan["date"] = summary.date;
  return scan;
}

nlohmann::json scan_summary_json(const HeightMap& map) { return scan_summary_to_json(summarize_scan(map)); }

ScanSummary scan_summary_from_json(const nlohmann::json& scan, const std::string& source, const std::string& path) {
  const JsonField object(scan, source, path);
  object.expect_object();
  ScanSummary summary;
  summary.file = object.required("file").text();
  summary.format = object.required("format").text();
  summary.nx = static_cast<int>(object.required("nx").integer_between(0, 1LL << 31));
  summary.ny = static_cast<int>(object.required("ny").integer_between(0, 1LL << 31));
  summary.dx_um = object.required("dx_um").number();
  summary.dy_um = object.required("dy_um").number();
  summary.valid_points = static_cast<std::size_t>(object.required("valid_points").integer_between(0, 1LL << 62));
  summary.valid_fraction = object.required("valid_fraction").number_between(0.0, 1.0);
  if (const auto z = object.optional("z_min_um")) summary.z_min_um = z->number_float();
  if (const auto z = object.optional("z_max_um")) summary.z_max_um = z->number_float();
  if (const auto ok = object.optional("checksum_ok")) summary.checksum_ok = ok->boolean();
  if (const auto warnings = object.optional("warnings")) summary.warnings = warnings->texts();
  if (const auto instrument = object.optional("instrument")) summary.instrument = instrument->text();
  if (const auto date = object.optional("date")) summary.date = date->text();
  return summary;
}

}  // namespace scarscope
