#include "surface/mesh_region.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/core.hpp>
#include <vector>

#include "core/error.h"
#include "surface/formats/format_common.h"
#include "surface/formats/obj_format.h"
#include "surface/formats/ply_format.h"
#include "surface/formats/sidecar.h"
#include "surface/formats/stl_format.h"

namespace scarscope {

namespace {

using formats::Point3;

Point3 operator-(const Point3& a, const Point3& b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
Point3 operator+(const Point3& a, const Point3& b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
Point3 operator*(double s, const Point3& a) { return {s * a.x, s * a.y, s * a.z}; }
double dot(const Point3& a, const Point3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
Point3 cross(const Point3& a, const Point3& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
double norm(const Point3& a) { return std::sqrt(dot(a, a)); }

std::string describe(const Point3& p) {
  return formats::format_number(p.x / 1000.0) + ", " + formats::format_number(p.y / 1000.0) + ", " +
         formats::format_number(p.z / 1000.0) + " mm";
}

struct Plane {
  Point3 centre;
  Point3 normal;
};

// Least-squares plane through `points` weighted by `weights` (only where `use`): through their
// weighted centroid, normal along the covariance's smallest eigenvector.
Plane fit_plane(const std::vector<Point3>& points, const std::vector<double>& weights, const std::vector<char>& use,
                const std::string& name) {
  double total = 0.0;
  Point3 centre{};
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!use[i]) continue;
    total += weights[i];
    centre = centre + weights[i] * points[i];
  }
  if (!(total > 0.0)) throw InputError(name + ": the region's triangles have no area");
  centre = (1.0 / total) * centre;
  cv::Matx33d covariance = cv::Matx33d::zeros();
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!use[i]) continue;
    const Point3 d = points[i] - centre;
    const double e[3] = {d.x, d.y, d.z};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) covariance(r, c) += weights[i] * e[r] * e[c];
  }
  cv::Mat values, vectors;
  cv::eigen(cv::Mat(covariance), values, vectors);  // eigenvalues in descending order
  if (!(values.at<double>(1) > 1e-12 * values.at<double>(0))) {
    throw InputError(name + ": the region's triangles lie along a line; no plane fits them");
  }
  Plane plane{centre, {vectors.at<double>(2, 0), vectors.at<double>(2, 1), vectors.at<double>(2, 2)}};
  plane.normal = (1.0 / norm(plane.normal)) * plane.normal;
  return plane;
}

double median_of(std::vector<double> values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

MeshRegion region_from_points(const std::array<formats::Point3, 3>& points_um, std::optional<double> radius_um) {
  for (const Point3& p : points_um) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z)) {
      throw InputError("--region-points: every coordinate must be a finite number");
    }
  }
  const Point3 centre = (1.0 / 3.0) * (points_um[0] + points_um[1] + points_um[2]);
  double farthest = 0.0;
  for (const Point3& p : points_um) farthest = std::max(farthest, norm(p - centre));
  const Point3 normal = cross(points_um[1] - points_um[0], points_um[2] - points_um[0]);
  // |normal| is twice the triangle's area; collinear when that area is tiny against its size.
  if (!(farthest > 0.0) || !(norm(normal) > 1e-6 * farthest * farthest)) {
    throw InputError("--region-points: the three points lie on a line (or coincide); they span no plane");
  }
  MeshRegion region;
  region.centre_um = centre;
  region.radius_um = radius_um ? *radius_um : farthest;
  if (!(region.radius_um > 0.0) || !std::isfinite(region.radius_um)) {
    throw InputError("--radius-mm: the region's radius must be a positive number");
  }
  region.normal = (1.0 / norm(normal)) * normal;
  return region;
}

MeshRegionMap mesh_region_height_map(const formats::Mesh& mesh, const MeshRegion& region, std::optional<double> spacing_um,
                                     std::uint64_t max_points, const std::string& name) {
  if (!(region.radius_um > 0.0) || !std::isfinite(region.radius_um)) {
    throw InputError(name + ": the region's radius must be a positive number (got " +
                     formats::format_number(region.radius_um / 1000.0) + " mm)");
  }
  // The triangles whose centroid lies within the radius of the centre (in 3D).
  std::vector<std::size_t> selected;
  std::vector<Point3> centroids;
  std::vector<double> areas;
  Point3 facing{};  // sum of the triangles' area vectors: the side their winding faces
  for (std::size_t t = 0; t < mesh.triangles.size(); ++t) {
    const auto& tri = mesh.triangles[t];
    const Point3& a = mesh.vertices[tri[0]];
    const Point3& b = mesh.vertices[tri[1]];
    const Point3& c = mesh.vertices[tri[2]];
    const Point3 centroid = (1.0 / 3.0) * (a + b + c);
    if (!(norm(centroid - region.centre_um) <= region.radius_um)) continue;
    const Point3 area_vector = 0.5 * cross(b - a, c - a);
    selected.push_back(t);
    centroids.push_back(centroid);
    areas.push_back(norm(area_vector));
    facing = facing + area_vector;
  }
  if (selected.empty()) {
    throw InputError(name + ": no triangle lies within " + formats::format_number(region.radius_um / 1000.0) +
                     " mm of the region's centre (" + describe(region.centre_um) +
                     "); check the centre is on the mesh and in its units");
  }

  if (selected.size() < 3 && !region.normal) {
    throw InputError(name + ": only " + std::to_string(selected.size()) + " triangle(s) within " +
                     formats::format_number(region.radius_um / 1000.0) + " mm of the region's centre (" +
                     describe(region.centre_um) + "); a plane needs more: give a larger radius");
  }
  MeshRegionMap result;
  result.triangles = selected.size();
  Plane plane;
  if (region.normal) {
    plane = {region.centre_um, (1.0 / norm(*region.normal)) * *region.normal};
  } else {
    // Area-weighted least squares on the centroids, then once more without those beyond 3 robust
    // sigmas (MAD) of the first plane.
    std::vector<char> use(selected.size(), 1);
    plane = fit_plane(centroids, areas, use, name);
    std::vector<double> distances(selected.size());
    for (std::size_t i = 0; i < selected.size(); ++i) distances[i] = dot(centroids[i] - plane.centre, plane.normal);
    const double median = median_of(distances);
    std::vector<double> deviations(distances.size());
    for (std::size_t i = 0; i < distances.size(); ++i) deviations[i] = std::abs(distances[i] - median);
    // (A floor of a millionth of the radius absorbs rounding where most of the region is exactly flat.)
    const double cut = std::max(3.0 * 1.4826 * median_of(deviations), 1e-6 * region.radius_um);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < selected.size(); ++i) {
      use[i] = deviations[i] <= cut;
      kept += use[i] ? 1 : 0;
    }
    result.outlier_triangles = selected.size() - kept;
    if (kept >= 3 && result.outlier_triangles > 0) plane = fit_plane(centroids, areas, use, name);
  }
  if (dot(facing, plane.normal) < 0.0) plane.normal = -1.0 * plane.normal;
  // The frame: origin the centre projected on the plane, x the mesh's x axis projected on it.
  const Point3 origin = region.centre_um - dot(region.centre_um - plane.centre, plane.normal) * plane.normal;
  Point3 u = Point3{1, 0, 0} - plane.normal.x * plane.normal;
  if (norm(u) < 0.3) u = Point3{0, 1, 0} - plane.normal.y * plane.normal;
  u = (1.0 / norm(u)) * u;
  const Point3 v = cross(plane.normal, u);

  formats::Mesh local;
  std::vector<std::uint32_t> renumbered(mesh.vertices.size(), std::numeric_limits<std::uint32_t>::max());
  local.triangles.reserve(selected.size());
  for (std::size_t t : selected) {
    formats::Triangle triangle{};
    for (std::size_t k = 0; k < 3; ++k) {
      const std::uint32_t index = mesh.triangles[t][k];
      if (renumbered[index] == std::numeric_limits<std::uint32_t>::max()) {
        const Point3 d = mesh.vertices[index] - origin;
        renumbered[index] = static_cast<std::uint32_t>(local.vertices.size());
        local.vertices.push_back({dot(d, u), dot(d, v), dot(d, plane.normal)});
      }
      triangle[k] = renumbered[index];
    }
    local.triangles.push_back(triangle);
  }
  // The grid is bounded as a file of that many triangles would be (about 50 bytes each in STL).
  const formats::ResampleSettings settings{name, spacing_um, max_points, 50 * static_cast<std::uint64_t>(local.triangles.size())};
  const formats::GridFrame frame = formats::plan_grid(local.vertices, settings);
  result.map = formats::resample_mesh(local.vertices, local.triangles, settings);
  result.map.metadata.warnings = mesh.warnings;
  result.map.metadata.comment = "region of " + std::to_string(selected.size()) + " triangles within " +
                                formats::format_number(region.radius_um / 1000.0) + " mm of " + describe(region.centre_um) +
                                ", seen along the normal (" + formats::format_number(plane.normal.x) + ", " +
                                formats::format_number(plane.normal.y) + ", " + formats::format_number(plane.normal.z) +
                                "); " + result.map.metadata.comment;
  result.centre_um = origin;
  result.u = u;
  result.v = v;
  result.normal = plane.normal;
  result.origin_x_um = frame.x0_um;
  result.origin_y_um = frame.y0_um;
  return result;
}

formats::Mesh read_mesh(const std::filesystem::path& path, const ReadOptions& options) {
  const std::string format = detect_format(path);
  const std::string name = path.string();
  if (format != "ply" && format != "obj" && format != "stl") {
    throw InputError(name + ": a region can be taken from a mesh (PLY, OBJ or STL), not from a " + format + " file");
  }
  const std::optional<formats::Sidecar> sidecar = formats::find_sidecar(path);
  const char* label = format == "ply" ? "PLY" : format == "obj" ? "OBJ" : "STL";
  formats::UnitSources sources{name, label, &options, sidecar ? &*sidecar : nullptr, std::nullopt, std::nullopt, std::nullopt};
  const double factor = formats::resolve_height_unit(sources);
  const std::string bytes = formats::read_file_bytes(path);
  if (format == "ply") return formats::read_ply_mesh(bytes, name, factor, options.max_points);
  if (format == "obj") return formats::read_obj_mesh(bytes, name, factor, options.max_points);
  return formats::read_stl_mesh(bytes, name, factor, options.max_points);
}

}  // namespace scarscope
