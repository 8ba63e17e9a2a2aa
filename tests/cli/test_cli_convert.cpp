// `scarscope convert` as a user runs it: between every format, units never guessed, bad files
// answered with exit 2 and a message naming the file and the place.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "test_support.h"

namespace scarscope::test {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A 30 x 20 grid of heights in millimetres (a dimple), 10 um spacing, as CSV text.
std::string dimple_csv_mm() {
  std::string text;
  for (int r = 0; r < 20; ++r) {
    for (int c = 0; c < 30; ++c) {
      const double d = std::hypot(c - 15.0, r - 10.0);
      char cell[32];
      std::snprintf(cell, sizeof cell, "%s%.6f", c ? "," : "", -0.2 * std::exp(-d * d / 20.0) + 0.001 * c);
      text += cell;
    }
    text += "\n";
  }
  return text;
}

// Parses a CSV written by scarscope (micrometres, '#' comment lines, NaN = missing).
std::vector<std::vector<double>> read_grid(const std::filesystem::path& path) {
  std::vector<std::vector<double>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    rows.emplace_back();
    std::size_t start = 0;
    while (start <= line.size()) {
      const std::size_t end = line.find(',', start);
      rows.back().push_back(std::stod(line.substr(start, end - start)));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return rows;
}

TEST(CliConvert, UnitlessCsvNeedsUnitsAndSpacingAndTheMessageNamesTheOption) {
  TempDir dir;
  write_text_file(dir / "dimple.csv", dimple_csv_mm());
  const auto no_units = run_cli("convert '" + (dir / "dimple.csv").string() + "' '" + (dir / "out.tif").string() + "'");
  EXPECT_EQ(no_units.exit_code, 2);
  EXPECT_TRUE(contains(no_units.err, "--units")) << no_units.err;
  EXPECT_TRUE(contains(no_units.err, "dimple.csv")) << no_units.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.tif"));
  const auto no_spacing =
      run_cli("convert '" + (dir / "dimple.csv").string() + "' '" + (dir / "out.tif").string() + "' --units mm");
  EXPECT_EQ(no_spacing.exit_code, 2);
  EXPECT_TRUE(contains(no_spacing.err, "--spacing-um")) << no_spacing.err;
}

TEST(CliConvert, CsvToTiffToPngToCsvKeepsHeightsWithinEachFormatsPrecision) {
  TempDir dir;
  write_text_file(dir / "dimple.csv", dimple_csv_mm());
  const std::string d = dir.path().string() + "/";
  auto step = run_cli("convert '" + d + "dimple.csv' '" + d + "a.tif' --units mm --spacing-um 10");
  ASSERT_EQ(step.exit_code, 0) << step.err;
  step = run_cli("convert '" + d + "a.tif' '" + d + "b.png'");
  ASSERT_EQ(step.exit_code, 0) << step.err;
  EXPECT_TRUE(contains(step.err, "16 bits")) << step.err;
  step = run_cli("convert '" + d + "b.png' '" + d + "c.csv'");
  ASSERT_EQ(step.exit_code, 0) << step.err;
  EXPECT_TRUE(contains(step.err, "micrometres")) << step.err;  // the command says what unit CSV got

  const auto original = read_grid(dir / "dimple.csv");
  const auto result = read_grid(dir / "c.csv");
  ASSERT_EQ(result.size(), 20u);
  ASSERT_EQ(result[0].size(), 30u);
  // The PNG step quantises ~230 um of range into 65534 steps: 0.0035 um; half a step is the bound.
  double worst = 0.0;
  for (int r = 0; r < 20; ++r)
    for (int c = 0; c < 30; ++c) worst = std::max(worst, std::abs(result[r][c] - original[r][c] * 1000.0));
  EXPECT_LT(worst, 0.0036);
  EXPECT_GT(worst, 0.0);  // PNG does quantise
}

TEST(CliConvert, X3pToTiffToPngToCsvToX3pRoundTrip) {
  TempDir dir;
  write_text_file(dir / "dimple.csv", dimple_csv_mm());
  const std::string d = dir.path().string() + "/";
  ASSERT_EQ(run_cli("convert '" + d + "dimple.csv' '" + d + "start.x3p' --units mm --spacing-um 10").exit_code, 0);
  for (const auto& [from, to] : {std::pair{"start.x3p", "a.tif"}, std::pair{"a.tif", "b.png"}, std::pair{"b.png", "c.csv"},
                                 std::pair{"c.csv", "end.x3p"}, std::pair{"start.x3p", "start.csv"},
                                 std::pair{"end.x3p", "end.csv"}}) {
    const auto step = run_cli(std::string("convert '") + d + from + "' '" + d + to + "'");
    ASSERT_EQ(step.exit_code, 0) << from << " -> " << to << ": " << step.err;
  }
  const auto start = read_grid(dir / "start.csv");
  const auto end = read_grid(dir / "end.csv");
  ASSERT_EQ(start.size(), end.size());
  ASSERT_EQ(start[0].size(), end[0].size());
  double worst = 0.0;
  for (std::size_t r = 0; r < start.size(); ++r)
    for (std::size_t c = 0; c < start[r].size(); ++c) worst = std::max(worst, std::abs(start[r][c] - end[r][c]));
  EXPECT_LT(worst, 0.0036);  // half a 16-bit step of the PNG leg; the other legs are exact
  const auto info = run_cli("info '" + d + "end.x3p' --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_TRUE(contains(info.out, "\"dx_um\": 10")) << info.out;
}

TEST(CliConvert, PreviewWritesAShadedReliefPng) {
  TempDir dir;
  write_text_file(dir / "dimple.csv", dimple_csv_mm());
  const std::string d = dir.path().string() + "/";
  const auto result =
      run_cli("convert '" + d + "dimple.csv' '" + d + "out.tif' --units mm --spacing-um 10 --preview '" + d + "relief.png'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string png = read_text_file(dir / "relief.png");
  ASSERT_GT(png.size(), 100u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

TEST(CliConvert, BadInputsExitTwoWithAMessageNamingFileAndPlace) {
  TempDir dir;
  const std::string d = dir.path().string() + "/";
  write_text_file(dir / "ragged.csv", "1,2,3\n4,5\n");
  write_text_file(dir / "words.csv", "1,2,3\n4,five,6\n");
  write_text_file(dir / "billion.xyz", "1000000000\n0 0 0\n");
  write_text_file(dir / "liar.ply",
                  "ply\nformat ascii 1.0\nelement vertex 1000\nproperty float x\nproperty float y\nproperty float z\n"
                  "end_header\n0 0 0\n");
  write_text_file(dir / "faces.ply",
                  "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
                  "element face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n");
  // A PNG without its sidecar (made by converting, then removing the sidecar).
  write_text_file(dir / "grid.csv", "1,2\n3,4\n");
  ASSERT_EQ(run_cli("convert '" + d + "grid.csv' '" + d + "lonely.png' --units um --spacing-um 5").exit_code, 0);
  std::filesystem::remove(dir / "lonely.png.json");
  ASSERT_EQ(run_cli("convert '" + d + "grid.csv' '" + d + "zero.png' --units um --spacing-um 5").exit_code, 0);
  write_text_file(dir / "zero.png.json", R"({"dx_um": 0, "z_unit": "um", "z_scale": 1, "z_offset": 0})");

  const struct {
    const char* file;
    const char* options;
    const char* expected;
  } cases[] = {
      {"ragged.csv", "--units um --spacing-um 1", "ragged.csv: line 2"},
      {"words.csv", "--units um --spacing-um 1", "words.csv: line 2, column 2"},
      {"billion.xyz", "--units um", "billion.xyz: line 1"},
      {"liar.ply", "--units um", "liar.ply"},
      {"faces.ply", "--units um", "face 0: vertex index 9 is out of range"},
      {"lonely.png", "", "lonely.png.json"},
      {"zero.png", "", "dx_um"},
      {"nothing.x3p", "", "no such file"},
  };
  for (const auto& c : cases) {
    const auto result = run_cli(std::string("convert '") + d + c.file + "' '" + d + "out.tif' " + c.options);
    EXPECT_EQ(result.exit_code, 2) << c.file << ": " << result.err;
    EXPECT_TRUE(contains(result.err, c.expected)) << c.file << ": " << result.err;
    EXPECT_LE(std::count(result.err.begin(), result.err.end(), '\n'), 1) << c.file << ": " << result.err;
  }
}

TEST(CliConvert, UnknownOutputFormatIsAUsageError) {
  TempDir dir;
  write_text_file(dir / "grid.csv", "1,2\n3,4\n");
  const auto result = run_cli("convert '" + (dir / "grid.csv").string() + "' '" + (dir / "out.bmp").string() +
                              "' --units um --spacing-um 5");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, ".x3p")) << result.err;
}

}  // namespace
}  // namespace scarscope::test
