// A server keeps uploads as blobs and answers with bytes: every format is read from bytes in memory
// exactly as from a file, every writer gives in memory the bytes it writes to a file, and the format
// is found from the content (magic bytes) before a hint or a name.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "core/bytes.h"
#include "core/error.h"
#include "formats_test_maps.h"
#include "surface/formats/format_common.h"
#include "surface/io.h"
#include "surface/png_codec.h"
#include "surface/shaded_relief.h"
#include "test_support.h"

namespace scarscope {
namespace {

namespace fs = std::filesystem;

// The bit patterns of heights and mask, spacing and size: "the same map".
void expect_identical(const HeightMap& a, const HeightMap& b) {
  ASSERT_EQ(a.nx(), b.nx());
  ASSERT_EQ(a.ny(), b.ny());
  EXPECT_EQ(a.dx_um(), b.dx_um());
  EXPECT_EQ(a.dy_um(), b.dy_um());
  EXPECT_EQ(std::memcmp(a.mask(), b.mask(), a.size()), 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a.mask()[i]) continue;
    ASSERT_EQ(a.heights()[i], b.heights()[i]) << "point " << i;
  }
  EXPECT_EQ(a.metadata.source_format, b.metadata.source_format);
  EXPECT_EQ(a.metadata.warnings.size(), b.metadata.warnings.size());
}

struct Case {
  const char* format;
  const char* extension;
  double tolerance_um;  // of the written surface against the original (PNG is quantised)
};

class BytesRoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(BytesRoundTrip, BytesGiveTheSameMapAsTheFile) {
  const Case c = GetParam();
  const HeightMap original = test::wavy_map();
  test::TempDir dir;
  const fs::path path = dir / (std::string("scan") + c.extension);
  ReadOptions options;
  if (std::string(c.format) == "xyz") options.units = "um";

  // Written to a file (and its sidecar), read back from the file.
  const std::vector<std::string> file_notes = write_height_map(original, path);
  const HeightMap from_file = read_height_map(path, options);

  // Encoded in memory: the same bytes and sidecar as the files; read back from the bytes.
  const EncodedHeightMap encoded = encode_height_map(original, c.format, {}, path.string());
  EXPECT_EQ(as_chars(encoded.bytes), formats::read_file_bytes(path));
  EXPECT_EQ(encoded.notes, file_notes);
  ByteSource source;
  source.name = path.string();
  if (!encoded.sidecar_json.empty()) {
    EXPECT_EQ(encoded.sidecar_json, formats::read_file_bytes(fs::path(path.string() + ".json")));
    source.sidecar_json = encoded.sidecar_json;
  }
  const HeightMap from_bytes = read_height_map(encoded.bytes, source, options);

  expect_identical(from_file, from_bytes);
  EXPECT_EQ(from_bytes.metadata.source_file, path.string());
  test::expect_same_surface(original, from_bytes, c.tolerance_um);
}

INSTANTIATE_TEST_SUITE_P(Formats, BytesRoundTrip,
                         ::testing::Values(Case{"x3p", ".x3p", 0.0}, Case{"tiff", ".tif", 0.0}, Case{"png", ".png", 0.002},
                                           Case{"csv", ".csv", 0.0}, Case{"xyz", ".xyz", 0.0}),
                         [](const auto& info) { return std::string(info.param.format); });

TEST(BytesIo, APlyPointCloudReadsTheSameFromBytesAsFromAFile) {
  std::string ply = "ply\nformat ascii 1.0\nelement vertex 16\nproperty float x\nproperty float y\nproperty float z\nend_header\n";
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) ply += std::to_string(c * 10) + " " + std::to_string(r * 10) + " " + std::to_string(r * c) + "\n";
  test::TempDir dir;
  test::write_text_file(dir / "cloud.ply", ply);
  ReadOptions options;
  options.units = "um";
  const HeightMap from_file = read_height_map(dir / "cloud.ply", options);
  ByteSource source;
  source.name = (dir / "cloud.ply").string();
  const HeightMap from_bytes = read_height_map(as_bytes(ply), source, options);
  expect_identical(from_file, from_bytes);
  EXPECT_EQ(from_bytes.nx(), 4);
}

TEST(BytesIo, TheContentNamesTheFormatBeforeTheName) {
  const HeightMap original = test::wavy_map();
  const EncodedHeightMap tiff = encode_height_map(original, "tiff");
  ByteSource source;
  source.name = "upload.csv";  // a misleading name: the TIFF signature wins
  EXPECT_EQ(detect_format(tiff.bytes, source), "tiff");
  test::expect_same_surface(original, read_height_map(tiff.bytes, source), 0.0);

  source.name = "upload";  // no extension, and a PNG needs its sidecar, passed as text
  const EncodedHeightMap png = encode_height_map(original, "png");
  source.sidecar_json = png.sidecar_json;
  EXPECT_EQ(detect_format(png.bytes, source), "png");
  test::expect_same_surface(original, read_height_map(png.bytes, source), 0.002);
}

TEST(BytesIo, AFormatHintReadsTextAndAContradictionIsRefused) {
  const HeightMap original = test::wavy_map();
  const EncodedHeightMap csv = encode_height_map(original, "csv");
  ByteSource source;
  source.name = "blob-17";
  source.sidecar_json = csv.sidecar_json;
  // Text has no signature: without a hint or an extension it is not guessed.
  try {
    (void)read_height_map(csv.bytes, source);
    ADD_FAILURE() << "read a CSV with no name or hint";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::bad_format);
  }
  source.format = "csv";
  test::expect_same_surface(original, read_height_map(csv.bytes, source), 0.0);

  const EncodedHeightMap x3p = encode_height_map(original, "x3p");
  source.format = "tiff";
  try {
    (void)read_height_map(x3p.bytes, source);
    ADD_FAILURE() << "read an X3P said to be a TIFF";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::bad_format);
    EXPECT_NE(std::string(error.what()).find("said to be tiff, but the content is x3p"), std::string::npos) << error.what();
  }
  source.format = "stl";  // a mesh format since issue 17: the content's signature still wins
  try {
    (void)read_height_map(x3p.bytes, source);
    ADD_FAILURE() << "read an X3P said to be an STL";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::bad_format);
    EXPECT_NE(std::string(error.what()).find("said to be stl, but the content is x3p"), std::string::npos) << error.what();
  }
  source.format = "vrml";
  try {
    (void)read_height_map(x3p.bytes, source);
    ADD_FAILURE() << "read a format that does not exist";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::unsupported);
  }
}

TEST(BytesIo, APngWithoutItsSidecarIsRefusedAndABadSidecarNamed) {
  const EncodedHeightMap png = encode_height_map(test::wavy_map(), "png");
  ByteSource source;
  source.name = "cheek.png";
  const std::string message = test::input_error_message([&] { (void)read_height_map(png.bytes, source); });
  EXPECT_NE(message.find("cheek.png"), std::string::npos) << message;
  source.sidecar_json = "{\"dx_um\": -3}";
  const std::string bad = test::input_error_message([&] { (void)read_height_map(png.bytes, source); });
  EXPECT_NE(bad.find("cheek.png.json"), std::string::npos) << bad;
}

TEST(BytesIo, WritingAFormatWithoutAWriterIsRefused) {
  try {
    (void)encode_height_map(test::wavy_map(), "ply");
    ADD_FAILURE() << "encoded a PLY";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::unsupported);
  }
}

TEST(BytesIo, AReliefPictureIsEncodedAsAPngInMemory) {
  const RgbImage image = render_shaded_relief(test::wavy_map());
  const Bytes png = encode_rgb_png(image);
  const PngPixels decoded = decode_png(as_chars(png), "relief.png");
  ASSERT_EQ(decoded.width, image.width);
  ASSERT_EQ(decoded.height, image.height);
  ASSERT_EQ(decoded.channels, 3);
  for (int r = 0; r < image.height; ++r)
    for (int c = 0; c < image.width; ++c)
      for (int k = 0; k < 3; ++k) ASSERT_EQ(decoded.at(c, r, k), image.rgb[image.offset(c, r) + static_cast<std::size_t>(k)]);
  test::TempDir dir;
  write_png(image, dir / "relief.png");
  EXPECT_EQ(formats::read_file_bytes(dir / "relief.png"), std::string(as_chars(png)));
}

}  // namespace
}  // namespace scarscope
