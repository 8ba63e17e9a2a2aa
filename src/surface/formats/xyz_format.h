// ASCII XYZ point files: "x y z" per line (spaces, tabs, commas or semicolons; extra columns
// ignored; '#' comments). A regular grid is detected and kept as is (grid points absent from the
// file are missing); irregular points are averaged onto a grid like a PLY point cloud. XYZ
// carries no units: --units (or a sidecar z_unit) applies to all three coordinates.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "surface/formats/resample.h"
#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

HeightMap read_xyz_text(std::string_view text, const std::string& name, const ReadOptions& options,
                        const Sidecar* sidecar);

// If the points lie on a regular grid (within 1 % of its spacing), the grid; nullopt otherwise.
// Points at the same grid node are averaged; grid nodes without a point are missing.
std::optional<HeightMap> grid_from_regular_points(const std::vector<Point3>& points, std::uint64_t max_points);

// "x y z" in micrometres, one valid point per line (no sidecar).
EncodedHeightMap encode_xyz(const HeightMap& map, const std::string& name);
// encode_xyz written to PATH; returns notes for the user.
std::vector<std::string> write_xyz(const HeightMap& map, const std::filesystem::path& path);

}  // namespace scarscope::formats
