// PLY point clouds and triangle meshes (ASCII, binary little- and big-endian), resampled onto a
// regular grid: a mesh is interpolated over its triangles, a point cloud averaged per grid cell.
// PLY carries no units: --units (or a sidecar z_unit) applies to x, y and z.
#pragma once
#include <string>
#include <string_view>

#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

bool looks_like_ply(std::string_view first_bytes);

// InputError naming the header line or element (vertex or face number) for a lying header, a
// face index out of range, or a file that ends early. Allocation never exceeds what the file's
// size can hold, whatever the header claims.
HeightMap read_ply_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar);

}  // namespace scarscope::formats
