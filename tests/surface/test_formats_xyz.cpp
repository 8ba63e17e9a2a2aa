// XYZ points: a regular grid is recognised (holes stay missing), scattered points are resampled,
// lies and text are refused with the line.
#include <gtest/gtest.h>

#include <cstdio>

#include "formats_test_maps.h"
#include "surface/formats/xyz_format.h"
#include "surface/io.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;

ReadOptions units(const char* unit) {
  ReadOptions options;
  options.units = unit;
  return options;
}

TEST(XyzPoints, RegularGridWithMissingPointsIsKeptAsAGrid) {
  // A 10 x 8 grid in millimetres (0.02 mm steps), in shuffled-ish order, with three points absent.
  std::string text = "# x y z\n";
  for (int r = 7; r >= 0; --r) {
    for (int c = 0; c < 10; ++c) {
      if ((r == 3 && c == 4) || (r == 0 && c == 9) || (r == 7 && c == 0)) continue;
      char line[96];
      std::snprintf(line, sizeof line, "%.3f\t%.3f\t%.6f\n", 1.0 + 0.02 * c, 2.0 + 0.02 * r, 0.001 * (r * 10 + c));
      text += line;
    }
  }
  const HeightMap map = formats::read_xyz_text(text, "grid.xyz", units("mm"), nullptr);
  ASSERT_EQ(map.nx(), 10);
  ASSERT_EQ(map.ny(), 8);
  EXPECT_NEAR(map.dx_um(), 20.0, 1e-9);
  EXPECT_NEAR(map.dy_um(), 20.0, 1e-9);
  EXPECT_EQ(map.valid_count(), 77u);
  EXPECT_FALSE(map.valid(3, 4));
  EXPECT_FALSE(map.valid(0, 9));
  EXPECT_FALSE(map.valid(7, 0));
  EXPECT_NEAR(map.height(5, 6), 56.0f, 1e-3);  // row = y order, 0.056 mm
}

TEST(XyzPoints, ScatteredPointsAreAveragedOntoAGridAtTheMedianSpacing) {
  std::string text;
  // A jittered 20 x 20 lattice (5 um) on a plane z = 0.1 x.
  for (int r = 0; r < 20; ++r) {
    for (int c = 0; c < 20; ++c) {
      const double x = c * 5.0 + ((r * 7 + c * 3) % 5) * 0.3;
      const double y = r * 5.0 + ((r * 3 + c * 5) % 5) * 0.3;
      text += std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(0.1 * x) + "\n";
    }
  }
  const HeightMap map = formats::read_xyz_text(text, "cloud.xyz", units("um"), nullptr);
  EXPECT_GT(map.dx_um(), 3.5);
  EXPECT_LT(map.dx_um(), 5.5);
  EXPECT_GT(map.valid_count(), 200u);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (!map.valid(r, c)) continue;
      const double x = c * map.dx_um() + 0.0;  // grid origin = smallest x = 0
      EXPECT_NEAR(map.height(r, c), 0.1 * x, 0.1 * map.dx_um()) << r << "," << c;
    }
  }
}

TEST(XyzPoints, UnitsAreRequired) {
  const std::string message = input_error_message([] { formats::read_xyz_text("0 0 1\n", "p.xyz", {}, nullptr); });
  EXPECT_NE(message.find("--units"), std::string::npos) << message;
}

TEST(XyzPoints, ABillionPointsClaimedIsRefusedBeforeAllocating) {
  const std::string message = input_error_message(
      [] { formats::read_xyz_text("1000000000\n0 0 0\n1 0 0\n", "billion.xyz", units("um"), nullptr); });
  EXPECT_NE(message.find("billion.xyz: line 1"), std::string::npos) << message;
  EXPECT_NE(message.find("1000000000"), std::string::npos) << message;
}

TEST(XyzPoints, CountThatDisagreesWithThePointsIsRefused) {
  const std::string message =
      input_error_message([] { formats::read_xyz_text("3\n0 0 0\n1 0 0\n", "short.xyz", units("um"), nullptr); });
  EXPECT_NE(message.find("claims 3 points"), std::string::npos) << message;
}

TEST(XyzPoints, TextOrMissingCoordinatesNameTheLine) {
  EXPECT_NE(input_error_message([] { formats::read_xyz_text("0 0 0\n1 one 0\n", "t.xyz", units("um"), nullptr); })
                .find("t.xyz: line 2"),
            std::string::npos);
  EXPECT_NE(input_error_message([] { formats::read_xyz_text("0 0 0\n1 2\n", "t.xyz", units("um"), nullptr); })
                .find("line 2: has 2 numbers"),
            std::string::npos);
}

TEST(XyzPoints, TwoPointsKilometresApartDoNotMakeAGiantGrid) {
  std::string text = "0 0 0\n0.001 0 0\n0 0.001 0\n1000000 1000000 0\n";
  const std::string message = input_error_message([&] { formats::read_xyz_text(text, "far.xyz", units("mm"), nullptr); });
  EXPECT_NE(message.find("spacing"), std::string::npos) << message;
}

TEST(XyzPoints, WriterGivesPointsThatReadBackAsTheSameGrid) {
  test::TempDir dir;
  const HeightMap original = test::wavy_map(12, 9, 10.0, 10.0);
  const auto notes = write_height_map(original, dir / "points.xyz");
  EXPECT_NE(notes.at(0).find("micrometres"), std::string::npos);
  const HeightMap read = read_height_map(dir / "points.xyz", units("um"));
  test::expect_same_surface(original, read, 0.0);
}

}  // namespace
}  // namespace scarscope
