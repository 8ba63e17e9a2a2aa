#include "scars/measurement.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace scarscope {
namespace {

// Red-black successive over-relaxation of the 5-point Laplace equation on the unknown points.
// Returns the largest change of the last sweep.
float relax(std::vector<float>& v, const std::vector<std::uint8_t>& unknown, int w, int h, float wx, float wy,
            int iterations, float tolerance) {
  constexpr float omega = 1.7f;
  float largest = 0.0f;
  for (int it = 0; it < iterations; ++it) {
    largest = 0.0f;
    for (int colour = 0; colour < 2; ++colour) {
      for (int row = 0; row < h; ++row) {
        for (int col = (row + colour) % 2; col < w; col += 2) {
          const std::size_t i = static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col);
          if (!unknown[i]) continue;
          float sum = 0.0f, weight = 0.0f;
          if (col > 0) { sum += wx * v[i - 1]; weight += wx; }
          if (col + 1 < w) { sum += wx * v[i + 1]; weight += wx; }
          if (row > 0) { sum += wy * v[i - static_cast<std::size_t>(w)]; weight += wy; }
          if (row + 1 < h) { sum += wy * v[i + static_cast<std::size_t>(w)]; weight += wy; }
          if (weight <= 0.0f) continue;
          const float change = omega * (sum / weight - v[i]);
          v[i] += change;
          largest = std::max(largest, std::abs(change));
        }
      }
    }
    if (largest < tolerance) break;
  }
  return largest;
}

void solve_level(std::vector<float>& v, const std::vector<std::uint8_t>& unknown, int w, int h, float wx, float wy) {
  if (w <= 12 || h <= 12) {
    relax(v, unknown, w, h, wx, wy, 600, 0.005f);
    return;
  }
  // Coarse level: a 2 x 2 block is known if any of its points is (their mean), else unknown.
  const int cw = (w + 1) / 2;
  const int ch = (h + 1) / 2;
  std::vector<float> coarse(static_cast<std::size_t>(cw) * static_cast<std::size_t>(ch), 0.0f);
  std::vector<std::uint8_t> coarse_unknown(coarse.size(), 1);
  std::vector<float> sum(coarse.size(), 0.0f);
  std::vector<int> n(coarse.size(), 0);
  for (int row = 0; row < h; ++row) {
    for (int col = 0; col < w; ++col) {
      const std::size_t i = static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col);
      if (unknown[i]) continue;
      const std::size_t c = static_cast<std::size_t>(row / 2) * static_cast<std::size_t>(cw) + static_cast<std::size_t>(col / 2);
      sum[c] += v[i];
      ++n[c];
    }
  }
  float mean_known = 0.0f;
  int known = 0;
  for (std::size_t c = 0; c < coarse.size(); ++c) {
    if (n[c] > 0) {
      coarse[c] = sum[c] / static_cast<float>(n[c]);
      coarse_unknown[c] = 0;
      mean_known += coarse[c];
      ++known;
    }
  }
  if (known > 0) mean_known /= static_cast<float>(known);
  for (std::size_t c = 0; c < coarse.size(); ++c)
    if (coarse_unknown[c]) coarse[c] = mean_known;
  solve_level(coarse, coarse_unknown, cw, ch, wx, wy);
  // Prolongation (bilinear between coarse centres) as the starting point, then relaxation.
  for (int row = 0; row < h; ++row) {
    const float cy = std::clamp((row - 0.5f) / 2.0f, 0.0f, static_cast<float>(ch - 1));
    const int y0 = std::min(static_cast<int>(cy), ch - 1);
    const int y1 = std::min(y0 + 1, ch - 1);
    const float ty = cy - static_cast<float>(y0);
    for (int col = 0; col < w; ++col) {
      const std::size_t i = static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col);
      if (!unknown[i]) continue;
      const float cx = std::clamp((col - 0.5f) / 2.0f, 0.0f, static_cast<float>(cw - 1));
      const int x0 = std::min(static_cast<int>(cx), cw - 1);
      const int x1 = std::min(x0 + 1, cw - 1);
      const float tx = cx - static_cast<float>(x0);
      auto at = [&](int y, int x) { return coarse[static_cast<std::size_t>(y) * static_cast<std::size_t>(cw) + static_cast<std::size_t>(x)]; };
      const float top = at(y0, x0) + tx * (at(y0, x1) - at(y0, x0));
      const float bottom = at(y1, x0) + tx * (at(y1, x1) - at(y1, x0));
      v[i] = top + ty * (bottom - top);
    }
  }
  // The coarse solution is already smooth; large levels need only a few sweeps to settle their
  // boundary (a fraction of a micrometre is far below the skin's noise).
  const bool large = static_cast<std::size_t>(w) * static_cast<std::size_t>(h) > 160u * 160u;
  relax(v, unknown, w, h, wx, wy, large ? 8 : 40, 0.02f);
}

// Box of the candidate with a margin, clipped to the map.
struct Box {
  int x0 = 0, y0 = 0, w = 0, h = 0;
  std::size_t at(int row, int col) const { return static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col); }
};

// The 8-connected component of `inside` that holds `seed`, with enclosed allowed holes filled in.
std::vector<std::uint8_t> component_with_holes(const std::vector<std::uint8_t>& inside, const std::vector<std::uint8_t>& allowed,
                                               const Box& box, std::size_t seed) {
  std::vector<std::uint8_t> region(inside.size(), 0);
  if (!inside[seed]) return region;
  std::vector<std::size_t> stack{seed};
  region[seed] = 1;
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    const int row = static_cast<int>(i / static_cast<std::size_t>(box.w));
    const int col = static_cast<int>(i % static_cast<std::size_t>(box.w));
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc) {
        const int r = row + dr, c = col + dc;
        if (r < 0 || r >= box.h || c < 0 || c >= box.w) continue;
        const std::size_t j = box.at(r, c);
        if (inside[j] && !region[j]) {
          region[j] = 1;
          stack.push_back(j);
        }
      }
  }
  // Holes: points not reachable from the box edge without crossing the region (4-connected).
  std::vector<std::uint8_t> outside(inside.size(), 0);
  for (int row = 0; row < box.h; ++row)
    for (int col = 0; col < box.w; ++col) {
      if (row != 0 && row != box.h - 1 && col != 0 && col != box.w - 1) continue;
      const std::size_t j = box.at(row, col);
      if (!region[j] && !outside[j]) {
        outside[j] = 1;
        stack.push_back(j);
      }
    }
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    const int row = static_cast<int>(i / static_cast<std::size_t>(box.w));
    const int col = static_cast<int>(i % static_cast<std::size_t>(box.w));
    const int neighbours[4][2] = {{row - 1, col}, {row + 1, col}, {row, col - 1}, {row, col + 1}};
    for (const auto& nb : neighbours) {
      if (nb[0] < 0 || nb[0] >= box.h || nb[1] < 0 || nb[1] >= box.w) continue;
      const std::size_t j = box.at(nb[0], nb[1]);
      if (!region[j] && !outside[j]) {
        outside[j] = 1;
        stack.push_back(j);
      }
    }
  }
  for (std::size_t j = 0; j < region.size(); ++j)
    if (!region[j] && !outside[j] && allowed[j]) region[j] = 1;
  return region;
}

std::vector<std::uint8_t> dilate(const std::vector<std::uint8_t>& region, const Box& box, int radius) {
  if (radius <= 0) return region;
  cv::Mat in(box.h, box.w, CV_8U, const_cast<std::uint8_t*>(region.data()));
  cv::Mat out;
  cv::dilate(in, out, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * radius + 1, 2 * radius + 1)));
  return std::vector<std::uint8_t>(out.datastart, out.dataend);
}

std::size_t count_set(const std::vector<std::uint8_t>& region) {
  return static_cast<std::size_t>(std::count_if(region.begin(), region.end(), [](std::uint8_t v) { return v != 0; }));
}

}  // namespace

void harmonic_fill_box(std::vector<float>& values, const std::vector<std::uint8_t>& unknown, int w, int h, double dx_um,
                       double dy_um) {
  bool any_known = false;
  for (std::size_t i = 0; i < unknown.size() && !any_known; ++i) any_known = !unknown[i];
  if (!any_known) {
    std::fill(values.begin(), values.end(), 0.0f);
    return;
  }
  const float wx = static_cast<float>(1.0 / (dx_um * dx_um));
  const float wy = static_cast<float>(1.0 / (dy_um * dy_um));
  const float scale = std::max(wx, wy);
  solve_level(values, unknown, w, h, wx / scale, wy / scale);
}

ScarMeasurement measure_candidate(const HeightMap& relief, const float* smoothed, const float* traced_relief,
                                  const std::vector<std::int32_t>& labels,
                                  int label, const CandidateRegion& candidate, const MeasurementSettings& settings) {
  ScarMeasurement m;
  m.elevation = candidate.elevation;
  const double dx = relief.dx_um();
  const double dy = relief.dy_um();
  const float sign = candidate.elevation ? -1.0f : 1.0f;  // depth = sign * (fill - relief)

  const int span = std::max(candidate.max_row - candidate.min_row, candidate.max_col - candidate.min_col) + 1;
  const int margin = std::max(6, static_cast<int>(0.6 * span));
  Box box;
  box.x0 = std::max(0, candidate.min_col - margin);
  box.y0 = std::max(0, candidate.min_row - margin);
  box.w = std::min(relief.nx(), candidate.max_col + margin + 1) - box.x0;
  box.h = std::min(relief.ny(), candidate.max_row + margin + 1) - box.y0;
  const std::size_t size = static_cast<std::size_t>(box.w) * static_cast<std::size_t>(box.h);

  std::vector<float> height(size), smooth(size), envelope(size);
  std::vector<std::uint8_t> seen(size), own(size), allowed(size), others(size);
  for (int row = 0; row < box.h; ++row) {
    for (int col = 0; col < box.w; ++col) {
      const std::size_t g = relief.index(box.y0 + row, box.x0 + col);
      const std::size_t i = box.at(row, col);
      height[i] = relief.heights()[g];
      smooth[i] = smoothed[g];
      envelope[i] = traced_relief[g];
      seen[i] = relief.mask()[g] ? 1 : 0;
      own[i] = labels[g] == label;
      others[i] = labels[g] != 0 && labels[g] != label;
      allowed[i] = !others[i];
    }
  }
  const std::size_t peak_local = box.at(candidate.peak_index / relief.nx() - box.y0, candidate.peak_index % relief.nx() - box.x0);
  std::vector<std::uint8_t> region = component_with_holes(own, allowed, box, peak_local);

  // Skin filled in from around `extent` (harmonic), and the depth against it.
  std::vector<float> fill(size), depth(size), trace_depth(size);
  auto fill_from_rim = [&](const std::vector<std::uint8_t>& extent) {
    std::vector<std::uint8_t> unknown(size);
    for (std::size_t i = 0; i < size; ++i) unknown[i] = extent[i] || others[i];
    fill = smooth;  // rim values from the smoothed relief: the rim is a level, not a noise sample
    harmonic_fill_box(fill, unknown, box.w, box.h, dx, dy);
    for (std::size_t i = 0; i < size; ++i) {
      depth[i] = sign * (fill[i] - smooth[i]);
      trace_depth[i] = sign * (fill[i] - envelope[i]);
    }
  };

  const double pixel_mm2 = dx * dy * 1e-6;
  double rim_radius_px = 0.0, traced_radius_px = 0.0;
  int grow_px = 2;
  std::vector<std::uint8_t> traced;
  float peak = 0.0f;
  std::size_t peak_at = peak_local;
  // Fill from the rim, trace the extent at the rim level, and fill again from the new rim: the
  // second pass corrects a first rim that lay inside the scar.
  for (int pass = 0; pass < 2; ++pass) {
    fill_from_rim(dilate(region, box, grow_px));
    peak = 0.0f;
    float trace_peak = -1e30f;
    for (std::size_t i = 0; i < size; ++i) {
      if (!region[i]) continue;
      peak = std::max(peak, depth[i]);
      if (trace_depth[i] > trace_peak) {
        trace_peak = trace_depth[i];
        peak_at = i;
      }
    }
    if (peak <= 0.0f) return m;
    const float level = std::max(static_cast<float>(settings.rim_min_um), static_cast<float>(settings.rim_fraction) * peak);
    m.rim_level_um = level;
    std::vector<std::uint8_t> above(size);
    for (std::size_t i = 0; i < size; ++i) above[i] = allowed[i] && trace_depth[i] >= level;
    traced = component_with_holes(above, allowed, box, peak_at);
    const double traced_area = static_cast<double>(count_set(traced));
    traced_radius_px = std::sqrt(traced_area / std::numbers::pi);
    rim_radius_px = traced_radius_px;
    m.extent_extrapolated = false;
    const double f1 = level / peak;
    if (f1 > settings.rim_fraction * 1.01 && 2.0 * f1 < 0.7) {
      // The rim lies below the noise floor: extrapolate the radius down to the rim fraction from
      // the wall between one and four times the traced level. Near its rim a wall meets the skin
      // as r = R - c f^a (a = 1/2 for a smooth wall, 1 for a cone); a comes from the three levels.
      auto radius_at = [&](float factor) {
        std::vector<std::uint8_t> above_level(size);
        for (std::size_t i = 0; i < size; ++i) above_level[i] = traced[i] && trace_depth[i] >= factor * level;
        return std::sqrt(static_cast<double>(count_set(component_with_holes(above_level, allowed, box, peak_at))) /
                         std::numbers::pi);
      };
      const double r2 = radius_at(2.0f);
      double exponent = 0.5;
      if (4.0 * f1 < 0.7) {
        const double r4 = radius_at(4.0f);
        if (r2 < traced_radius_px && r4 < r2) {
          exponent = std::clamp(std::log2((r2 - r4) / (traced_radius_px - r2)), 0.3, 1.2);
        }
      }
      if (r2 > 0 && r2 < traced_radius_px) {
        const double c = (traced_radius_px - r2) / (std::pow(f1, exponent) * (std::pow(2.0, exponent) - 1.0));
        rim_radius_px = std::min(1.5 * traced_radius_px,
                                 traced_radius_px + c * (std::pow(f1, exponent) - std::pow(settings.rim_fraction, exponent)));
        m.extent_extrapolated = true;
      }
    }
    region = traced;
    grow_px = static_cast<int>(std::ceil(rim_radius_px - traced_radius_px)) + 1;
  }
  fill_from_rim(dilate(region, box, grow_px));
  const std::vector<std::uint8_t> extent = [&] {
    std::vector<std::uint8_t> e = dilate(region, box, grow_px - 1);
    for (std::size_t i = 0; i < size; ++i) e[i] = e[i] && allowed[i];
    return e;
  }();

  // Depth (height), volume, shape.
  peak = 0.0f;
  for (std::size_t i = 0; i < size; ++i)
    if (region[i] && depth[i] > peak) peak = depth[i];
  if (peak <= 0.0f || traced_radius_px <= 0) return m;
  const double scale = rim_radius_px / traced_radius_px;
  double volume_um = 0.0, unseen = 0.0, seen_peak = 0.0, unseen_peak = 0.0;
  double sx = 0, sy = 0, n = 0;
  for (int row = 0; row < box.h; ++row)
    for (int col = 0; col < box.w; ++col) {
      const std::size_t i = box.at(row, col);
      if (extent[i]) volume_um += sign * (fill[i] - height[i]);
      if (!region[i]) continue;
      sx += col;
      sy += row;
      n += 1;
      if (seen[i]) {
        seen_peak = std::max(seen_peak, static_cast<double>(depth[i]));
      } else {
        unseen += 1;
        unseen_peak = std::max(unseen_peak, static_cast<double>(depth[i]));
      }
    }
  const double cx = sx / n, cy = sy / n;
  double sxx = 0, syy = 0, sxy = 0;
  std::size_t deeper_half = 0, within_fifth = 0;
  std::vector<float> wall_slopes;
  for (int row = 0; row < box.h; ++row)
    for (int col = 0; col < box.w; ++col) {
      const std::size_t i = box.at(row, col);
      if (!region[i]) continue;
      const double ex = (col - cx) * dx / 1000.0, ey = (row - cy) * dy / 1000.0;
      sxx += ex * ex;
      syy += ey * ey;
      sxy += ex * ey;
      const float d = depth[i];
      if (d >= 0.5f * peak) ++deeper_half;
      if (d >= 0.8f * peak) ++within_fifth;
      if (d >= 0.2f * peak && d <= 0.8f * peak && row > 0 && col > 0 && row + 1 < box.h && col + 1 < box.w && seen[i]) {
        const double gx = (depth[box.at(row, col + 1)] - depth[box.at(row, col - 1)]) / (2 * dx);
        const double gy = (depth[box.at(row + 1, col)] - depth[box.at(row - 1, col)]) / (2 * dy);
        wall_slopes.push_back(static_cast<float>(std::hypot(gx, gy)));
      }
    }
  sxx /= n;
  syy /= n;
  sxy /= n;
  const double trace = sxx + syy;
  const double det_root = std::sqrt(std::max(0.0, (sxx - syy) * (sxx - syy) / 4 + sxy * sxy));
  const double lambda1 = trace / 2 + det_root, lambda2 = std::max(0.0, trace / 2 - det_root);

  m.area_mm2 = static_cast<double>(count_set(region)) * pixel_mm2 * scale * scale;
  m.diameter_mm = 2.0 * std::sqrt(m.area_mm2 / std::numbers::pi);
  m.major_mm = 4.0 * std::sqrt(lambda1) * scale;
  m.minor_mm = 4.0 * std::sqrt(lambda2) * scale;
  m.elongation = lambda2 > 0 ? std::sqrt(lambda1 / lambda2) : 99.0;
  m.centroid_mm = {(box.x0 + cx) * dx / 1000.0, (box.y0 + cy) * dy / 1000.0};
  m.depth_um = peak;
  m.depth_is_lower_bound = unseen > 0 && unseen_peak >= settings.unseen_floor_fraction * std::max(seen_peak, 1e-9);
  m.volume_mm3 = volume_um * dx * dy * 1e-9;
  m.mean_depth_um = m.volume_mm3 / std::max(m.area_mm2, 1e-12) * 1000.0;
  const double extent_points = static_cast<double>(count_set(region)) * scale * scale;
  m.floor_fraction = static_cast<double>(deeper_half) / extent_points;
  m.flat_fraction = static_cast<double>(within_fifth) / extent_points;
  m.unseen_fraction = unseen / n;
  m.depth_to_width = m.depth_um / (1000.0 * m.diameter_mm);
  if (!wall_slopes.empty()) {
    auto middle = wall_slopes.begin() + static_cast<std::ptrdiff_t>(wall_slopes.size() / 2);
    std::nth_element(wall_slopes.begin(), middle, wall_slopes.end());
    m.wall_slope_deg = std::atan(*middle) * 180.0 / std::numbers::pi;
    // Slope against that of a cone of the same depth and width: ~1 for V, ~1.5 for a sloping
    // bowl, 2.5 and more for a flat floor behind steep walls, whatever the scar's size.
    m.wall_sharpness = *middle * (m.diameter_mm * 500.0) / std::max(m.depth_um, 1e-9);
  }

  // Outline: the traced contour, scaled about the centroid out to the (extrapolated) rim.
  cv::Mat mask(box.h, box.w, CV_8U, region.data());
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  if (!contours.empty()) {
    const auto largest = std::max_element(contours.begin(), contours.end(), [](const auto& a, const auto& b) {
      return cv::contourArea(a) < cv::contourArea(b);
    });
    std::vector<cv::Point> simple;
    cv::approxPolyDP(*largest, simple, 0.7, true);
    for (const cv::Point& p : simple) {
      const double col = cx + (p.x - cx) * scale;
      const double row = cy + (p.y - cy) * scale;
      m.outline_mm.push_back({(box.x0 + col) * dx / 1000.0, (box.y0 + row) * dy / 1000.0});
    }
  }
  return m;
}

}  // namespace scarscope
