// PLY point clouds and triangle meshes (ASCII, binary little- and big-endian), resampled onto a
// regular grid: a mesh is interpolated over its triangles, a point cloud averaged per grid cell.
// PLY carries no units: --units (or a sidecar z_unit) applies to x, y and z.
#pragma once
#include <string>
#include <string_view>

#include "surface/formats/resample.h"
#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

bool looks_like_ply(std::string_view first_bytes);

// InputError naming the header line or element (vertex or face number) for a lying header, a
// face index out of range, or a file that ends early. Allocation never exceeds what the file's
// size can hold, whatever the header claims.
// The mesh alone (for turning a region of it into a height map): InputError for a point cloud or a
// non-finite vertex.
Mesh read_ply_mesh(std::string_view bytes, const std::string& name, double micrometres_per_unit,
                   std::uint64_t max_points);

HeightMap read_ply_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar);

}  // namespace scarscope::formats
