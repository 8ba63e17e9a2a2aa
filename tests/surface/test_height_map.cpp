// HeightMap: sizes, spacing checks, missing points, explicit copies.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>

#include "core/error.h"
#include "surface/height_map.h"

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
