// HeightMap: sizes, spacing checks, missing points, explicit copies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "surface/height_map.h"
#include "surface/scan_summary.h"

using scarscope::HeightMap;
using scarscope::InputError;

TEST(HeightMap, NewMapIsAllValidZeroWithItsSpacing) {
  HeightMap map(4, 3, 20.0, 25.0);
  EXPECT_EQ(map.nx(), 4);
  EXPECT_EQ(map.ny(), 3);
  EXPECT_EQ(map.size(), 12u);
  EXPECT_DOUBLE_EQ(map.dx_um(), 20.0);
  EXPECT_DOUBLE_EQ(map.dy_um(), 25.0);
  EXPECT_EQ(map.valid_count(), 12u);
  EXPECT_EQ(map.height(2, 3), 0.0f);
}

TEST(HeightMap, RejectsZeroNegativeAndNonFiniteSpacing) {
  EXPECT_THROW(HeightMap(2, 2, 0.0, 1.0), InputError);
  EXPECT_THROW(HeightMap(2, 2, 1.0, -5.0), InputError);
  EXPECT_THROW(HeightMap(2, 2, std::numeric_limits<double>::quiet_NaN(), 1.0), InputError);
  EXPECT_THROW(HeightMap(2, 2, 1.0, std::numeric_limits<double>::infinity()), InputError);
  HeightMap map(2, 2, 1.0, 1.0);
  EXPECT_THROW(map.set_spacing(0.0, 1.0), InputError);
  EXPECT_DOUBLE_EQ(map.dx_um(), 1.0) << "a rejected spacing must leave the old one";
}

TEST(HeightMap, RejectsNonPositiveSizes) {
  EXPECT_THROW(HeightMap(0, 5, 1.0, 1.0), InputError);
  EXPECT_THROW(HeightMap(5, -1, 1.0, 1.0), InputError);
}

TEST(HeightMap, NonFiniteHeightsBecomeMissing) {
  HeightMap map(3, 1, 1.0, 1.0);
  map.set(0, 0, 12.5f);
  map.set(0, 1, std::numeric_limits<float>::infinity());
  map.set_missing(0, 2);
  EXPECT_TRUE(map.valid(0, 0));
  EXPECT_FALSE(map.valid(0, 1));
  EXPECT_FALSE(map.valid(0, 2));
  EXPECT_TRUE(std::isnan(map.height(0, 1)));
  EXPECT_EQ(map.valid_count(), 1u);
}

TEST(HeightMap, NormalizeMakesMaskAndNaNAgree) {
  HeightMap map(2, 1, 1.0, 1.0);
  map.heights()[0] = std::numeric_limits<float>::quiet_NaN();  // written raw, mask still says valid
  map.mask()[1] = 0;                                            // masked, height still finite
  map.normalize_missing();
  EXPECT_EQ(map.valid_count(), 0u);
  EXPECT_TRUE(std::isnan(map.height(0, 1)));
}

// normalize_missing checks blocks of points read-only and rewrites only those that need it: every
// kind of disagreement, at block edges and in the short last block, must still be found, and
// points that agree (valid finite heights, missing ones holding NaN) must be left as they were.
TEST(HeightMap, NormalizeFindsEveryDisagreementWhereverItIs) {
  const int nx = 4096 + 1000, ny = 3;  // blocks of 4096 points: edges at 4096, 8192, 12288
  HeightMap map(nx, ny, 1.0, 1.0);
  float* h = map.heights();
  std::uint8_t* m = map.mask();
  for (std::size_t i = 0; i < map.size(); ++i) h[i] = static_cast<float>(i % 97) - 40.0f;
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Points that already agree: missing with NaN (in a block with nothing to fix).
  m[100] = 0;
  h[100] = nan;
  // Disagreements, one kind per place: a valid NaN, a valid +inf and -inf, a masked finite
  // height, a masked infinity, a negative NaN behind a zero mask, a mask value of 7 with a
  // finite height (valid: any non-zero mask counts).
  h[4095] = nan;                 // last point of the first block
  h[4096] = inf;                 // first point of the second block
  h[8191] = -inf;
  m[8192] = 0;                   // masked, height finite
  m[9000] = 0;
  h[9000] = inf;
  m[12287] = 0;
  h[12287] = -nan;
  m[map.size() - 1] = 7;         // last point of the short last block, valid
  h[map.size() - 2] = nan;       // and its neighbour
  map.normalize_missing();
  for (const std::size_t i : {std::size_t{100}, std::size_t{4095}, std::size_t{4096}, std::size_t{8191},
                              std::size_t{8192}, std::size_t{9000}, std::size_t{12287}, map.size() - 2}) {
    SCOPED_TRACE(i);
    EXPECT_EQ(m[i], 0);
    EXPECT_TRUE(std::isnan(h[i]));
    EXPECT_FALSE(std::signbit(h[i])) << "missing points hold the one quiet NaN";
  }
  EXPECT_EQ(m[map.size() - 1], 7) << "a valid point with a finite height is left as it is";
  EXPECT_EQ(h[map.size() - 1], static_cast<float>((map.size() - 1) % 97) - 40.0f);
  EXPECT_EQ(map.valid_count(), map.size() - 8);
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (m[i] != 0) {
      ASSERT_EQ(h[i], static_cast<float>(i % 97) - 40.0f) << i;
    }
  }
}

TEST(HeightMap, MovesCheaplyAndCopiesOnlyOnRequest) {
  HeightMap map(100, 100, 10.0, 10.0);
  map.set(5, 5, 42.0f);
  map.metadata.comment = "cheek";
  const float* data = map.heights();
  HeightMap moved = std::move(map);
  EXPECT_EQ(moved.heights(), data) << "a move must not copy the heights";
  HeightMap copy = moved.clone();
  EXPECT_NE(copy.heights(), moved.heights());
  EXPECT_EQ(copy.height(5, 5), 42.0f);
  EXPECT_EQ(copy.metadata.comment, "cheek");
  copy.set(5, 5, 1.0f);
  EXPECT_EQ(moved.height(5, 5), 42.0f) << "a clone is independent";
  static_assert(!std::is_copy_constructible_v<HeightMap>, "copies must be explicit");
}

TEST(HeightMap, ValidCountCountsEveryNonZeroMaskByteWhereverItIs) {
  // valid_count reads the mask eight bytes at a time and sums in blocks of 255 words: check any
  // non-zero byte value (1, 0x7f, 0x80, 0xff ...) at every position of a word, short tails, and a
  // map longer than one block, against a byte-by-byte count.
  for (const int nx : {1, 7, 8, 9, 13, 2100}) {
    SCOPED_TRACE(nx);
    HeightMap map(nx, 3, 1.0, 1.0);
    std::uint8_t* mask = map.mask();
    const std::uint8_t values[] = {0, 1, 0x7f, 0x80, 0xff, 0, 2, 0, 0x81, 0x40, 0, 0};
    std::size_t expected = 0;
    for (std::size_t i = 0; i < map.size(); ++i) {
      mask[i] = values[(i * 7 + i / 13) % 12];
      expected += mask[i] != 0;
    }
    EXPECT_EQ(map.valid_count(), expected);
    for (std::size_t i = 0; i < map.size(); ++i) mask[i] = 0xff;
    EXPECT_EQ(map.valid_count(), map.size());
    for (std::size_t i = 0; i < map.size(); ++i) mask[i] = 0;
    EXPECT_EQ(map.valid_count(), 0u);
  }
}

TEST(HeightMap, AMapOfManyMegabytesHoldsItsPointsThroughCloneAndMove) {
  // 2100 x 2100 points: heights (17.6 MB) and mask (4.4 MB) come from the huge-page block path of
  // detail::allocate_block, the constructor's zero fill and for_overwrite's none alike.
  HeightMap filled(2100, 2100, 20.0, 20.0);
  EXPECT_EQ(filled.valid_count(), filled.size());
  EXPECT_EQ(filled.height(2099, 2099), 0.0f);
  HeightMap map = HeightMap::for_overwrite(2100, 2100, 20.0, 20.0);
  for (int r = 0; r < map.ny(); ++r)
    for (int c = 0; c < map.nx(); ++c) map.set(r, c, static_cast<float>(r - c));
  map.set_missing(1000, 7);
  HeightMap moved = std::move(map);
  const HeightMap copy = moved.clone();
  moved = HeightMap(8, 8, 1.0, 1.0);  // the large blocks are given back
  EXPECT_EQ(copy.height(2099, 0), 2099.0f);
  EXPECT_EQ(copy.height(0, 2099), -2099.0f);
  EXPECT_FALSE(copy.valid(1000, 7));
  EXPECT_EQ(copy.valid_count(), copy.size() - 1);
  // Below the large-block size, the ordinary allocation.
  std::vector<float, scarscope::detail::DefaultInitAllocator<float>> small(1000, 1.5f);
  EXPECT_EQ(small[999], 1.5f);
}

TEST(HeightMap, ForOverwriteHasTheShapeAndChecksOfANewMap) {
  // What a reader gets before writing every point: the size, spacing and checks of the constructor
  // (its contents are unset, so only what it holds after being written is compared).
  HeightMap map = HeightMap::for_overwrite(7, 5, 2.0, 3.0);
  EXPECT_EQ(map.nx(), 7);
  EXPECT_EQ(map.ny(), 5);
  EXPECT_EQ(map.size(), 35u);
  EXPECT_EQ(map.dx_um(), 2.0);
  EXPECT_EQ(map.dy_um(), 3.0);
  for (int r = 0; r < 5; ++r) {
    for (int c = 0; c < 7; ++c) map.set(r, c, static_cast<float>(r * 7 + c));
  }
  map.set_missing(2, 3);
  const HeightMap copy = map.clone();
  EXPECT_EQ(copy.height(4, 6), 34.0f);
  EXPECT_FALSE(copy.valid(2, 3));
  EXPECT_EQ(copy.valid_count(), 34u);
  EXPECT_THROW(HeightMap::for_overwrite(0, 5, 1.0, 1.0), InputError);
  EXPECT_THROW(HeightMap::for_overwrite(5, 5, 1.0, -1.0), InputError);
  // The constructor still fills: every point valid and zero.
  const HeightMap filled(9, 9, 1.0, 1.0);
  EXPECT_EQ(filled.valid_count(), 81u);
  for (std::size_t i = 0; i < filled.size(); ++i) ASSERT_EQ(filled.heights()[i], 0.0f);
  // An empty map clones to an empty map.
  EXPECT_TRUE(HeightMap().clone().empty());
}

TEST(ScanSummary, CountsAndExtremesAreThoseOfTheValidPointsWhereverTheyAre) {
  // summarize_scan takes them eight points a step (AVX2) with a point-by-point tail: every width
  // (tails of 0-7), missing points holding any value (NaN, huge, the extremes' rivals), against a
  // point-by-point scan.
  for (const int nx : {1, 5, 8, 13, 37, 301}) {
    SCOPED_TRACE(nx);
    HeightMap map(nx, 7, 1.0, 1.0);
    std::size_t valid = 0;
    float low = std::numeric_limits<float>::infinity(), high = -low;
    for (std::size_t i = 0; i < map.size(); ++i) {
      const bool keep = (i * 5 + i / 7) % 4 != 0;
      const float h = static_cast<float>(std::sin(0.37 * static_cast<double>(i)) * 100.0 + 0.5);
      map.heights()[i] = keep ? h : (i % 3 == 0 ? std::numeric_limits<float>::quiet_NaN() : (i % 2 ? 1e30f : -1e30f));
      map.mask()[i] = keep ? static_cast<std::uint8_t>(1 + i % 200) : 0;
      if (keep) {
        ++valid;
        low = std::min(low, h);
        high = std::max(high, h);
      }
    }
    const scarscope::ScanSummary summary = scarscope::summarize_scan(map);
    EXPECT_EQ(summary.valid_points, valid);
    if (valid > 0) {
      ASSERT_TRUE(summary.z_min_um && summary.z_max_um);
      EXPECT_EQ(*summary.z_min_um, low);
      EXPECT_EQ(*summary.z_max_um, high);
    }
  }
  // A zero extreme (where +0 and -0 tie) and no valid point.
  HeightMap flat(9, 2, 1.0, 1.0);
  flat.heights()[4] = 3.0f;
  const scarscope::ScanSummary zero = scarscope::summarize_scan(flat);
  EXPECT_EQ(*zero.z_min_um, 0.0f);
  EXPECT_EQ(*zero.z_max_um, 3.0f);
  for (std::size_t i = 0; i < flat.size(); ++i) flat.mask()[i] = 0;
  const scarscope::ScanSummary none = scarscope::summarize_scan(flat);
  EXPECT_EQ(none.valid_points, 0u);
  EXPECT_FALSE(none.z_min_um.has_value());
}
