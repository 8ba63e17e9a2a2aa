// 16-bit PNG + sidecar: round trip within the 16-bit step, the sidecar required and checked.
#include <gtest/gtest.h>

#include <vector>

#include "formats_test_maps.h"
#include "surface/formats/format_common.h"
#include "surface/formats/png_format.h"
#include "surface/io.h"
#include "surface/png_codec.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;
using test::TempDir;

std::filesystem::path write_grey16(const TempDir& dir, const std::string& name) {
  std::vector<std::uint16_t> image(3 * 4);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) image[static_cast<std::size_t>(r * 4 + c)] = static_cast<std::uint16_t>(1000 * r + c);
  const auto path = dir / name;
  write_png_file(path, image.data(), 4, 3, 1, 16);
  return path;
}

TEST(Png16, RoundTripKeepsHeightsWithinHalfAQuantisationStepAndMissingPoints) {
  TempDir dir;
  const HeightMap original = test::wavy_map();
  const auto notes = write_height_map(original, dir / "scan.png");
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("16 bits"), std::string::npos) << notes[0];
  const auto sidecar = formats::parse_sidecar(formats::read_file_bytes(dir / "scan.png.json"), "scan.png.json");
  ASSERT_TRUE(sidecar.z_scale);
  const double step = *sidecar.z_scale;
  float lo = 1e30f, hi = -1e30f;
  for (int r = 0; r < original.ny(); ++r)
    for (int c = 0; c < original.nx(); ++c)
      if (original.valid(r, c)) {
        lo = std::min(lo, original.height(r, c));
        hi = std::max(hi, original.height(r, c));
      }
  EXPECT_NEAR(step, (hi - lo) / 65534.0, 1e-9);  // the full 16 bits span the height range
  const HeightMap read = read_height_map(dir / "scan.png");
  EXPECT_EQ(read.metadata.source_format, "png");
  test::expect_same_surface(original, read, step / 2 + 1e-4);
}

TEST(Png16, SidecarScaleOffsetAndUnitGiveHeights) {
  TempDir dir;
  const auto path = write_grey16(dir, "grey.png");
  test::write_text_file(dir / "grey.json", R"({"dx_um": 5, "dy_um": 6, "z_unit": "mm", "z_scale": 0.001, "z_offset": -1})");
  const HeightMap map = read_height_map(path);
  EXPECT_DOUBLE_EQ(map.dx_um(), 5.0);
  EXPECT_DOUBLE_EQ(map.dy_um(), 6.0);
  EXPECT_FALSE(map.valid(0, 0));                        // pixel 0 = missing by default
  EXPECT_NEAR(map.height(2, 3), (-1 + 0.001 * 2003) * 1000.0, 1e-3);  // mm -> um
}

TEST(Png16, StatedMissingValueReplacesZero) {
  TempDir dir;
  const auto path = write_grey16(dir, "grey.png");
  test::write_text_file(dir / "grey.json",
                        R"({"dx_um": 5, "z_unit": "um", "z_scale": 1, "z_offset": 0, "missing_value": 1001})");
  const HeightMap map = read_height_map(path);
  EXPECT_TRUE(map.valid(0, 0));
  EXPECT_FLOAT_EQ(map.height(0, 0), 0.0f);
  EXPECT_FALSE(map.valid(1, 1));
  EXPECT_EQ(map.valid_count(), 11u);
}

TEST(Png16, PngWithoutSidecarIsRefusedNamingTheSidecarItNeeds) {
  TempDir dir;
  const auto path = write_grey16(dir, "lonely.png");
  ReadOptions options;
  options.units = "um";
  options.spacing_um = 10;
  const std::string message = input_error_message([&] { read_height_map(path, options); });
  EXPECT_NE(message.find("lonely.png"), std::string::npos) << message;
  EXPECT_NE(message.find("lonely.png.json"), std::string::npos) << message;
  EXPECT_NE(message.find("z_scale"), std::string::npos) << message;
}

TEST(Png16, SidecarWithZeroSpacingIsRefusedNamingTheField) {
  TempDir dir;
  const auto path = write_grey16(dir, "grey.png");
  test::write_text_file(dir / "grey.png.json", R"({"dx_um": 0, "dy_um": 5, "z_unit": "um", "z_scale": 1, "z_offset": 0})");
  const std::string message = input_error_message([&] { read_height_map(path); });
  EXPECT_NE(message.find("grey.png.json"), std::string::npos) << message;
  EXPECT_NE(message.find("dx_um"), std::string::npos) << message;
}

TEST(Png16, SidecarWithoutScaleOrUnitIsRefused) {
  TempDir dir;
  const auto path = write_grey16(dir, "grey.png");
  test::write_text_file(dir / "grey.png.json", R"({"dx_um": 5, "z_unit": "um"})");
  EXPECT_NE(input_error_message([&] { read_height_map(path); }).find("z_scale"), std::string::npos);
  test::write_text_file(dir / "grey.png.json", R"({"dx_um": 5, "z_scale": 1, "z_offset": 0})");
  EXPECT_NE(input_error_message([&] { read_height_map(path); }).find("--units"), std::string::npos);
  test::write_text_file(dir / "grey.png.json", R"({"dx_um": "five", "z_scale": 1, "z_offset": 0})");
  EXPECT_NE(input_error_message([&] { read_height_map(path); }).find("dx_um"), std::string::npos);
  test::write_text_file(dir / "grey.png.json", "{not json");
  EXPECT_NE(input_error_message([&] { read_height_map(path); }).find("not valid JSON"), std::string::npos);
}

TEST(Png16, ColourPngAndCorruptPngAreInputErrors) {
  TempDir dir;
  const std::vector<std::uint8_t> photo(3 * 3 * 3, 9);
  write_png_file(dir / "photo.png", photo.data(), 3, 3, 3, 8);
  test::write_text_file(dir / "photo.png.json", R"({"dx_um": 5, "z_unit": "um", "z_scale": 1, "z_offset": 0})");
  EXPECT_NE(input_error_message([&] { read_height_map(dir / "photo.png"); }).find("grey"), std::string::npos);

  const auto path = write_grey16(dir, "cut.png");
  test::write_text_file(dir / "cut.png.json", R"({"dx_um": 5, "z_unit": "um", "z_scale": 1, "z_offset": 0})");
  const std::string bytes = formats::read_file_bytes(path);
  formats::write_file_bytes(path, std::string_view(bytes).substr(0, bytes.size() - 20));
  EXPECT_NE(input_error_message([&] { read_height_map(path); }).find("cut.png"), std::string::npos);
}

TEST(Png16, HeaderClaimingMorePixelsThanTheFileCanHoldIsRefused) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string("\0\0\0\x0dIHDR", 8);
  png += std::string("\0\x01\0\0\0\x01\0\0\x10\0\0\0\0", 13);  // 65536 x 65536, 16-bit grey
  png += std::string(4, '\0');
  formats::Sidecar sidecar = formats::parse_sidecar(R"({"dx_um": 5, "z_unit": "um", "z_scale": 1, "z_offset": 0})", "s.json");
  const std::string message = input_error_message([&] { formats::read_png_bytes(png, "big.png", {}, &sidecar); });
  EXPECT_NE(message.find("big.png"), std::string::npos) << message;
  EXPECT_NE(message.find("65536 x 65536"), std::string::npos) << message;
}

}  // namespace
}  // namespace scarscope
