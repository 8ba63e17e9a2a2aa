#include "scars/detection.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace scarscope {
namespace {

float median_of(std::vector<float>& values) {
  if (values.empty()) return 0.0f;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

// Union-find over basins; the root of a merged basin is the deeper one.
struct Basins {
  std::vector<std::int32_t> parent;
  std::vector<float> peak;
  std::vector<std::int32_t> peak_index;
  std::int32_t find(std::int32_t b) {
    while (parent[static_cast<std::size_t>(b)] != b) {
      parent[static_cast<std::size_t>(b)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(b)])];
      b = parent[static_cast<std::size_t>(b)];
    }
    return b;
  }
  std::int32_t add(float level, std::int32_t index) {
    const auto id = static_cast<std::int32_t>(parent.size());
    parent.push_back(id);
    peak.push_back(level);
    peak_index.push_back(index);
    return id;
  }
};

// One flooding pass over sign × relief (positive = into the feature), writing sign × (basin id + 1)
// into `basin_of` for the points it reaches: depressions (sign +1 over minus the closed relief)
// and elevations (sign -1 over the opened relief) share one label image without touching.
void flood(const float* relief, float sign, int nx, int ny, float rim, const DetectionSettings& settings, Basins& basins,
           std::vector<std::int32_t>& basin_of) {
  const auto depth_at = [relief, sign](std::size_t i) { return -sign * relief[i]; };
  const std::int32_t polarity = sign > 0 ? 1 : -1;
  const std::size_t count = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  // Bucket sort of the points above the rim, deepest first (0.25 µm buckets: far finer than noise).
  constexpr float bucket_um = 0.25f;
  float lanes[8] = {rim, rim, rim, rim, rim, rim, rim, rim};  // eight running maxima: vectorised, and exact
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8)
    for (int k = 0; k < 8; ++k) lanes[k] = std::max(lanes[k], depth_at(i + static_cast<std::size_t>(k)));
  float deepest = *std::max_element(lanes, lanes + 8);
  for (; i < count; ++i) deepest = std::max(deepest, depth_at(i));
  const std::size_t buckets = static_cast<std::size_t>((deepest - rim) / bucket_um) + 2;
  std::vector<std::uint32_t> start(buckets + 1, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const float d = depth_at(i);
    if (d > rim) ++start[buckets - 1 - static_cast<std::size_t>((d - rim) / bucket_um)];
  }
  std::uint32_t running = 0;
  for (std::size_t b = 0; b <= buckets; ++b) {
    const std::uint32_t n = start[b];
    start[b] = running;
    running += n;
  }
  // The points and their depths in flooding order (the depths travel with them: looking them up
  // in the relief would cost a cache miss per point, the order being all over the map).
  std::vector<std::int32_t> order(running);
  std::vector<float> order_depth(running);
  for (std::size_t i = 0; i < count; ++i) {
    const float d = depth_at(i);
    if (d > rim) {
      const std::uint32_t k = start[buckets - 1 - static_cast<std::size_t>((d - rim) / bucket_um)]++;
      order[k] = static_cast<std::int32_t>(i);
      order_depth[k] = d;
    }
  }

  const float min_dynamic = static_cast<float>(settings.split_min_dynamic_um);
  const float relative_dynamic = static_cast<float>(settings.split_relative_dynamic);
  const float saddle_fraction = static_cast<float>(settings.merge_min_saddle_fraction);
  std::int32_t roots[8];
  const std::int32_t* labels = basin_of.data();
  constexpr std::size_t ahead = 8;  // points whose neighbourhood is fetched ahead of time
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k + ahead < order.size()) {
      const std::int32_t later = order[k + ahead];
      __builtin_prefetch(labels + later);
      if (later >= nx) __builtin_prefetch(labels + (later - nx));
      if (later + nx < static_cast<std::int32_t>(count)) __builtin_prefetch(labels + (later + nx));
    }
    const std::int32_t index = order[k];
    const int row = index / nx;
    const int col = index % nx;
    const float level = order_depth[k];
    int found = 0;
    for (int dr = -1; dr <= 1; ++dr) {
      const int r = row + dr;
      if (r < 0 || r >= ny) continue;
      for (int dc = -1; dc <= 1; ++dc) {
        const int c = col + dc;
        if ((dr == 0 && dc == 0) || c < 0 || c >= nx) continue;
        const std::int32_t b = polarity * basin_of[static_cast<std::size_t>(r) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(c)];
        if (b <= 0) continue;
        const std::int32_t root = basins.find(b - 1);
        bool seen = false;
        for (int k = 0; k < found; ++k) seen = seen || roots[k] == root;
        if (!seen) roots[found++] = root;
      }
    }
    if (found == 0) {
      basin_of[static_cast<std::size_t>(index)] = polarity * (basins.add(level, index) + 1);
      continue;
    }
    // The deepest neighbouring basin takes the point; a shallower one merges into it when it is
    // only a minor undulation of its floor.
    std::int32_t main = roots[0];
    for (int k = 1; k < found; ++k)
      if (basins.peak[static_cast<std::size_t>(roots[k])] > basins.peak[static_cast<std::size_t>(main)]) main = roots[k];
    for (int k = 0; k < found; ++k) {
      const std::int32_t other = roots[k];
      if (other == main) continue;
      const float other_peak = basins.peak[static_cast<std::size_t>(other)];
      const float dynamic = other_peak - level;
      const bool minor = dynamic < std::max(min_dynamic, relative_dynamic * other_peak);
      const bool high_saddle = level >= saddle_fraction * basins.peak[static_cast<std::size_t>(main)];
      if (minor && high_saddle) basins.parent[static_cast<std::size_t>(other)] = main;
    }
    basin_of[static_cast<std::size_t>(index)] = polarity * (main + 1);
  }
}

// The slope (µm per µm) at which the wall descends into a missing patch, if the patch is round,
// wide enough and the skin on a ring unseen_pit_ring_mm outside it lies at least
// unseen_pit_min_descent_um above its rim (`rim_level`); else 0. The slope is the wall's just
// outside the rim (over two points or 40 µm), the steepest part of it that was seen.
float unseen_pit_slope(const HeightMap& relief, const std::vector<std::size_t>& patch, float rim_level,
                       const DetectionSettings& settings) {
  const double area_um2 = static_cast<double>(patch.size()) * relief.dx_um() * relief.dy_um();
  const double radius_um = std::sqrt(area_um2 / std::numbers::pi);
  if (2.0 * radius_um < settings.unseen_pit_min_diameter_mm * 1000.0) return 0.0f;
  const int nx = relief.nx();
  int min_row = relief.ny(), max_row = -1, min_col = nx, max_col = -1;
  double cx = 0.0, cy = 0.0;
  for (const std::size_t i : patch) {
    const int row = static_cast<int>(i / static_cast<std::size_t>(nx)), col = static_cast<int>(i % static_cast<std::size_t>(nx));
    min_row = std::min(min_row, row);
    max_row = std::max(max_row, row);
    min_col = std::min(min_col, col);
    max_col = std::max(max_col, col);
    cx += col;
    cy += row;
  }
  cx /= static_cast<double>(patch.size());
  cy /= static_cast<double>(patch.size());
  // Round: fills at least half its bounding box, which is at most twice as long as wide.
  const double w = (max_col - min_col + 1) * relief.dx_um(), h = (max_row - min_row + 1) * relief.dy_um();
  if (area_um2 < 0.5 * w * h || std::max(w, h) > 2.0 * std::min(w, h)) return 0.0f;
  // Median height of the valid points on a ring around it; NaN when mostly off the scan or unseen.
  const auto ring_level = [&](double ring_um) {
    std::vector<float> ring;
    for (int k = 0; k < 72; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / 72.0;
      const int col = static_cast<int>(std::lround(cx + ring_um * std::cos(angle) / relief.dx_um()));
      const int row = static_cast<int>(std::lround(cy + ring_um * std::sin(angle) / relief.dy_um()));
      if (row < 0 || row >= relief.ny() || col < 0 || col >= nx) continue;
      const std::size_t i = relief.index(row, col);
      if (relief.mask()[i]) ring.push_back(relief.heights()[i]);
    }
    return ring.size() < 36 ? std::numeric_limits<float>::quiet_NaN() : median_of(ring);
  };
  const float skin = ring_level(radius_um + settings.unseen_pit_ring_mm * 1000.0);
  if (!(skin - rim_level >= settings.unseen_pit_min_descent_um)) return 0.0f;
  const double step_um = std::max(40.0, 2.0 * std::max(relief.dx_um(), relief.dy_um()));
  const float near = ring_level(radius_um + step_um);
  if (!(near > rim_level)) return 0.0f;
  return static_cast<float>((near - rim_level) / step_um);
}

}  // namespace

int fill_missing_relief(HeightMap& relief, const DetectionSettings& settings) {
  // One missing patch (8-connected) at a time, found by a flood from its first point: memory in
  // proportion to the patch, not to the scan. A point is marked as visited by giving it a finite
  // height (missing points are NaN), so no full-size label image is needed.
  const int nx = relief.nx();
  const int ny = relief.ny();
  const std::uint8_t* mask = relief.mask();
  float* z = relief.heights();
  const std::size_t count = relief.size();
  // The next missing point at or after `from` (memchr: the scan is mostly complete).
  const auto next_missing = [mask, count](std::size_t from) {
    if (from >= count) return count;
    const void* hit = std::memchr(mask + from, 0, count - from);
    return hit ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - mask) : count;
  };
  const std::size_t first_missing = next_missing(0);
  if (first_missing == count) return 0;
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  for (std::size_t i = first_missing; i < count; ++i) z[i] = mask[i] ? z[i] : nan;
  int patches = 0;
  std::vector<std::size_t> patch, stack, rim;
  std::vector<float> rim_heights;
  for (std::size_t first = first_missing; first < count; first = next_missing(first + 1)) {
    if (!std::isnan(z[first])) continue;
    ++patches;
    patch.clear();
    rim.clear();
    stack.assign(1, first);
    z[first] = 0.0f;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      patch.push_back(i);
      const int row = static_cast<int>(i / static_cast<std::size_t>(nx));
      const int col = static_cast<int>(i % static_cast<std::size_t>(nx));
      for (int dr = -1; dr <= 1; ++dr) {
        const int r = row + dr;
        if (r < 0 || r >= ny) continue;
        for (int dc = -1; dc <= 1; ++dc) {
          const int c = col + dc;
          if ((dr == 0 && dc == 0) || c < 0 || c >= nx) continue;
          const std::size_t j = relief.index(r, c);
          if (mask[j]) {
            // A valid point on the edge (4-neighbour) of the patch belongs to its rim.
            if (dr == 0 || dc == 0) rim.push_back(j);
          } else if (std::isnan(z[j])) {
            z[j] = 0.0f;
            stack.push_back(j);
          }
        }
      }
    }
    std::sort(rim.begin(), rim.end());
    rim.erase(std::unique(rim.begin(), rim.end()), rim.end());
    rim_heights.clear();
    for (const std::size_t j : rim) rim_heights.push_back(z[j]);
    const float level = median_of(rim_heights);
    const float slope = unseen_pit_slope(relief, patch, level, settings);
    if (slope <= 0.0f) {
      for (const std::size_t i : patch) z[i] = level;
      continue;
    }
    // The mouth of a pit: a cone from the rim inwards, as steep as the wall above the rim.
    double cx = 0.0, cy = 0.0;
    for (const std::size_t i : patch) {
      cx += static_cast<double>(i % static_cast<std::size_t>(nx));
      cy += static_cast<double>(i / static_cast<std::size_t>(nx));
    }
    cx /= static_cast<double>(patch.size());
    cy /= static_cast<double>(patch.size());
    const double radius_um = std::sqrt(static_cast<double>(patch.size()) * relief.dx_um() * relief.dy_um() / std::numbers::pi);
    for (const std::size_t i : patch) {
      const double ex = (static_cast<double>(i % static_cast<std::size_t>(nx)) - cx) * relief.dx_um();
      const double ey = (static_cast<double>(i / static_cast<std::size_t>(nx)) - cy) * relief.dy_um();
      z[i] = level - static_cast<float>(slope * std::max(0.0, radius_um - std::hypot(ex, ey)));
    }
  }
  return patches;
}

DetectionGrid make_detection_grid(const HeightMap& relief, const DetectionSettings& settings) {
  DetectionGrid grid;
  grid.fx = std::max(1, static_cast<int>(std::lround(settings.grid_cell_um / relief.dx_um())));
  grid.fy = std::max(1, static_cast<int>(std::lround(settings.grid_cell_um / relief.dy_um())));
  grid.nx = (relief.nx() + grid.fx - 1) / grid.fx;
  grid.ny = (relief.ny() + grid.fy - 1) / grid.fy;
  grid.dx_um = grid.fx * relief.dx_um();
  grid.dy_um = grid.fy * relief.dy_um();
  const std::size_t cells = static_cast<std::size_t>(grid.nx) * static_cast<std::size_t>(grid.ny);
  // Block means (the last row and column of blocks may be partial): cv::resize with INTER_AREA
  // at an integer factor, written out so that partial blocks are averaged over their own points.
  // One point per cell (scans at grid_cell_um or coarser): the means are the heights themselves,
  // read in place.
  const bool own_grid = grid.fx == 1 && grid.fy == 1;
  std::vector<float> coarse(own_grid ? 0 : cells);
  if (!own_grid) {
    std::vector<double> row_sum(static_cast<std::size_t>(grid.nx));
    for (int j = 0; j < grid.ny; ++j) {
      std::fill(row_sum.begin(), row_sum.end(), 0.0);
      const int row_end = std::min(relief.ny(), (j + 1) * grid.fy);
      for (int row = j * grid.fy; row < row_end; ++row) {
        const float* z = relief.heights() + relief.index(row, 0);
        for (int i = 0; i < grid.nx; ++i) {
          const int end = std::min(relief.nx(), (i + 1) * grid.fx);
          float sum = 0.0f;
          for (int col = i * grid.fx; col < end; ++col) sum += z[col];
          row_sum[static_cast<std::size_t>(i)] += sum;
        }
      }
      const int rows = row_end - j * grid.fy;
      for (int i = 0; i < grid.nx; ++i) {
        const int cols = std::min(relief.nx(), (i + 1) * grid.fx) - i * grid.fx;
        coarse[static_cast<std::size_t>(j) * static_cast<std::size_t>(grid.nx) + static_cast<std::size_t>(i)] =
            static_cast<float>(row_sum[static_cast<std::size_t>(i)] / (rows * cols));
      }
    }
  }
  // Light smoothing; the block mean has already averaged over the cell.
  const double sx = settings.smoothing_sigma_um / grid.dx_um;
  const double sy = settings.smoothing_sigma_um / grid.dy_um;
  float* means = own_grid ? const_cast<float*>(relief.heights()) : coarse.data();  // only read
  if (sx < 0.3 && sy < 0.3) {
    if (own_grid) coarse.assign(means, means + cells);
    grid.smoothed = std::move(coarse);
  } else {
    grid.smoothed.resize(cells);
    const cv::Mat in(grid.ny, grid.nx, CV_32F, means);
    cv::Mat out(grid.ny, grid.nx, CV_32F, grid.smoothed.data());
    cv::GaussianBlur(in, out, cv::Size(0, 0), std::max(sx, 0.3), std::max(sy, 0.3), cv::BORDER_REFLECT);
  }
  grid.closed = without_narrow_features(grid.smoothed.data(), grid.nx, grid.ny, grid.dx_um, grid.dy_um,
                                        settings.narrow_feature_width_um, false);
  grid.opened = without_narrow_features(grid.smoothed.data(), grid.nx, grid.ny, grid.dx_um, grid.dy_um,
                                        settings.narrow_feature_width_um, true);
  return grid;
}

std::vector<float> without_narrow_features(const float* relief, int nx, int ny, double dx_um, double dy_um,
                                           double width_um, bool elevations) {
  std::vector<float> out(static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny));
  const cv::Mat in(ny, nx, CV_32F, const_cast<float*>(relief));
  cv::Mat result(ny, nx, CV_32F, out.data());
  const int kx = std::max(1, static_cast<int>(std::lround(width_um / dx_um)) | 1);
  const int ky = std::max(1, static_cast<int>(std::lround(width_um / dy_um)) | 1);
  if (kx <= 1 && ky <= 1) {
    in.copyTo(result);
    return out;
  }
  const cv::Mat element = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(kx, ky));
  cv::morphologyEx(in, result, elevations ? cv::MORPH_OPEN : cv::MORPH_CLOSE, element, cv::Point(-1, -1), 1,
                   cv::BORDER_REPLICATE);
  return out;
}

Segmentation segment_relief(const float* for_depressions, const float* for_elevations, int nx, int ny,
                            const DetectionSettings& settings) {
  const std::size_t count = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  Segmentation segmentation;
  std::vector<std::int32_t>& basin_of = segmentation.labels;
  basin_of.assign(count, 0);
  const float rim = static_cast<float>(settings.rim_depth_um);

  // Depressions (depth = minus the closed relief), then elevations in the same label image.
  Basins depressions;
  flood(for_depressions, 1.0f, nx, ny, rim, settings, depressions, basin_of);
  const auto depression_basins = static_cast<std::int32_t>(depressions.parent.size());
  Basins elevations;
  flood(for_elevations, -1.0f, nx, ny, rim, settings, elevations, basin_of);

  // Each basin root that reaches the seed depth (height) becomes a candidate.
  std::vector<std::int32_t> candidate_of_depression(static_cast<std::size_t>(depression_basins), 0);
  for (std::int32_t b = 0; b < depression_basins; ++b) {
    if (depressions.find(b) != b || depressions.peak[static_cast<std::size_t>(b)] < settings.seed_depth_um) continue;
    CandidateRegion region;
    region.peak = depressions.peak[static_cast<std::size_t>(b)];
    region.peak_index = depressions.peak_index[static_cast<std::size_t>(b)];
    segmentation.candidates.push_back(region);
    candidate_of_depression[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(segmentation.candidates.size());
  }
  const auto elevation_basins = static_cast<std::int32_t>(elevations.parent.size());
  std::vector<std::int32_t> candidate_of_elevation(static_cast<std::size_t>(elevation_basins), 0);
  for (std::int32_t b = 0; b < elevation_basins; ++b) {
    if (elevations.find(b) != b || elevations.peak[static_cast<std::size_t>(b)] < settings.seed_height_um) continue;
    CandidateRegion region;
    region.elevation = true;
    region.peak = elevations.peak[static_cast<std::size_t>(b)];
    region.peak_index = elevations.peak_index[static_cast<std::size_t>(b)];
    segmentation.candidates.push_back(region);
    candidate_of_elevation[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(segmentation.candidates.size());
  }
  for (auto& region : segmentation.candidates) {
    region.min_row = ny;
    region.min_col = nx;
    region.max_row = -1;
    region.max_col = -1;
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::int32_t label = 0;
    if (basin_of[i] > 0) {
      label = candidate_of_depression[static_cast<std::size_t>(depressions.find(basin_of[i] - 1))];
    } else if (basin_of[i] < 0) {
      label = candidate_of_elevation[static_cast<std::size_t>(elevations.find(-basin_of[i] - 1))];
    }
    basin_of[i] = label;
    if (label == 0) continue;
    CandidateRegion& region = segmentation.candidates[static_cast<std::size_t>(label - 1)];
    const int row = static_cast<int>(i / static_cast<std::size_t>(nx));
    const int col = static_cast<int>(i % static_cast<std::size_t>(nx));
    region.min_row = std::min(region.min_row, row);
    region.max_row = std::max(region.max_row, row);
    region.min_col = std::min(region.min_col, col);
    region.max_col = std::max(region.max_col, col);
    ++region.points;
  }
  return segmentation;
}

}  // namespace scarscope
