// A user with a 3D face scan (a mesh in millimetres) takes a region of it as a height map with
// `scarscope convert --region` or `--region-points`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "../surface/mesh_test_files.h"
#include "test_support.h"

namespace scarscope::test {
namespace {

namespace fs = std::filesystem;

constexpr double kDimpleDepth = 200.0;  // um
constexpr double kDimpleSigma = 400.0;  // um

// A 4 x 4 mm patch of skin with a Gaussian dimple at its centre, tilted 45 degrees about the x
// axis and moved to (20, 30, 40) mm: a mesh a face scanner might export.
TestMesh tilted_dimple() {
  TestMesh mesh;
  const double step = 40.0, half = 2000.0;
  const int n = static_cast<int>(2 * half / step) + 1;
  const double c = std::cos(std::numbers::pi / 4), s = std::sin(std::numbers::pi / 4);
  for (int r = 0; r < n; ++r)
    for (int k = 0; k < n; ++k) {
      const double x = -half + k * step, y = -half + r * step;
      const double z = -kDimpleDepth * std::exp(-(x * x + y * y) / (2 * kDimpleSigma * kDimpleSigma));
      mesh.vertices.push_back({x + 20000.0, c * y - s * z + 30000.0, s * y + c * z + 40000.0});
    }
  for (int r = 0; r + 1 < n; ++r)
    for (int k = 0; k + 1 < n; ++k) {
      const auto a = static_cast<std::uint32_t>(r * n + k), b = a + 1, d = a + static_cast<std::uint32_t>(n), e = d + 1;
      mesh.faces.push_back({a, b, e});
      mesh.faces.push_back({a, e, d});
    }
  return mesh;
}

// Lowest and highest heights of a CSV written by scarscope (micrometres, NaN = missing).
std::pair<double, double> height_range(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  double low = 1e300, high = -1e300;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t start = 0;
    while (start <= line.size()) {
      const std::size_t end = line.find(',', start);
      const double value = std::stod(line.substr(start, end - start));
      if (std::isfinite(value)) {
        low = std::min(low, value);
        high = std::max(high, value);
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return {low, high};
}

TEST(CliMesh, ConvertRegionOfATiltedMeshShowsTheDimpleAtItsDepth) {
  TempDir dir;
  write_text_file(dir / "face.obj", obj_text(tilted_dimple()));
  const std::string in = "'" + (dir / "face.obj").string() + "'";
  // The whole mesh seen from above is tilted 45 degrees; the region is seen along its own plane.
  const CommandResult region = run_cli("convert " + in + " '" + (dir / "cheek.csv").string() +
                                       "' --units mm --region 20,30,40,1.5 --spacing-um 20");
  ASSERT_EQ(region.exit_code, 0) << region.err;
  EXPECT_NE(region.err.find("region of"), std::string::npos) << region.err;
  // Heights are above the region's fitted plane (which the dimple's shallow tail, left in the fit,
  // holds a few um below the skin); the skin at the region's edge stands the dimple's depth above
  // its floor (less the tail there, 0.2 um). Seen from above instead, the 45 degree tilt would
  // span 2 mm of height.
  const auto [low, high] = height_range(dir / "cheek.csv");
  EXPECT_NEAR(high - low, kDimpleDepth, 0.02 * kDimpleDepth);
  EXPECT_LT(std::abs(high), 10.0);

  // Three points picked on the skin around the dimple, 1 mm from its centre (in the mesh's mm).
  const double c = std::cos(std::numbers::pi / 4), s = std::sin(std::numbers::pi / 4);
  char points[256];
  std::snprintf(points, sizeof points, "%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f", 21.0, 30.0, 40.0, 19.5,
                30.0 + c * 0.866, 40.0 + s * 0.866, 19.5, 30.0 - c * 0.866, 40.0 - s * 0.866);
  const CommandResult picked = run_cli("convert " + in + " '" + (dir / "picked.csv").string() +
                                       "' --units mm --region-points " + points + " --radius-mm 1.5 --spacing-um 20");
  ASSERT_EQ(picked.exit_code, 0) << picked.err;
  // The picked points lie on the skin: their plane is the skin's, so the skin is at 0.
  const auto [picked_low, picked_high] = height_range(dir / "picked.csv");
  EXPECT_NEAR(picked_high, 0.0, 1.0);
  EXPECT_NEAR(picked_low, -kDimpleDepth, 0.02 * kDimpleDepth);
}

TEST(CliMesh, ConvertRegionRefusesWhatCannotBeARegion) {
  TempDir dir;
  write_text_file(dir / "face.obj", obj_text(tilted_dimple()));
  const std::string in = "'" + (dir / "face.obj").string() + "' '" + (dir / "out.csv").string() + "' --units mm ";
  const CommandResult far = run_cli("convert " + in + "--region 0,0,0,1");
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("no triangle lies within 1 mm"), std::string::npos) << far.err;
  const CommandResult zero = run_cli("convert " + in + "--region 20,30,40,0");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("radius must be positive"), std::string::npos) << zero.err;
  const CommandResult line = run_cli("convert " + in + "--region-points 20,30,40,21,30,40,22,30,40");
  EXPECT_EQ(line.exit_code, 2);
  EXPECT_NE(line.err.find("lie on a line"), std::string::npos) << line.err;
  const CommandResult short_list = run_cli("convert " + in + "--region 20,30,40");
  EXPECT_EQ(short_list.exit_code, 2);
  EXPECT_NE(short_list.err.find("expected X,Y,Z,RADIUS_MM"), std::string::npos) << short_list.err;
  EXPECT_FALSE(fs::exists(dir / "out.csv"));
  // A height map is no mesh.
  write_text_file(dir / "grid.csv", "1,2\n3,4\n");
  const CommandResult grid = run_cli("convert '" + (dir / "grid.csv").string() + "' '" + (dir / "g.x3p").string() +
                                     "' --units mm --spacing-um 10 --region 0,0,0,1");
  EXPECT_EQ(grid.exit_code, 2);
  EXPECT_NE(grid.err.find("from a mesh (PLY, OBJ or STL)"), std::string::npos) << grid.err;
}

}  // namespace
}  // namespace scarscope::test
