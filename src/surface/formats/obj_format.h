// Wavefront OBJ triangle meshes (what 3D face scanners export), resampled onto a regular grid as
// PLY meshes are. Only geometry is read: `v` lines (x y z, an optional w or colour ignored) and `f`
// lines (`i`, `i/t`, `i//n`, `i/t/n`; negative indices count back from the last vertex so far;
// polygons fanned into triangles). Texture, normals, groups, materials and comments are skipped.
// OBJ carries no units: --units (or a sidecar z_unit) applies to x, y and z.
#pragma once
#include <string>
#include <string_view>

#include "surface/formats/resample.h"
#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

// The mesh in micrometres (`micrometres_per_unit` times the file's numbers). InputError naming the
// line for a malformed statement, a non-finite coordinate or an index out of range; more vertices
// than `max_points` are refused. Memory stays proportional to the file's size.
Mesh read_obj_mesh(std::string_view bytes, const std::string& name, double micrometres_per_unit,
                   std::uint64_t max_points);

HeightMap read_obj_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar);

}  // namespace scarscope::formats
