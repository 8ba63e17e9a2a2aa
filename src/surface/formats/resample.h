// Turning scattered points or a triangle mesh (coordinates in micrometres) into a regular
// HeightMap: meshes are interpolated linearly over their triangles (barycentric), point clouds
// averaged per grid cell. Nothing is invented where there is no triangle or no point.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope::formats {

struct Sidecar;

struct Point3 {
  double x = 0.0;  // micrometres
  double y = 0.0;
  double z = 0.0;
};
using Triangle = std::array<std::uint32_t, 3>;

// A triangle mesh as a reader gives it: coordinates in micrometres, every index in range.
struct Mesh {
  std::vector<Point3> vertices;
  std::vector<Triangle> triangles;
  std::vector<std::string> warnings;  // what the reader tolerated, for HeightMapMetadata::warnings
  double micrometres_per_unit = 1.0;  // the file's unit (coordinates above are already converted)
};

struct ResampleSettings {
  std::string name;                  // file name for messages
  std::optional<double> spacing_um;  // grid spacing; default the median nearest-neighbour distance
  std::uint64_t max_points = std::uint64_t{1} << 28;
  std::uint64_t input_bytes = 0;     // size of the file the points came from (bounds the grid)
};

// Median distance from each point to its nearest other point (in x-y; points at the same x-y
// position are ignored); 0 if there are fewer than two distinct positions. At most `sample`
// points are examined (evenly spaced), so it stays fast on millions of points.
double median_nearest_neighbour_distance(const std::vector<Point3>& points, std::size_t sample = 20000);

// Grid geometry covering the points: origin at the smallest x and y.
struct GridFrame {
  double x0_um = 0.0;
  double y0_um = 0.0;
  double spacing_um = 1.0;
  int nx = 0;
  int ny = 0;
};
// Chooses and checks the grid; InputError if the grid would be larger than --max-points or out of
// all proportion to the input (a few points spread over kilometres).
GridFrame plan_grid(const std::vector<Point3>& points, const ResampleSettings& settings);

// Each valid grid node is the mean z of the points nearest to it.
HeightMap resample_point_cloud(const std::vector<Point3>& points, const ResampleSettings& settings);
// Each grid node inside a triangle (seen from above) gets the triangle's linear interpolation;
// where triangles overlap the highest wins (what a scanner above the surface sees).
HeightMap resample_mesh(const std::vector<Point3>& vertices, const std::vector<Triangle>& triangles,
                        const ResampleSettings& settings);
// A mesh file (`format` "ply", "obj" or "stl") seen from above along its z axis: resample_mesh at
// the options' spacing, with the mesh's warnings and the source recorded in the metadata.
HeightMap mesh_height_map(const Mesh& mesh, const std::string& name, const std::string& format,
                          const ResampleSettings& settings);

// Reads a unit-less mesh file's bytes with `reader` (its units from the options or the sidecar,
// `label` naming the format in messages: "OBJ") and makes the height map seen from above.
using MeshReader = Mesh (*)(std::string_view bytes, const std::string& name, double micrometres_per_unit,
                            std::uint64_t max_points);
HeightMap read_mesh_height_map(std::string_view bytes, const std::string& name, const char* label,
                               const std::string& format, const ReadOptions& options, const Sidecar* sidecar,
                               MeshReader reader);

}  // namespace scarscope::formats
