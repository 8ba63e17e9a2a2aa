// Float TIFF: exact round trip, units and spacing from tags, sidecar or options, bad files refused.
#include <gtest/gtest.h>

#include <tiffio.h>

#include <cstring>
#include <limits>
#include <vector>

#include "formats_test_maps.h"
#include "surface/formats/format_common.h"
#include "surface/formats/tiff_format.h"
#include "surface/io.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;
using test::TempDir;

// A TIFF as image software writes it (LZW, one strip per row, no resolution tags), with libtiff.
void write_image_tiff(const std::filesystem::path& path, int width, int height, int samples, int bits, int format,
                      const void* pixels) {
  TIFF* tiff = TIFFOpen(path.c_str(), "w");
  ASSERT_NE(tiff, nullptr) << path;
  TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, width);
  TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, height);
  TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, samples);
  TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(tiff, TIFFTAG_SAMPLEFORMAT, format);
  TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, samples == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
  TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, 1);
  const std::size_t row_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(samples * bits / 8);
  std::vector<unsigned char> row(row_bytes);
  for (int r = 0; r < height; ++r) {
    std::memcpy(row.data(), static_cast<const unsigned char*>(pixels) + row_bytes * static_cast<std::size_t>(r), row_bytes);
    ASSERT_EQ(TIFFWriteScanline(tiff, row.data(), static_cast<std::uint32_t>(r), 0), 1);
  }
  TIFFClose(tiff);
}

// A float TIFF as image software writes it: no resolution a height map can use, no unit.
std::filesystem::path write_plain_float_tiff(const TempDir& dir, const std::string& name) {
  std::vector<float> image(4 * 5);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) image[static_cast<std::size_t>(r * 5 + c)] = static_cast<float>(r * 10 + c) * 0.001f;
  image[2 * 5 + 2] = std::numeric_limits<float>::quiet_NaN();
  const auto path = dir / name;
  write_image_tiff(path, 5, 4, 1, 32, SAMPLEFORMAT_IEEEFP, image.data());
  return path;
}

TEST(FloatTiff, RoundTripKeepsEveryHeightSpacingAndMissingPointExactly) {
  TempDir dir;
  const HeightMap original = test::wavy_map();
  const auto notes = write_height_map(original, dir / "scan.tif");
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("micrometres"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "scan.tif.json"));
  const HeightMap read = read_height_map(dir / "scan.tif");
  EXPECT_EQ(read.metadata.source_format, "tiff");
  test::expect_same_surface(original, read, 0.0);
}

TEST(FloatTiff, ScarScopeTiffNeedsNoSidecarBecauseItsDescriptionStatesTheUnits) {
  TempDir dir;
  const HeightMap original = test::wavy_map(10, 8, 5.0, 5.0);
  write_height_map(original, dir / "scan.tiff");
  std::filesystem::remove(dir / "scan.tiff.json");
  const HeightMap read = read_height_map(dir / "scan.tiff");
  test::expect_same_surface(original, read, 0.0);
}

TEST(FloatTiff, TiffWithoutUnitsNeedsUnitsAndSpacingFromTheUser) {
  TempDir dir;
  const auto path = write_plain_float_tiff(dir, "plain.tif");
  const std::string no_units = input_error_message([&] { read_height_map(path); });
  EXPECT_NE(no_units.find("--units"), std::string::npos) << no_units;
  EXPECT_NE(no_units.find("plain.tif"), std::string::npos) << no_units;
  ReadOptions options;
  options.units = "mm";
  const std::string no_spacing = input_error_message([&] { read_height_map(path, options); });
  EXPECT_NE(no_spacing.find("--spacing-um"), std::string::npos) << no_spacing;
  options.spacing_um = 7.5;
  const HeightMap map = read_height_map(path, options);
  ASSERT_EQ(map.nx(), 5);
  ASSERT_EQ(map.ny(), 4);
  EXPECT_DOUBLE_EQ(map.dx_um(), 7.5);
  EXPECT_NEAR(map.height(3, 4), 34.0f, 1e-3);  // 0.034 mm
  EXPECT_FALSE(map.valid(2, 2));               // NaN = missing
  EXPECT_EQ(map.valid_count(), 19u);
}

TEST(FloatTiff, HandWrittenSidecarNamedLikeTheIssueGivesUnitsScaleAndSpacing) {
  TempDir dir;
  const auto path = write_plain_float_tiff(dir, "scan.tif");
  test::write_text_file(dir / "scan.json", R"({"dx_um": 2.5, "dy_um": 4, "z_unit": "m", "z_scale": 2, "z_offset": 0.001})");
  const HeightMap map = read_height_map(path);
  EXPECT_DOUBLE_EQ(map.dx_um(), 2.5);
  EXPECT_DOUBLE_EQ(map.dy_um(), 4.0);
  // stored 0.034 -> 0.001 m + 2 * 0.034 m
  EXPECT_NEAR(map.height(3, 4), (0.001 + 2 * 0.034) * 1e6, 1.0);
}

TEST(FloatTiff, OptionThatContradictsTheSidecarIsRefusedNotSilentlyPreferred) {
  TempDir dir;
  const auto path = write_plain_float_tiff(dir, "scan.tif");
  test::write_text_file(dir / "scan.json", R"({"dx_um": 10, "z_unit": "mm"})");
  ReadOptions options;
  options.units = "um";
  const std::string message = input_error_message([&] { read_height_map(path, options); });
  EXPECT_NE(message.find("contradicts"), std::string::npos) << message;
  EXPECT_NE(message.find("scan.json"), std::string::npos) << message;
}

TEST(FloatTiff, TruncatedAndForgedFilesAreInputErrorsNamingTheFile) {
  TempDir dir;
  write_height_map(test::wavy_map(), dir / "scan.tif");
  const std::string bytes = formats::read_file_bytes(dir / "scan.tif");
  ReadOptions options;
  options.units = "um";
  options.spacing_um = 10;
  for (std::size_t keep : {std::size_t{4}, std::size_t{8}, std::size_t{40}, std::size_t{300}, bytes.size() / 2}) {
    const std::string message = input_error_message(
        [&] { formats::read_tiff_bytes(std::string_view(bytes).substr(0, keep), "cut.tif", options, nullptr); });
    EXPECT_NE(message.find("cut.tif"), std::string::npos) << keep << ": " << message;
  }
}

TEST(FloatTiff, HeaderClaimingAHugeImageInATinyFileIsRefusedBeforeAllocating) {
  // Little-endian TIFF, one IFD with ImageWidth = ImageLength = 100000, float samples.
  std::string tiff("II*\0\x08\0\0\0", 8);
  const auto u16 = [&](unsigned v) { tiff += static_cast<char>(v & 0xff); tiff += static_cast<char>(v >> 8); };
  const auto u32 = [&](unsigned v) { for (int i = 0; i < 4; ++i) tiff += static_cast<char>((v >> (8 * i)) & 0xff); };
  const auto entry = [&](unsigned tag, unsigned type, unsigned value) { u16(tag); u16(type); u32(1); u32(value); };
  u16(7);
  entry(256, 4, 100000);  // ImageWidth
  entry(257, 4, 100000);  // ImageLength
  entry(258, 3, 32);      // BitsPerSample
  entry(273, 4, 8);       // StripOffsets
  entry(278, 4, 100000);  // RowsPerStrip
  entry(279, 4, 16);      // StripByteCounts
  entry(339, 3, 3);       // SampleFormat = IEEE float
  u32(0);
  ReadOptions options;
  options.units = "um";
  options.spacing_um = 10;
  const std::string message = input_error_message([&] { formats::read_tiff_bytes(tiff, "huge.tif", options, nullptr); });
  EXPECT_NE(message.find("huge.tif"), std::string::npos) << message;
  EXPECT_NE(message.find("100000 x 100000"), std::string::npos) << message;
}

TEST(FloatTiff, ColourTiffIsRecognisedButNotAHeightMap) {
  TempDir dir;
  const std::vector<std::uint8_t> colour{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3};
  write_image_tiff(dir / "photo.tif", 3, 3, 3, 8, SAMPLEFORMAT_UINT, colour.data());
  ReadOptions options;
  options.units = "um";
  options.spacing_um = 10;
  const std::string message = input_error_message([&] { read_height_map(dir / "photo.tif", options); });
  EXPECT_NE(message.find("samples per pixel"), std::string::npos) << message;
}

}  // namespace
}  // namespace scarscope

namespace scarscope {
namespace {

TEST(FloatTiff, UnitsOptionContradictingWhatAScarScopeTiffStatesIsRefused) {
  test::TempDir dir;
  write_height_map(test::wavy_map(), dir / "scan.tif");
  std::filesystem::remove(dir / "scan.tif.json");
  ReadOptions options;
  options.units = "mm";
  const std::string message = test::input_error_message([&] { read_height_map(dir / "scan.tif", options); });
  EXPECT_NE(message.find("contradicts the file"), std::string::npos) << message;
  options.units = "um";  // agreeing is fine
  EXPECT_EQ(read_height_map(dir / "scan.tif", options).nx(), test::wavy_map().nx());
}

}  // namespace
}  // namespace scarscope
