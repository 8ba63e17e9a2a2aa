// The reader is chosen by content first, then by extension; writers by extension.
#include <gtest/gtest.h>

#include "formats_test_maps.h"
#include "surface/io.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;
using test::TempDir;

TEST(FormatDetection, ContentWinsOverTheName) {
  TempDir dir;
  write_height_map(test::wavy_map(), dir / "scan.tif");
  std::filesystem::rename(dir / "scan.tif", dir / "scan.png");
  std::filesystem::rename(dir / "scan.tif.json", dir / "scan.png.json");
  EXPECT_EQ(detect_format(dir / "scan.png"), "tiff");
  const HeightMap map = read_height_map(dir / "scan.png");
  EXPECT_EQ(map.metadata.source_format, "tiff");
}

TEST(FormatDetection, TextFormatsAreKnownByTheirExtension) {
  TempDir dir;
  test::write_text_file(dir / "a.csv", "1,2\n");
  test::write_text_file(dir / "a.xyz", "1 2 3\n");
  test::write_text_file(dir / "a.txt", "1 2 3\n");
  EXPECT_EQ(detect_format(dir / "a.csv"), "csv");
  EXPECT_EQ(detect_format(dir / "a.xyz"), "xyz");
  const std::string message = input_error_message([&] { detect_format(dir / "a.txt"); });
  EXPECT_NE(message.find(".csv"), std::string::npos) << message;
}

TEST(FormatDetection, EmptyMissingAndMisnamedFilesAreInputErrors) {
  TempDir dir;
  test::write_text_file(dir / "empty.tif", "");
  test::write_text_file(dir / "fake.png", "hello");
  EXPECT_NE(input_error_message([&] { detect_format(dir / "empty.tif"); }).find("empty"), std::string::npos);
  EXPECT_NE(input_error_message([&] { detect_format(dir / "fake.png"); }).find("fake.png"), std::string::npos);
  EXPECT_NE(input_error_message([&] { detect_format(dir / "nothing.csv"); }).find("no such file"), std::string::npos);
}

TEST(FormatDetection, UnknownOutputExtensionListsTheWritableOnes) {
  TempDir dir;
  const std::string message = input_error_message([&] { write_height_map(test::wavy_map(), dir / "scan.bmp"); });
  EXPECT_NE(message.find(".tif"), std::string::npos) << message;
}

}  // namespace
}  // namespace scarscope
