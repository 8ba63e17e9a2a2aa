// A region of a 3D mesh (a face scan from a 3D face scanner: OBJ, STL or PLY) turned into a height
// map: the triangles within a radius of a centre, seen along the normal of the region's best-fit
// plane, rasterised as meshes are (surface/formats/resample.h). What `scarscope convert face.obj
// cheek.x3p --units mm --region X,Y,Z,R` does.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "surface/formats/resample.h"
#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope {

struct MeshRegion {
  formats::Point3 centre_um;
  double radius_um = 0.0;
  // The plane to look along; none: fitted robustly to the region's triangles.
  std::optional<formats::Point3> normal;
};

// The region three picked points on the skin span: the plane through them, centred on their
// centroid, of radius the largest distance from the centroid to one of them unless `radius_um`
// is given. InputError if the points are (nearly) collinear or a radius is not positive.
MeshRegion region_from_points(const std::array<formats::Point3, 3>& points_um, std::optional<double> radius_um);

struct MeshRegionMap {
  HeightMap map;
  // The frame the map is drawn in: grid point (row, col) with height z lies at
  // centre + (origin_x + col dx) u + (origin_y + row dy) v + z normal (micrometres).
  formats::Point3 centre_um, u, v, normal;
  double origin_x_um = 0.0, origin_y_um = 0.0;
  std::size_t triangles = 0;          // triangles in the region
  std::size_t outlier_triangles = 0;  // left out of the plane's re-fit
};

// The height map of `region` of `mesh` (coordinates in micrometres). The plane, unless the region
// gives it, is the least-squares plane of the triangles' centroids weighted by their areas, fitted
// again without the centroids farther from it than 3 robust sigmas (1.4826 x the median absolute
// deviation of the distances), so a scar or a nose tip at the edge does not tilt it. The normal
// points to the side the triangles face (their winding), the side a scanner saw. x follows the
// mesh's x axis projected on the plane (its y axis if x is nearly normal to it). `spacing_um`
// empty: the median distance between neighbouring vertices. InputError if the radius is not
// positive or no triangle lies in the region.
MeshRegionMap mesh_region_height_map(const formats::Mesh& mesh, const MeshRegion& region, std::optional<double> spacing_um,
                                     std::uint64_t max_points, const std::string& name);

// A mesh file (PLY, OBJ or STL, by content then extension) as a mesh in micrometres, its units from
// `options` or a sidecar as read_height_map takes them. InputError for other formats, point clouds.
formats::Mesh read_mesh(const std::filesystem::path& path, const ReadOptions& options);

}  // namespace scarscope
