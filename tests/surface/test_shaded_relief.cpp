// Shaded relief: lit from the north-west, missing points in their own colour, PNG written as RGB.
#include <gtest/gtest.h>


#include "formats_test_maps.h"
#include "surface/formats/format_common.h"
#include "surface/png_codec.h"
#include "surface/shaded_relief.h"
#include "test_support.h"

namespace scarscope {
namespace {

int grey_at(const RgbImage& image, int column, int row) { return image.rgb[image.offset(column, row)]; }

// A pyramid: four faces looking north, south, east and west.
HeightMap pyramid(int size = 41) {
  HeightMap map(size, size, 10.0, 10.0);
  const int centre = size / 2;
  for (int r = 0; r < size; ++r)
    for (int c = 0; c < size; ++c) map.set(r, c, static_cast<float>(5.0 * (centre - std::max(std::abs(r - centre), std::abs(c - centre)))));
  return map;
}

TEST(ShadedRelief, SlopesFacingTheNorthWestLightAreBrighterThanThoseFacingAway) {
  const HeightMap map = pyramid();
  const RgbImage image = render_shaded_relief(map);
  ASSERT_EQ(image.width, 41);
  ASSERT_EQ(image.height, 41);
  ASSERT_EQ(image.rgb.size(), 41u * 41u * 3u);
  const int north_face = grey_at(image, 20, 5);   // top of the image, facing north
  const int west_face = grey_at(image, 5, 20);
  const int south_face = grey_at(image, 20, 35);
  const int east_face = grey_at(image, 35, 20);
  EXPECT_GT(north_face, south_face + 40);
  EXPECT_GT(west_face, east_face + 40);
  EXPECT_NEAR(north_face, west_face, 2);  // symmetric about the light's azimuth
  // Grey: red = green = blue.
  EXPECT_EQ(image.rgb[image.offset(5, 20)], image.rgb[image.offset(5, 20) + 1]);
}

TEST(ShadedRelief, MissingPointsHaveTheirOwnColour) {
  HeightMap map = pyramid();
  map.set_missing(10, 12);
  ShadedReliefOptions options;
  const RgbImage image = render_shaded_relief(map, options);
  const std::size_t i = image.offset(12, 10);
  EXPECT_EQ(image.rgb[i], options.missing_colour[0]);
  EXPECT_EQ(image.rgb[i + 1], options.missing_colour[1]);
  EXPECT_EQ(image.rgb[i + 2], options.missing_colour[2]);
  EXPECT_NE(options.missing_colour[0], options.missing_colour[1]);  // not a grey a surface could have
}

TEST(ShadedRelief, ExaggerationComesFromRoughnessSoShallowReliefStaysVisible) {
  HeightMap shallow(40, 40, 20.0, 20.0), deep(40, 40, 20.0, 20.0);
  for (int r = 0; r < 40; ++r)
    for (int c = 0; c < 40; ++c) {
      shallow.set(r, c, static_cast<float>(0.5 * std::sin(c * 0.5)));
      deep.set(r, c, static_cast<float>(500.0 * std::sin(c * 0.5)));
    }
  EXPECT_GT(shaded_relief_exaggeration(shallow), 100.0);
  EXPECT_DOUBLE_EQ(shaded_relief_exaggeration(deep), 1.0);
  // The shallow sine still shows a clear light/dark contrast.
  const RgbImage image = render_shaded_relief(shallow);
  int lo = 255, hi = 0;
  for (int c = 0; c < 40; ++c) {
    lo = std::min(lo, grey_at(image, c, 20));
    hi = std::max(hi, grey_at(image, c, 20));
  }
  EXPECT_GT(hi - lo, 60);
}

TEST(ShadedRelief, FlatSurfaceIsEvenlyLit) {
  HeightMap flat(8, 6, 1.0, 1.0);
  const RgbImage image = render_shaded_relief(flat);
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 8; ++c) EXPECT_EQ(grey_at(image, c, r), grey_at(image, 0, 0));
}

TEST(ShadedRelief, WritePngStoresRedGreenBlueInTheRightOrder) {
  test::TempDir dir;
  RgbImage image{3, 2, std::vector<std::uint8_t>(18, 0)};
  image.set_pixel(1, 1, {250, 10, 20});
  image.set_pixel(7, 7, {1, 2, 3});  // outside: ignored
  write_png(image, dir / "p.png");
  const PngPixels read = decode_png(formats::read_file_bytes(dir / "p.png"), "p.png");
  ASSERT_EQ(read.width, 3);
  ASSERT_EQ(read.height, 2);
  ASSERT_EQ(read.channels, 3);
  EXPECT_EQ(read.bit_depth, 8);
  EXPECT_EQ(read.at(1, 1, 0), 250);
  EXPECT_EQ(read.at(1, 1, 1), 10);
  EXPECT_EQ(read.at(1, 1, 2), 20);
  EXPECT_EQ(read.at(0, 0, 0), 0);
  EXPECT_THROW(write_png(RgbImage{}, dir / "empty.png"), InputError);
}

}  // namespace
}  // namespace scarscope
