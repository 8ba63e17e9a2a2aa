#include "scars/detection.h"

#include <algorithm>
#include <cmath>
#include <limits>
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
  float deepest = rim;
  for (std::size_t i = 0; i < count; ++i) deepest = std::max(deepest, depth_at(i));
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
  std::vector<std::int32_t> order(running);
  for (std::size_t i = 0; i < count; ++i) {
    const float d = depth_at(i);
    if (d > rim) order[start[buckets - 1 - static_cast<std::size_t>((d - rim) / bucket_um)]++] = static_cast<std::int32_t>(i);
  }

  const float min_dynamic = static_cast<float>(settings.split_min_dynamic_um);
  const float relative_dynamic = static_cast<float>(settings.split_relative_dynamic);
  const float saddle_fraction = static_cast<float>(settings.merge_min_saddle_fraction);
  std::int32_t roots[8];
  for (const std::int32_t index : order) {
    const int row = index / nx;
    const int col = index % nx;
    const float level = depth_at(static_cast<std::size_t>(index));
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

}  // namespace

int fill_missing_relief(HeightMap& relief) {
  const int nx = relief.nx();
  const int ny = relief.ny();
  cv::Mat missing(ny, nx, CV_8U);
  const std::uint8_t* mask = relief.mask();
  for (int row = 0; row < ny; ++row) {
    std::uint8_t* out = missing.ptr<std::uint8_t>(row);
    for (int col = 0; col < nx; ++col) out[col] = mask[relief.index(row, col)] ? 0 : 255;
  }
  if (cv::countNonZero(missing) == 0) return 0;
  cv::Mat labels;
  const int patches = cv::connectedComponents(missing, labels, 8, CV_32S) - 1;
  missing.release();
  std::vector<std::vector<float>> rims(static_cast<std::size_t>(patches) + 1);
  float* z = relief.heights();
  for (int row = 0; row < ny; ++row) {
    for (int col = 0; col < nx; ++col) {
      const std::size_t i = relief.index(row, col);
      if (!mask[i]) continue;
      // A valid point on the edge of a missing patch belongs to that patch's rim.
      const int neighbours[4][2] = {{row - 1, col}, {row + 1, col}, {row, col - 1}, {row, col + 1}};
      int last = 0;
      for (const auto& n : neighbours) {
        if (n[0] < 0 || n[0] >= ny || n[1] < 0 || n[1] >= nx) continue;
        const int patch = labels.at<std::int32_t>(n[0], n[1]);
        if (patch > 0 && patch != last) {
          rims[static_cast<std::size_t>(patch)].push_back(z[i]);
          last = patch;
        }
      }
    }
  }
  std::vector<float> level(static_cast<std::size_t>(patches) + 1, 0.0f);
  for (int p = 1; p <= patches; ++p) level[static_cast<std::size_t>(p)] = median_of(rims[static_cast<std::size_t>(p)]);
  for (int row = 0; row < ny; ++row) {
    const std::int32_t* patch = labels.ptr<std::int32_t>(row);
    for (int col = 0; col < nx; ++col) {
      if (patch[col] > 0) z[relief.index(row, col)] = level[static_cast<std::size_t>(patch[col])];
    }
  }
  return patches;
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
