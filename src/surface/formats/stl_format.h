// STL triangle meshes, binary and ASCII, resampled onto a regular grid as PLY meshes are. A file
// is binary when its size is exactly 84 + 50 × the triangle count its header states (binary files
// often begin with "solid" too, so the prefix decides nothing); otherwise it must be ASCII
// ("solid ... facet normal ... outer loop vertex x y z ... endloop endfacet ... endsolid").
// STL carries no units: --units (or a sidecar z_unit) applies to x, y and z.
#pragma once
#include <string>
#include <string_view>

#include "surface/formats/resample.h"
#include "surface/formats/sidecar.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

// True when the size matches the binary layout for the count in bytes 80-83.
bool is_binary_stl(std::string_view bytes);

// The mesh in micrometres (three vertices per triangle, as STL stores them). InputError naming the
// triangle (binary) or line (ASCII) for a non-finite coordinate, a facet that is not a triangle or
// a file that ends early; more than `max_points` vertices are refused before anything is allocated.
Mesh read_stl_mesh(std::string_view bytes, const std::string& name, double micrometres_per_unit,
                   std::uint64_t max_points);

HeightMap read_stl_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar);

}  // namespace scarscope::formats
