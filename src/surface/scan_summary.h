// The "scan" object shared by `info` and `analyze`: what was read, how big, how complete.
#pragma once
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "surface/height_map.h"

namespace scarscope {

struct ScanSummary {
  std::string file;    // the file's name, no folder
  std::string format;  // "x3p", "tiff", ...
  int nx = 0, ny = 0;
  double dx_um = 0.0, dy_um = 0.0;
  std::size_t valid_points = 0;
  double valid_fraction = 0.0;
  std::optional<float> z_min_um, z_max_um;  // float, as the heights are; none without a valid point
  std::optional<bool> checksum_ok;          // formats that carry a checksum
  std::vector<std::string> warnings;        // what the reader tolerated
  std::string instrument, date;             // where the file says
  bool operator==(const ScanSummary&) const = default;
};

ScanSummary summarize_scan(const HeightMap& map);

// {"file", "format", "nx", "ny", "dx_um", "dy_um", "valid_points", "valid_fraction",
//  "z_min_um", "z_max_um", "checksum_ok", "warnings"} (+ "instrument", "date" when known)
nlohmann::json scan_summary_to_json(const ScanSummary& summary);
nlohmann::json scan_summary_json(const HeightMap& map);
// The object back (a stored result); InputError naming the field. `path` is its place in the document.
ScanSummary scan_summary_from_json(const nlohmann::json& scan, const std::string& source, const std::string& path = "scan");

}  // namespace scarscope
