// 16-bit (or 8-bit) grey PNG height maps with their JSON sidecar: the sidecar is required and
// must give z_scale and z_offset (height = z_offset + z_scale * pixel, in z_unit); the pixel
// value 0, or the sidecar's "missing_value", means missing.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

bool looks_like_png(std::string_view first_bytes);

// `sidecar` may be null (then InputError: a PNG needs its sidecar).
HeightMap read_png_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar);

// A 16-bit grey PNG quantising the heights over their range (0 = missing), with its sidecar (scale,
// offset, spacing; NAME.json beside it); the notes give the quantisation step.
EncodedHeightMap encode_png_height_map(const HeightMap& map, const std::string& name);
// encode_png_height_map written to PATH and its sidecar to PATH.json; returns notes for the user.
std::vector<std::string> write_png_height_map(const HeightMap& map, const std::filesystem::path& path);

}  // namespace scarscope::formats
