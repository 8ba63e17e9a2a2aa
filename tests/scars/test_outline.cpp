// A scar's outline is the boundary of the cells it was measured over (through their corners):
// its polygon's area is area_mm2, and the scar measured again inside its outline (against the
// known skin) keeps its volume. (The outline used to pass through the boundary cells' centres: ~3 % less area, and
// 4-11 % of the volume lost when re-measured from it.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "analytic_skin.h"
#include "scars/analysis.h"
#include "scars/outline.h"

namespace scarscope {
namespace {

using Outline = std::vector<std::array<double, 2>>;

double shoelace_area(const Outline& outline) {
  double twice = 0.0;
  for (std::size_t i = 0; i < outline.size(); ++i) {
    const auto& a = outline[i];
    const auto& b = outline[(i + 1) % outline.size()];
    twice += a[0] * b[1] - b[0] * a[1];
  }
  return std::abs(twice) / 2.0;
}

bool inside(const Outline& polygon, double x, double y) {
  bool in = false;
  for (std::size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
    const auto& a = polygon[i];
    const auto& b = polygon[j];
    if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) in = !in;
  }
  return in;
}

TEST(CellBoundaryOutline, EnclosesExactlyTheCells) {
  // An L of 5 cells, a lone cell joined at a corner (8-connectivity), a hole, and a separate pair.
  const int w = 7, h = 6;
  const std::vector<std::uint8_t> mask = {
      0, 0, 0, 0, 0, 0, 0,  //
      0, 1, 1, 1, 0, 0, 0,  //
      0, 1, 0, 1, 0, 0, 0,  //
      0, 1, 1, 1, 0, 0, 1,  //
      0, 0, 0, 0, 1, 0, 1,  //
      0, 0, 0, 0, 0, 0, 0,  //
  };
  const Outline outline = cell_boundary_outline(mask.data(), w, h);
  // The ring of 8 cells, its hole enclosed (9), and the cell joined at a corner: 10 cells.
  EXPECT_DOUBLE_EQ(shoelace_area(outline), 10.0);
  for (int row = 0; row < h; ++row)
    for (int col = 0; col < w; ++col) {
      const bool in_ring = row >= 1 && row <= 3 && col >= 1 && col <= 3;
      const bool corner_cell = row == 4 && col == 4;
      EXPECT_EQ(inside(outline, col, row), in_ring || corner_cell) << row << "," << col;
    }
  // Corners lie half a cell outside the boundary cells' centres; straight runs have no points.
  for (const auto& p : outline) {
    EXPECT_DOUBLE_EQ(p[0] - std::floor(p[0]), 0.5);
    EXPECT_DOUBLE_EQ(p[1] - std::floor(p[1]), 0.5);
  }
  EXPECT_EQ(outline.size(), 8u);  // the square's 4 corners, the corner cell's 3 and their shared corner again
  EXPECT_TRUE(cell_boundary_outline(std::vector<std::uint8_t>(12, 0).data(), 4, 3).empty());
}

TEST(ScarOutline, ItsAreaIsAreaMm2AndTheScarReMeasuredInsideItKeepsItsVolume) {
  // Noise-free skin, so the skin under each scar is known exactly: the same map without scars.
  const double spacing = 20.0;
  const int nx = 800, ny = 600;
  const std::vector<test::AnalyticScar> scars = {{test::Shape::bowl, 4.0, 4.0, 5.0, 150.0},
                                                 {test::Shape::box, 11.0, 4.0, 2.5, 200.0},
                                                 {test::Shape::cone, 11.0, 9.0, 1.2, 300.0},
                                                 {test::Shape::bowl, 4.5, 9.5, 3.0, 90.0}};
  const HeightMap skin = test::analytic_skin(nx, ny, spacing, {}, 0.0);
  const HeightMap scanned = test::analytic_skin(nx, ny, spacing, scars, 0.0);
  const ScanAnalysis analysis = analyze_height_map(scanned.clone());
  ASSERT_EQ(analysis.inventory.scars.size(), scars.size());
  for (const Scar& scar : analysis.inventory.scars) {
    ASSERT_GE(scar.outline_mm.size(), 4u);
    // Exactly the measured cells' area, up to the rounding of the coordinates.
    EXPECT_NEAR(shoelace_area(scar.outline_mm), scar.area_mm2, 1e-6 * scar.area_mm2) << "scar " << scar.id;
    double volume_mm3 = 0.0;
    for (int row = 0; row < ny; ++row)
      for (int col = 0; col < nx; ++col) {
        if (!inside(scar.outline_mm, col * spacing / 1000.0, row * spacing / 1000.0)) continue;
        volume_mm3 += (skin.height(row, col) - scanned.height(row, col)) * spacing * spacing * 1e-9;
      }
    // The outline holds the scar's whole volume but its faint tail beyond the traced rim (the rim
    // lies where the depth falls to 2 % of the deepest point; measured 0.1-0.8 % outside).
    const test::AnalyticScar* truth = nullptr;
    for (const auto& s : scars) {
      if (std::hypot(s.x_mm - scar.centroid_mm[0], s.y_mm - scar.centroid_mm[1]) < 0.5) truth = &s;
    }
    ASSERT_NE(truth, nullptr) << "scar " << scar.id << " is none of the analytic ones";
    const double analytic = test::analytic_volume_mm3(*truth);
    EXPECT_NEAR(volume_mm3, analytic, 0.02 * analytic) << "scar " << scar.id;
    std::printf("scar %d: outline area %.4f mm2, area_mm2 %.4f; volume inside outline %.5f mm3, analytic %.5f (%+.2f %%), "
                "volume_mm3 %.5f\n",
                scar.id, shoelace_area(scar.outline_mm), scar.area_mm2, volume_mm3, analytic,
                100.0 * (volume_mm3 / analytic - 1.0), scar.volume_mm3);
  }
}

}  // namespace
}  // namespace scarscope
