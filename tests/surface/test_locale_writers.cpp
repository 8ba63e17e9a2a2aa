// A server embedding the library may run under a comma-decimal locale. Height maps written then
// (X3P's XML, CSV, XYZ, TIFF's description, sidecars) must be the bytes written under "C", and text
// grids with decimal points must still read: printf and iostreams follow the locale, the writers
// and readers must not.
#include <gtest/gtest.h>

#include <string>

#include "formats_test_maps.h"
#include "surface/io.h"
#include "test_support.h"

namespace scarscope {
namespace {

TEST(LocaleWriters, ACommaDecimalLocaleChangesNoWrittenByteAndReadsPoints) {
  const HeightMap map = test::wavy_map();
  const char* formats[] = {"x3p", "tiff", "png", "csv", "xyz"};
  std::vector<EncodedHeightMap> classic;
  for (const char* format : formats) classic.push_back(encode_height_map(map, format, {}, "scan"));

  std::vector<EncodedHeightMap> german;
  HeightMap csv_back, xyz_back;
  {
    const test::CommaDecimalLocale comma;
    for (const char* format : formats) german.push_back(encode_height_map(map, format, {}, "scan"));
    ByteSource csv;
    csv.format = "csv";
    csv.sidecar_json = classic[3].sidecar_json;
    csv_back = read_height_map(classic[3].bytes, csv);
    ByteSource xyz;
    xyz.format = "xyz";
    ReadOptions um;
    um.units = "um";
    xyz_back = read_height_map(classic[4].bytes, xyz, um);
  }
  for (std::size_t i = 0; i < classic.size(); ++i) {
    EXPECT_TRUE(german[i].bytes == classic[i].bytes) << formats[i];
    EXPECT_EQ(german[i].sidecar_json, classic[i].sidecar_json) << formats[i];
    EXPECT_EQ(german[i].notes, classic[i].notes) << formats[i];
  }
  // The text formats really hold decimal points (and so would have shown a comma).
  EXPECT_NE(std::string(as_chars(classic[3].bytes)).find("dx_um 12.5"), std::string::npos);
  EXPECT_NE(classic[3].sidecar_json.find("12.5"), std::string::npos);
  test::expect_same_surface(map, csv_back, 0.0);
  test::expect_same_surface(map, xyz_back, 0.0);
}

}  // namespace
}  // namespace scarscope
