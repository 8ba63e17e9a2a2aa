// A region of a 3D mesh turned into a height map, on an analytic surface: a face-like sphere
// (radius 60 mm) with a Gaussian dimple 300 um deep, meshed, tilted in 3D by 30, 45 and 60 degrees,
// written as OBJ, ASCII STL and binary STL and read back. The dimple's depth and volume, measured
// on the height map against the sphere's known form, match the analytic ones within 2 %.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "formats_test_maps.h"
#include "mesh_test_files.h"
#include "surface/formats/format_common.h"
#include "surface/mesh_region.h"
#include "test_support.h"

namespace scarscope {
namespace {

using formats::Point3;
using test::TestMesh;

constexpr double kSphereRadius = 60000.0;  // um
constexpr double kDepth = 300.0;           // um, the dimple's depth at its centre
constexpr double kSigma = 600.0;           // um, the dimple's Gaussian width (along the sphere)

Point3 add(const Point3& a, const Point3& b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
Point3 sub(const Point3& a, const Point3& b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
Point3 scale(double s, const Point3& a) { return {s * a.x, s * a.y, s * a.z}; }
double dot(const Point3& a, const Point3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
double norm(const Point3& a) { return std::sqrt(dot(a, a)); }

// Radial depth of the dimple at angle alpha from its axis (geodesic distance R alpha).
double dimple_depth(double alpha) {
  const double s = kSphereRadius * alpha;
  return kDepth * std::exp(-s * s / (2.0 * kSigma * kSigma));
}

// The volume between the sphere and the dimpled surface, from the formula: the integral over the
// solid angle of (R^3 - (R - depth)^3) / 3 (Simpson's rule in alpha; the dimple is gone by 10
// sigma). Flat-skin limit: 2 pi sigma^2 depth.
double analytic_volume_um3() {
  const double end = 10.0 * kSigma / kSphereRadius;
  const int steps = 20000;
  const double h = end / steps;
  double sum = 0.0;
  for (int i = 0; i <= steps; ++i) {
    const double alpha = i * h;
    const double r = kSphereRadius - dimple_depth(alpha);
    const double f = (std::pow(kSphereRadius, 3) - std::pow(r, 3)) / 3.0 * 2.0 * std::numbers::pi * std::sin(alpha);
    sum += f * (i == 0 || i == steps ? 1.0 : (i % 2 ? 4.0 : 2.0));
  }
  return sum * h / 3.0;
}

// Rotation by `angle` about the unit axis (cos phi, sin phi, 0) (Rodrigues).
struct Rotation {
  double m[3][3];
  Point3 apply(const Point3& p) const {
    return {m[0][0] * p.x + m[0][1] * p.y + m[0][2] * p.z, m[1][0] * p.x + m[1][1] * p.y + m[1][2] * p.z,
            m[2][0] * p.x + m[2][1] * p.y + m[2][2] * p.z};
  }
};
Rotation tilt(double angle, double phi) {
  const double k[3] = {std::cos(phi), std::sin(phi), 0.0};
  const double c = std::cos(angle), s = std::sin(angle);
  Rotation r{};
  const double K[3][3] = {{0, -k[2], k[1]}, {k[2], 0, -k[0]}, {-k[1], k[0], 0}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double kk = 0.0;
      for (int l = 0; l < 3; ++l) kk += K[i][l] * K[l][j];
      r.m[i][j] = (i == j ? 1.0 : 0.0) + s * K[i][j] + (1.0 - c) * kk;
    }
  return r;
}

const Point3 kSphereCentre{12000.0, -5000.0, 30000.0};  // where the tilted face sits, um

// A 6 x 6 mm patch of the sphere around the dimple (axis +z before the tilt), vertices every
// 40 um in the tangent plane pushed onto the dimpled sphere, then tilted and moved.
TestMesh dimpled_sphere(const Rotation& rotation) {
  TestMesh mesh;
  const double half = 3000.0, step = 40.0;
  const int n = static_cast<int>(2.0 * half / step) + 1;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const Point3 tangent{-half + c * step, -half + r * step, kSphereRadius};
      const Point3 direction = scale(1.0 / norm(tangent), tangent);
      const double alpha = std::acos(std::min(1.0, direction.z));
      const Point3 local = scale(kSphereRadius - dimple_depth(alpha), direction);
      mesh.vertices.push_back(add(rotation.apply(local), kSphereCentre));
    }
  for (int r = 0; r + 1 < n; ++r)
    for (int c = 0; c + 1 < n; ++c) {
      const auto a = static_cast<std::uint32_t>(r * n + c), b = a + 1, d = a + static_cast<std::uint32_t>(n), e = d + 1;
      mesh.faces.push_back({a, b, e});  // counter-clockwise seen from outside the sphere
      mesh.faces.push_back({a, e, d});
    }
  return mesh;
}

struct DimpleMeasure {
  double depth_um;
  double volume_um3;
};

// The dimple on the region's height map, against the sphere's known form: depth = the sphere's
// height above the region's plane minus the map's, along the region's normal.
DimpleMeasure measure(const MeshRegionMap& region) {
  const HeightMap& map = region.map;
  DimpleMeasure result{0.0, 0.0};
  for (int row = 0; row < map.ny(); ++row)
    for (int col = 0; col < map.nx(); ++col) {
      if (!map.valid(row, col)) continue;
      const double x = region.origin_x_um + col * map.dx_um(), y = region.origin_y_um + row * map.dy_um();
      const Point3 w = sub(add(region.centre_um, add(scale(x, region.u), scale(y, region.v))), kSphereCentre);
      const double wn = dot(w, region.normal);
      const double sphere_height = -wn + std::sqrt(wn * wn - dot(w, w) + kSphereRadius * kSphereRadius);
      const double depth = sphere_height - map.height(row, col);
      result.depth_um = std::max(result.depth_um, depth);
      result.volume_um3 += depth * map.dx_um() * map.dy_um();
    }
  return result;
}

struct Case {
  double tilt_degrees;
  const char* format;
};

class MeshRegionOnDimpledSphere : public ::testing::TestWithParam<Case> {};

TEST_P(MeshRegionOnDimpledSphere, RecoversTheDimplesDepthAndVolumeWithinTwoPercent) {
  const Case c = GetParam();
  const Rotation rotation = tilt(c.tilt_degrees * std::numbers::pi / 180.0, 0.7);
  const TestMesh mesh = dimpled_sphere(rotation);
  test::TempDir dir;
  const std::string format = c.format;
  const std::filesystem::path path = dir / (format == "obj" ? "face.obj" : "face.stl");
  if (format == "obj") {
    test::write_text_file(path, test::obj_text(mesh));
  } else {
    formats::write_file_bytes(path, format == "stl-ascii" ? test::ascii_stl_text(mesh) : test::binary_stl_bytes(mesh));
  }
  ReadOptions options;
  options.units = "mm";
  const formats::Mesh read = read_mesh(path, options);
  ASSERT_EQ(read.triangles.size(), mesh.faces.size());

  // The region: 2.5 mm around the dimple's centre on the undisturbed sphere.
  const Point3 axis = rotation.apply({0.0, 0.0, 1.0});
  MeshRegion region;
  region.centre_um = add(kSphereCentre, scale(kSphereRadius, axis));
  region.radius_um = 2500.0;
  const MeshRegionMap result = mesh_region_height_map(read, region, std::nullopt, std::uint64_t{1} << 26, path.string());

  // Seen along the sphere's normal at the dimple (the robust plane leaves the dimple out).
  EXPECT_GT(dot(result.normal, axis), std::cos(0.5 * std::numbers::pi / 180.0));
  EXPECT_GT(result.outlier_triangles, 0u);
  const DimpleMeasure measured = measure(result);
  const double volume = analytic_volume_um3();
  std::printf("%s tilted %g deg: depth %.2f um (%+.3f %%), volume %.5f mm3 (%+.3f %%; analytic %.5f), normal off by %.3f deg\n",
              c.format, c.tilt_degrees, measured.depth_um, 100.0 * (measured.depth_um / kDepth - 1.0), measured.volume_um3 * 1e-9,
              100.0 * (measured.volume_um3 / volume - 1.0), volume * 1e-9,
              std::acos(std::min(1.0, dot(result.normal, axis))) * 180.0 / std::numbers::pi);
  EXPECT_NEAR(measured.depth_um, kDepth, 0.02 * kDepth) << format << " at " << c.tilt_degrees << " degrees";
  EXPECT_NEAR(measured.volume_um3, volume, 0.02 * volume) << format << " at " << c.tilt_degrees << " degrees";
}

INSTANTIATE_TEST_SUITE_P(TiltsAndFormats, MeshRegionOnDimpledSphere,
                         ::testing::Values(Case{30, "obj"}, Case{45, "obj"}, Case{60, "obj"}, Case{30, "stl-ascii"},
                                           Case{45, "stl-ascii"}, Case{60, "stl-ascii"}, Case{30, "stl-binary"},
                                           Case{45, "stl-binary"}, Case{60, "stl-binary"}));

TEST(MeshRegion, ThreePickedPointsGiveTheirPlaneAndCentroid) {
  const MeshRegion region = region_from_points({Point3{0, 0, 0}, Point3{3000, 0, 0}, Point3{0, 3000, 0}}, std::nullopt);
  EXPECT_NEAR(region.centre_um.x, 1000.0, 1e-9);
  EXPECT_NEAR(region.centre_um.y, 1000.0, 1e-9);
  EXPECT_NEAR(region.radius_um, std::hypot(2000.0, 1000.0), 1e-9);
  ASSERT_TRUE(region.normal);
  EXPECT_NEAR(std::abs(region.normal->z), 1.0, 1e-12);
  EXPECT_NEAR(region_from_points({Point3{0, 0, 0}, Point3{3000, 0, 0}, Point3{0, 3000, 0}}, 500.0).radius_um, 500.0, 0.0);
}

TEST(MeshRegion, RefusesCollinearPointsANonPositiveRadiusAndAnEmptyRegion) {
  EXPECT_NE(test::input_error_message([] {
              region_from_points({Point3{0, 0, 0}, Point3{1000, 1000, 0}, Point3{2000, 2000, 0}}, std::nullopt);
            }).find("on a line"),
            std::string::npos);
  EXPECT_NE(test::input_error_message([] {
              region_from_points({Point3{0, 0, 0}, Point3{1000, 0, 0}, Point3{0, 1000, 0}}, -1.0);
            }).find("positive"),
            std::string::npos);
  const TestMesh sphere = dimpled_sphere(tilt(0.0, 0.0));
  formats::Mesh mesh;
  mesh.vertices = sphere.vertices;
  mesh.triangles.assign(sphere.faces.begin(), sphere.faces.end());
  MeshRegion region;
  region.centre_um = {0.0, 0.0, 0.0};  // the sphere's centre: 60 mm from every triangle
  region.radius_um = 2000.0;
  const std::string empty = test::input_error_message([&] { mesh_region_height_map(mesh, region, std::nullopt, 1u << 24, "face.obj"); });
  EXPECT_NE(empty.find("no triangle lies within 2 mm"), std::string::npos) << empty;
  region.radius_um = 0.0;
  const std::string zero = test::input_error_message([&] { mesh_region_height_map(mesh, region, std::nullopt, 1u << 24, "face.obj"); });
  EXPECT_NE(zero.find("positive"), std::string::npos) << zero;
}

}  // namespace
}  // namespace scarscope
