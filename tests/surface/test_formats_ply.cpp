// PLY meshes and point clouds resampled onto a grid: an analytic surface comes back within a
// stated tolerance (ASCII and binary), holes stay holes, forged headers are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "formats_test_maps.h"
#include "surface/formats/ply_format.h"
#include "surface/formats/resample.h"
#include "surface/io.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;

// Paraboloid z = (x^2 + y^2) / (2 R), R = 5 mm, over a 2 x 1.5 mm patch, in micrometres.
constexpr double kRadius = 5000.0;
double paraboloid(double x, double y) { return (x * x + y * y) / (2.0 * kRadius); }

struct Mesh {
  std::vector<formats::Point3> vertices;
  std::vector<std::array<int, 3>> faces;
};

// Vertices every `step` um (x from -1000, y from -750), two triangles per cell; cells whose
// centre lies within `hole_radius` of the origin are left out.
Mesh paraboloid_mesh(double step, double hole_radius = 0.0) {
  Mesh mesh;
  const int nx = static_cast<int>(2000.0 / step) + 1;
  const int ny = static_cast<int>(1500.0 / step) + 1;
  for (int r = 0; r < ny; ++r)
    for (int c = 0; c < nx; ++c) {
      const double x = -1000.0 + c * step, y = -750.0 + r * step;
      mesh.vertices.push_back({x, y, paraboloid(x, y)});
    }
  for (int r = 0; r + 1 < ny; ++r)
    for (int c = 0; c + 1 < nx; ++c) {
      const double cx = -1000.0 + (c + 0.5) * step, cy = -750.0 + (r + 0.5) * step;
      if (std::hypot(cx, cy) < hole_radius) continue;
      const int a = r * nx + c, b = a + 1, d = a + nx, e = d + 1;
      mesh.faces.push_back({a, b, e});
      mesh.faces.push_back({a, e, d});
    }
  return mesh;
}

std::string header(const Mesh& mesh, const char* format, const char* coordinate_type) {
  return std::string("ply\nformat ") + format + " 1.0\ncomment analytic paraboloid\nelement vertex " +
         std::to_string(mesh.vertices.size()) + "\nproperty " + coordinate_type + " x\nproperty " + coordinate_type +
         " y\nproperty " + coordinate_type + " z\nproperty uchar red\nelement face " + std::to_string(mesh.faces.size()) +
         "\nproperty list uchar int vertex_indices\nend_header\n";
}

// Coordinates written in millimetres (the file is read with --units mm).
std::string ascii_ply(const Mesh& mesh) {
  std::string text = header(mesh, "ascii", "double");
  char line[128];
  for (const auto& v : mesh.vertices) {
    std::snprintf(line, sizeof line, "%.9f %.9f %.12f 200\n", v.x / 1000.0, v.y / 1000.0, v.z / 1000.0);
    text += line;
  }
  for (const auto& f : mesh.faces) text += "3 " + std::to_string(f[0]) + " " + std::to_string(f[1]) + " " + std::to_string(f[2]) + "\n";
  return text;
}

template <typename T>
void append(std::string& bytes, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  bytes.append(raw, sizeof(T));
}

std::string binary_ply(const Mesh& mesh) {
  std::string bytes = header(mesh, "binary_little_endian", "float");
  for (const auto& v : mesh.vertices) {
    append(bytes, static_cast<float>(v.x / 1000.0));
    append(bytes, static_cast<float>(v.y / 1000.0));
    append(bytes, static_cast<float>(v.z / 1000.0));
    append(bytes, static_cast<std::uint8_t>(200));
  }
  for (const auto& f : mesh.faces) {
    append(bytes, static_cast<std::uint8_t>(3));
    for (int i : f) append(bytes, static_cast<std::int32_t>(i));
  }
  return bytes;
}

ReadOptions in_mm(std::optional<double> spacing = std::nullopt) {
  ReadOptions options;
  options.units = "mm";
  options.spacing_um = spacing;
  return options;
}

// Largest difference between the resampled grid and the paraboloid, over valid points.
double worst_error(const HeightMap& map) {
  double worst = 0.0;
  for (int r = 0; r < map.ny(); ++r)
    for (int c = 0; c < map.nx(); ++c)
      if (map.valid(r, c)) {
        const double x = -1000.0 + c * map.dx_um(), y = -750.0 + r * map.dy_um();
        worst = std::max(worst, std::abs(map.height(r, c) - paraboloid(x, y)));
      }
  return worst;
}

// Linear interpolation over triangles with 50 um edges of a surface with curvature 1/R errs by
// at most about step^2 / (4 R) = 0.125 um; we allow 0.2 um (plus float32 rounding of 0.05 um
// for the binary file's coordinates, written as float millimetres).
constexpr double kMeshTolerance = 0.2;

TEST(PlyMesh, AsciiParaboloidResamplesWithinTolerance) {
  const Mesh mesh = paraboloid_mesh(50.0);
  const HeightMap map = formats::read_ply_bytes(ascii_ply(mesh), "dome.ply", in_mm(20.0), nullptr);
  EXPECT_EQ(map.nx(), 101);
  EXPECT_EQ(map.ny(), 76);
  EXPECT_EQ(map.valid_count(), map.size());  // the mesh covers the whole grid
  EXPECT_LT(worst_error(map), kMeshTolerance);
  EXPECT_EQ(map.metadata.source_format, "ply");
}

TEST(PlyMesh, BinaryParaboloidResamplesWithinToleranceAtTheDefaultSpacing) {
  const Mesh mesh = paraboloid_mesh(50.0);
  const HeightMap map = formats::read_ply_bytes(binary_ply(mesh), "dome.ply", in_mm(), nullptr);
  EXPECT_NEAR(map.dx_um(), 50.0, 0.01);  // median nearest-neighbour distance of the vertices
  EXPECT_EQ(map.nx(), 41);
  // The spacing comes from float coordinates: the far row or column may fall just outside the mesh.
  EXPECT_GE(map.valid_count(), map.size() - static_cast<std::size_t>(map.nx() + map.ny()));
  EXPECT_LT(worst_error(map), kMeshTolerance + 0.05);
}

TEST(PlyMesh, NoHeightsAreInventedWhereTheMeshHasNoTriangles) {
  const Mesh mesh = paraboloid_mesh(50.0, 300.0);
  const HeightMap map = formats::read_ply_bytes(ascii_ply(mesh), "holed.ply", in_mm(25.0), nullptr);
  // Centre of the hole (x = 0, y = 0): column 40, row 30.
  EXPECT_FALSE(map.valid(30, 40));
  EXPECT_FALSE(map.valid(30, 45));
  EXPECT_TRUE(map.valid(0, 0));
  EXPECT_LT(worst_error(map), kMeshTolerance);
}

TEST(PlyPointCloud, PointsAreAveragedPerGridCell) {
  std::string text = "ply\nformat ascii 1.0\nelement vertex 6\nproperty float x\nproperty float y\nproperty float z\nend_header\n";
  text += "0 0 1\n0.1 0 3\n10 0 5\n0 10 7\n10 10 9\n0.2 10.1 11\n";
  ReadOptions options;
  options.units = "um";
  options.spacing_um = 10.0;
  const HeightMap map = formats::read_ply_bytes(text, "cloud.ply", options, nullptr);
  ASSERT_EQ(map.nx(), 2);
  ASSERT_EQ(map.ny(), 2);
  EXPECT_FLOAT_EQ(map.height(0, 0), 2.0f);
  EXPECT_FLOAT_EQ(map.height(0, 1), 5.0f);
  EXPECT_FLOAT_EQ(map.height(1, 0), 9.0f);
  EXPECT_FLOAT_EQ(map.height(1, 1), 9.0f);
}

TEST(PlyBadInput, UnitsAreRequired) {
  const std::string message =
      input_error_message([] { formats::read_ply_bytes(ascii_ply(paraboloid_mesh(500.0)), "u.ply", {}, nullptr); });
  EXPECT_NE(message.find("--units"), std::string::npos) << message;
}

TEST(PlyBadInput, HeaderClaimingMoreVerticesThanTheFileHoldsIsRefusedBeforeAllocating) {
  const std::string text =
      "ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\nproperty float x\nproperty float y\n"
      "property float z\nend_header\n" + std::string(24, '\0');
  const std::string message = input_error_message([&] { formats::read_ply_bytes(text, "liar.ply", in_mm(), nullptr); });
  EXPECT_NE(message.find("liar.ply: header line 3"), std::string::npos) << message;
  EXPECT_NE(message.find("4000000000 vertex"), std::string::npos) << message;
}

TEST(PlyBadInput, HeaderClaimingMoreFacesThanPresentNamesTheShortfall) {
  std::string text = ascii_ply(paraboloid_mesh(500.0));
  text = text.substr(0, text.rfind("3 "));  // drop the last face line
  const std::string message = input_error_message([&] { formats::read_ply_bytes(text, "short.ply", in_mm(), nullptr); });
  EXPECT_NE(message.find("short.ply"), std::string::npos) << message;
  EXPECT_NE(message.find("face"), std::string::npos) << message;
}

TEST(PlyBadInput, FaceIndexOutOfRangeNamesTheFace) {
  const std::string text =
      "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
      "element face 2\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 1 7\n";
  const std::string message = input_error_message([&] { formats::read_ply_bytes(text, "faces.ply", in_mm(), nullptr); });
  EXPECT_NE(message.find("faces.ply: line 14: face 1: vertex index 7 is out of range"), std::string::npos) << message;

  Mesh mesh = paraboloid_mesh(500.0);
  mesh.faces.back()[2] = 1000;
  const std::string binary = input_error_message([&] { formats::read_ply_bytes(binary_ply(mesh), "faces.ply", in_mm(), nullptr); });
  EXPECT_NE(binary.find("face " + std::to_string(mesh.faces.size() - 1) + ": vertex index 1000"), std::string::npos) << binary;
}

TEST(PlyBadInput, TruncatedBinaryBodyNamesTheElement) {
  const std::string bytes = binary_ply(paraboloid_mesh(500.0));
  const std::string message =
      input_error_message([&] { formats::read_ply_bytes(bytes.substr(0, bytes.size() - 7), "cut.ply", in_mm(), nullptr); });
  EXPECT_NE(message.find("cut.ply"), std::string::npos) << message;
  EXPECT_NE(message.find("face"), std::string::npos) << message;
}

TEST(PlyBadInput, BrokenHeadersAreInputErrors) {
  for (const char* text : {"ply\n", "ply\nformat ascii 1.0\n", "ply\nformat ascii 1.0\nelement vertex -1\nend_header\n",
                           "ply\nformat ascii 1.0\nproperty float x\nend_header\n",
                           "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n",
                           "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 zero 0\n"}) {
    const std::string message = input_error_message([&] { formats::read_ply_bytes(text, "bad.ply", in_mm(), nullptr); });
    EXPECT_NE(message.find("bad.ply"), std::string::npos) << text << " -> " << message;
  }
}

TEST(PlyMesh, ReadThroughTheFileReaderDetectedByContent) {
  test::TempDir dir;
  test::write_text_file(dir / "scan.dat", ascii_ply(paraboloid_mesh(100.0)));
  EXPECT_EQ(detect_format(dir / "scan.dat"), "ply");
  const HeightMap map = read_height_map(dir / "scan.dat", in_mm());
  EXPECT_NEAR(map.dx_um(), 100.0, 1e-6);
}

}  // namespace
}  // namespace scarscope
