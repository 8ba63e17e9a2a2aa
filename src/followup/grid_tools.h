// Small grid operations the follow-up comparison needs on masked height maps: outlines to masks,
// masked quadratic fits, mask-aware smoothing and resampling onto a grid given in millimetres.
// Internal to src/followup (OpenCV types stay in the .cpp files that include opencv).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "surface/height_map.h"

namespace scarscope {

using OutlineMm = std::vector<std::array<double, 2>>;

// A polynomial of degree 2 in x, y (mm) about an origin: c0 + c1 x + c2 y + c3 x² + c4 x y + c5 y².
struct Quadratic {
  std::array<double, 2> origin_mm{0.0, 0.0};
  std::array<double, 6> c{0, 0, 0, 0, 0, 0};
  double at(double x_mm, double y_mm) const {
    const double x = x_mm - origin_mm[0];
    const double y = y_mm - origin_mm[1];
    return c[0] + c[1] * x + c[2] * y + c[3] * x * x + c[4] * x * y + c[5] * y * y;
  }
};

// Least-squares quadratic (degree 1 or 2; surface/polynomial_surface.h) through the heights where
// keep != 0 and the height is finite (row-major, nx*ny). x = col*dx, y = row*dy in mm. Uses at
// most ~max_points points (evenly subsampled). Returns false when fewer than 12 points are usable.
bool fit_quadratic(const float* heights, const std::uint8_t* keep, int nx, int ny, double dx_mm, double dy_mm,
                   int degree, Quadratic& fit, std::size_t max_points = 400000);

// 1 inside any outline (polygon in mm, filled), 0 elsewhere, on the grid nx*ny with spacing dx, dy mm;
// the outlines are grown by margin_mm. Outlines with fewer than 3 points are drawn as discs of
// radius margin_mm about their first point.
std::vector<std::uint8_t> rasterize_outlines(const std::vector<OutlineMm>& outlines, int nx, int ny, double dx_mm,
                                             double dy_mm, double margin_mm);

}  // namespace scarscope
