// libpng codec: every sample survives a write/read round trip exactly (16-bit grey, 8-bit grey and
// RGB, odd sizes), and damaged data is an InputError naming the file, never a crash.
#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "formats_test_maps.h"
#include "surface/formats/format_common.h"
#include "surface/png_codec.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;

TEST(PngCodec, SixteenBitGreyRoundTripKeepsEverySampleIncludingTheExtremes) {
  const int width = 37, height = 11;  // odd sizes: no row is a multiple of anything
  std::vector<std::uint16_t> samples(static_cast<std::size_t>(width * height));
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i] = static_cast<std::uint16_t>((i * 2654435761u) >> 7);
  samples[0] = 0;
  samples[1] = 65535;
  samples[2] = 256;  // high and low bytes differ: a byte-order mistake shows
  const std::string png = encode_png(samples.data(), width, height, 1, 16, "grey16.png");
  const PngPixels read = decode_png(png, "grey16.png");
  ASSERT_EQ(read.width, width);
  ASSERT_EQ(read.height, height);
  ASSERT_EQ(read.channels, 1);
  ASSERT_EQ(read.bit_depth, 16);
  EXPECT_EQ(read.samples, samples);
}

TEST(PngCodec, EightBitGreyAndRgbRoundTripExactly) {
  std::vector<std::uint8_t> grey(5 * 3);
  for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<std::uint8_t>(i * 17);
  const PngPixels g = decode_png(encode_png(grey.data(), 5, 3, 1, 8, "g.png"), "g.png");
  ASSERT_EQ(g.channels, 1);
  ASSERT_EQ(g.bit_depth, 8);
  EXPECT_EQ(std::vector<std::uint16_t>(grey.begin(), grey.end()), g.samples);

  std::vector<std::uint8_t> rgb(7 * 2 * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(255 - i * 5);
  const PngPixels c = decode_png(encode_png(rgb.data(), 7, 2, 3, 8, "c.png"), "c.png");
  ASSERT_EQ(c.channels, 3);
  EXPECT_EQ(c.at(6, 1, 2), rgb.back());
  EXPECT_EQ(std::vector<std::uint16_t>(rgb.begin(), rgb.end()), c.samples);
}

TEST(PngCodec, DamagedImageDataIsAnInputErrorNamingTheFile) {
  std::vector<std::uint16_t> samples(64 * 64);
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i] = static_cast<std::uint16_t>(i);
  const std::string png = encode_png(samples.data(), 64, 64, 1, 16, "x.png");
  std::string cut = png.substr(0, png.size() / 2);
  EXPECT_NE(input_error_message([&] { decode_png(cut, "cut.png"); }).find("cut.png"), std::string::npos);
  std::string garbled = png;
  for (std::size_t i = 60; i < garbled.size() - 20; i += 7) garbled[i] = static_cast<char>(garbled[i] ^ 0x5a);
  EXPECT_NE(input_error_message([&] { decode_png(garbled, "garbled.png"); }).find("garbled.png"), std::string::npos);
  EXPECT_NE(input_error_message([&] { decode_png("not a png at all", "text.png"); }).find("text.png"), std::string::npos);
}

TEST(PngCodec, InconsistentParametersAreRefused) {
  const std::uint8_t pixel[3] = {1, 2, 3};
  EXPECT_THROW(encode_png(pixel, 0, 1, 3, 8, "zero.png"), InputError);
  EXPECT_THROW(encode_png(pixel, 1, 1, 2, 8, "two.png"), InputError);
  EXPECT_THROW(encode_png(pixel, 1, 1, 3, 12, "twelve.png"), InputError);
  test::TempDir dir;
  EXPECT_THROW(write_png_file(dir / "no" / "such" / "folder.png", pixel, 1, 1, 3, 8), InputError);
}

}  // namespace
}  // namespace scarscope
