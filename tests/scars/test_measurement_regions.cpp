// measure_candidate's region operations against their plain OpenCV versions, point for point: the
// component with its enclosed holes (found by flooding the outside from the component's bounding
// box instead of tracing and filling its outer contour) and the dilation over the region's box
// only. Random blobs with holes, one-point necks and diagonal joins, touching the grid's edges, on
// odd and even sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/random.h"
#include "scars/measurement.h"

namespace scarscope {
namespace {

// The plain version: OpenCV's flood, then the outer contour of the component filled.
std::vector<std::uint8_t> plain_component_with_holes(const std::vector<std::uint8_t>& inside, const std::vector<std::uint8_t>& allowed,
                                                     int w, int h, std::size_t seed) {
  std::vector<std::uint8_t> region(inside.size(), 0);
  if (!inside[seed]) return region;
  cv::Mat image(h, w, CV_8U, const_cast<std::uint8_t*>(inside.data()));
  cv::Mat flooded = cv::Mat::zeros(h + 2, w + 2, CV_8U);
  cv::Rect bounds;
  const cv::Point start(static_cast<int>(seed % static_cast<std::size_t>(w)), static_cast<int>(seed / static_cast<std::size_t>(w)));
  cv::floodFill(image, flooded, start, cv::Scalar(1), &bounds, cv::Scalar(0), cv::Scalar(0),
                8 | cv::FLOODFILL_MASK_ONLY | cv::FLOODFILL_FIXED_RANGE | (1 << 8));
  cv::Mat out(h, w, CV_8U, region.data());
  flooded(cv::Rect(1, 1, w, h)).copyTo(out);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(out(bounds), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE, bounds.tl());
  cv::Mat enclosed = cv::Mat::zeros(h, w, CV_8U);
  cv::drawContours(enclosed, contours, -1, cv::Scalar(1), cv::FILLED);
  for (std::size_t i = 0; i < region.size(); ++i)
    if (enclosed.data[i] && !region[i] && allowed[i]) region[i] = 1;
  return region;
}

// Blobs: a few discs and rings with random points flipped, so components have holes of every size,
// one-point necks and diagonal-only joins; `allowed` misses a few scattered points.
struct Scene {
  int w = 0, h = 0;
  std::vector<std::uint8_t> inside, allowed;
};

Scene random_scene(int w, int h, std::uint32_t seed) {
  Random rng(seed);
  Scene s;
  s.w = w;
  s.h = h;
  s.inside.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0);
  s.allowed.assign(s.inside.size(), 1);
  for (int k = 0; k < 4; ++k) {
    const double cx = rng.uniform() * w, cy = rng.uniform() * h;
    const double outer = 2.0 + rng.uniform() * 0.4 * std::min(w, h), inner = rng.uniform() < 0.5 ? 0.0 : outer * rng.uniform() * 0.7;
    for (int row = 0; row < h; ++row)
      for (int col = 0; col < w; ++col) {
        const double r = std::hypot(col - cx, row - cy);
        if (r < outer && r >= inner) s.inside[static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col)] = 1;
      }
  }
  const double flip = 0.02 + 0.25 * rng.uniform();
  for (std::size_t i = 0; i < s.inside.size(); ++i) {
    if (rng.uniform() < flip) s.inside[i] = s.inside[i] ? 0 : 1;
    if (rng.uniform() < 0.05) s.allowed[i] = 0;
  }
  return s;
}

TEST(MeasurementRegions, ComponentWithHolesMatchesTheFilledOuterContour) {
  const int sizes[][2] = {{1, 1}, {1, 9}, {7, 1}, {3, 3}, {8, 8}, {13, 9}, {32, 17}, {64, 64}, {71, 93}};
  std::uint32_t seed = 1;
  std::size_t with_holes = 0;
  for (const auto& size : sizes) {
    for (int k = 0; k < 40; ++k) {
      const Scene s = random_scene(size[0], size[1], seed++);
      // Seeds on set points (and one unset point, which gives nothing).
      for (int t = 0; t < 4; ++t) {
        const std::size_t at = (seed * 7919u + static_cast<std::size_t>(t) * 104729u) % s.inside.size();
        const std::vector<std::uint8_t> expected = plain_component_with_holes(s.inside, s.allowed, s.w, s.h, at);
        const std::vector<std::uint8_t> got = detail::component_with_holes(s.inside, s.allowed, s.w, s.h, at);
        ASSERT_EQ(got, expected) << s.w << " x " << s.h << ", seed " << seed << ", point " << at;
        for (std::size_t i = 0; i < got.size(); ++i) with_holes += got[i] && !s.inside[i];
      }
    }
  }
  EXPECT_GT(with_holes, 0u);  // some components did enclose holes
}

TEST(MeasurementRegions, DilationOverTheRegionsBoxMatchesTheWholeGrids) {
  const int sizes[][2] = {{1, 1}, {5, 3}, {13, 9}, {32, 17}, {71, 93}};
  std::uint32_t seed = 1000;
  for (const auto& size : sizes) {
    for (int k = 0; k < 20; ++k) {
      Scene s = random_scene(size[0], size[1], seed++);
      if (k == 0) std::fill(s.inside.begin(), s.inside.end(), 0);  // nothing to dilate
      for (const int radius : {0, 1, 2, 5, 40}) {
        const cv::Mat in(s.h, s.w, CV_8U, s.inside.data());
        cv::Mat out;
        cv::dilate(in, out, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * radius + 1, 2 * radius + 1)));
        const std::vector<std::uint8_t> expected(out.datastart, out.dataend);
        ASSERT_EQ(detail::dilate(s.inside, s.w, s.h, radius), expected) << s.w << " x " << s.h << ", radius " << radius;
      }
    }
  }
}

}  // namespace
}  // namespace scarscope
