// CSV grids: exact round trip in micrometres, units and spacing required, bad text named by line.
#include <gtest/gtest.h>

#include "formats_test_maps.h"
#include "surface/formats/csv_format.h"
#include "surface/io.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;
using test::TempDir;

ReadOptions units_and_spacing(const char* units, double spacing) {
  ReadOptions options;
  options.units = units;
  options.spacing_um = spacing;
  return options;
}

TEST(CsvGrid, RoundTripIsExactAndSaysItWroteMicrometres) {
  TempDir dir;
  const HeightMap original = test::wavy_map();
  const auto notes = write_height_map(original, dir / "scan.csv");
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("micrometres"), std::string::npos) << notes[0];
  const HeightMap read = read_height_map(dir / "scan.csv");  // the sidecar gives unit and spacing
  EXPECT_EQ(read.metadata.source_format, "csv");
  test::expect_same_surface(original, read, 0.0);
}

TEST(CsvGrid, WithoutUnitsOrSpacingTheMissingOptionIsNamed) {
  TempDir dir;
  test::write_text_file(dir / "grid.csv", "1,2,3\n4,5,6\n");
  const std::string no_units = input_error_message([&] { read_height_map(dir / "grid.csv"); });
  EXPECT_NE(no_units.find("--units"), std::string::npos) << no_units;
  EXPECT_NE(no_units.find("grid.csv"), std::string::npos) << no_units;
  ReadOptions units_only;
  units_only.units = "um";
  const std::string no_spacing = input_error_message([&] { read_height_map(dir / "grid.csv", units_only); });
  EXPECT_NE(no_spacing.find("--spacing-um"), std::string::npos) << no_spacing;
}

TEST(CsvGrid, UnitsScaleHeightsAndSeparatorsCommentsAndMissingCellsAreUnderstood) {
  const char* text =
      "\xEF\xBB\xBF# exported by a profilometer\r\n"
      "0.001; 0.002 ;NaN\r\n"
      "\r\n"
      "0.004;;-0.006\r\n";
  const HeightMap map = formats::read_csv_text(text, "grid.csv", units_and_spacing("mm", 2.5), nullptr);
  ASSERT_EQ(map.nx(), 3);
  ASSERT_EQ(map.ny(), 2);
  EXPECT_DOUBLE_EQ(map.dx_um(), 2.5);
  EXPECT_NEAR(map.height(0, 1), 2.0f, 1e-5);
  EXPECT_FALSE(map.valid(0, 2));
  EXPECT_FALSE(map.valid(1, 1));
  EXPECT_NEAR(map.height(1, 2), -6.0f, 1e-5);

  const HeightMap spaces = formats::read_csv_text("1 2  3\n\t4 5 6 \n", "grid.txt", units_and_spacing("m", 1), nullptr);
  EXPECT_EQ(spaces.nx(), 3);
  EXPECT_FLOAT_EQ(spaces.height(1, 0), 4e6f);
}

TEST(CsvGrid, RaggedRowIsRefusedNamingTheLine) {
  const std::string message = input_error_message([] {
    formats::read_csv_text("1,2,3\n4,5,6\n7,8\n", "ragged.csv", units_and_spacing("um", 1), nullptr);
  });
  EXPECT_NE(message.find("ragged.csv: line 3"), std::string::npos) << message;
  EXPECT_NE(message.find("2 values"), std::string::npos) << message;
}

TEST(CsvGrid, TextInANumberIsRefusedNamingLineColumnAndText) {
  const std::string message = input_error_message([] {
    formats::read_csv_text("1,2,3\n4,5,six\n", "words.csv", units_and_spacing("um", 1), nullptr);
  });
  EXPECT_NE(message.find("words.csv: line 2, column 3"), std::string::npos) << message;
  EXPECT_NE(message.find("'six'"), std::string::npos) << message;
  const std::string header = input_error_message([] {
    formats::read_csv_text("x,y,z\n1,2,3\n", "header.csv", units_and_spacing("um", 1), nullptr);
  });
  EXPECT_NE(header.find("line 1"), std::string::npos) << header;
}

TEST(CsvGrid, EmptyFileIsAnInputError) {
  EXPECT_NE(input_error_message([] { formats::read_csv_text("# nothing\n", "e.csv", units_and_spacing("um", 1), nullptr); })
                .find("no heights"),
            std::string::npos);
}

}  // namespace
}  // namespace scarscope
