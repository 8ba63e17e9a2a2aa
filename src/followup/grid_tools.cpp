#include "followup/grid_tools.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "surface/polynomial_surface.h"

namespace scarscope {

bool fit_quadratic(const float* heights, const std::uint8_t* keep, int nx, int ny, double dx_mm, double dy_mm,
                   int degree, Quadratic& fit, std::size_t max_points) {
  std::size_t kept = 0;
  const std::size_t total = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  for (std::size_t i = 0; i < total; ++i) kept += keep[i] != 0;
  if (kept < 12) return false;
  // Subsample on a regular lattice of rows and columns so that the fit stays cheap on big scans.
  const int step = std::max(1, static_cast<int>(std::floor(std::sqrt(static_cast<double>(kept) /
                                                                      static_cast<double>(max_points)))));
  fit.origin_mm = {0.5 * (nx - 1) * dx_mm, 0.5 * (ny - 1) * dy_mm};
  fit.c = {0, 0, 0, 0, 0, 0};
  std::vector<double> x;
  for (int col = 0; col < nx; col += step) x.push_back(col * dx_mm - fit.origin_mm[0]);
  PolynomialFit fitter(degree >= 2 ? 2 : 1, x);
  std::vector<float> z(x.size());
  std::vector<std::uint8_t> usable(x.size());
  for (int row = 0; row < ny; row += step) {
    const std::size_t start = static_cast<std::size_t>(row) * static_cast<std::size_t>(nx);
    for (std::size_t k = 0; k < x.size(); ++k) {
      const std::size_t i = start + k * static_cast<std::size_t>(step);
      z[k] = heights[i];
      usable[k] = keep[i] && std::isfinite(heights[i]) ? 1 : 0;
    }
    fitter.add_row(row * dy_mm - fit.origin_mm[1], z.data(), usable.data());
  }
  if (fitter.points() < 12) return false;
  const PolynomialSurface surface = fitter.solve();
  for (std::size_t a = 0; a < surface.coefficients.size(); ++a) fit.c[a] = surface.coefficients[a];
  return true;
}

std::vector<std::uint8_t> rasterize_outlines(const std::vector<OutlineMm>& outlines, int nx, int ny, double dx_mm,
                                             double dy_mm, double margin_mm) {
  cv::Mat mask = cv::Mat::zeros(ny, nx, CV_8U);
  // Polygons are drawn with 8 fractional bits so that sub-pixel outlines land where they belong.
  constexpr int kShift = 8;
  constexpr double kScale = 1 << kShift;
  for (const OutlineMm& outline : outlines) {
    if (outline.empty()) continue;
    if (outline.size() < 3) {
      const cv::Point centre(static_cast<int>(std::lround(outline[0][0] / dx_mm * kScale)),
                             static_cast<int>(std::lround(outline[0][1] / dy_mm * kScale)));
      // One pixel; the margin below grows it into a disc.
      cv::circle(mask, centre, static_cast<int>(kScale), cv::Scalar(1), cv::FILLED, cv::LINE_8, kShift);
      continue;
    }
    std::vector<cv::Point> points;
    points.reserve(outline.size());
    for (const auto& p : outline) {
      if (!std::isfinite(p[0]) || !std::isfinite(p[1])) continue;
      points.emplace_back(static_cast<int>(std::lround(p[0] / dx_mm * kScale)),
                          static_cast<int>(std::lround(p[1] / dy_mm * kScale)));
    }
    if (points.size() < 3) continue;
    const std::vector<std::vector<cv::Point>> polygons{points};
    cv::fillPoly(mask, polygons, cv::Scalar(1), cv::LINE_8, kShift);
  }
  if (margin_mm > 0.0) {
    const int rx = static_cast<int>(std::ceil(margin_mm / dx_mm));
    const int ry = static_cast<int>(std::ceil(margin_mm / dy_mm));
    if (rx > 0 || ry > 0) {
      const cv::Mat element = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * rx + 1, 2 * ry + 1));
      cv::dilate(mask, mask, element);
    }
  }
  return std::vector<std::uint8_t>(mask.datastart, mask.dataend);
}

}  // namespace scarscope
