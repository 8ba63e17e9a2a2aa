// Float TIFF height maps (libtiff): one sample per pixel, 32- or 64-bit IEEE float (integer
// samples with a sidecar z_scale). NaN is missing. Spacing from the XResolution/YResolution tags,
// the sidecar or --spacing-um; the height unit from the sidecar, ScarScope's own
// ImageDescription, or --units.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

// True if the bytes start with a TIFF (or BigTIFF) signature.
bool looks_like_tiff(std::string_view first_bytes);

// `name` is used in messages and to describe the source; `sidecar` may be null.
HeightMap read_tiff_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                          const Sidecar* sidecar);

// Float32 heights in micrometres (NaN = missing, deflate), resolution tags in pixels per centimetre
// and a JSON ImageDescription, encoded in memory, with a micrometre sidecar for NAME.json.
EncodedHeightMap encode_tiff(const HeightMap& map, const std::string& name);
// encode_tiff written to PATH and its sidecar to PATH.json; returns notes for the user.
std::vector<std::string> write_tiff(const HeightMap& map, const std::filesystem::path& path);

}  // namespace scarscope::formats
