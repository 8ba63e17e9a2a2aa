// `scarscope info` as a user runs it on real X3P files from another tool and on bad files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "surface/zip_archive.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::run_cli;
using test::test_data;

std::string quoted_path(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

nlohmann::json info_json(const std::string& name) {
  const auto result = run_cli("info " + quoted_path(test_data("x3p/" + name)) + " --json");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return nlohmann::json::parse(result.out)["scan"];
}

// Facts from tests/data/x3p/README.md, confirmed by tests/surface/check_x3p_reference.py.
TEST(CliInfo, RealFilesJson) {
  const nlohmann::json pyramid = info_json("pyramid.x3p");
  EXPECT_EQ(pyramid["format"], "x3p");
  EXPECT_EQ(pyramid["file"], "pyramid.x3p");
  EXPECT_EQ(pyramid["nx"], 5);
  EXPECT_EQ(pyramid["ny"], 5);
  EXPECT_DOUBLE_EQ(pyramid["dx_um"].get<double>(), 1e6);  // a spacing of 1 m
  EXPECT_EQ(pyramid["valid_points"], 25);
  EXPECT_EQ(pyramid["checksum_ok"], true);

  const nlohmann::json testing = info_json("testing.x3p");
  EXPECT_EQ(testing["nx"], 30);
  EXPECT_EQ(testing["ny"], 20);
  EXPECT_EQ(testing["valid_points"], 600);
  EXPECT_EQ(testing["checksum_ok"], true);

  const nlohmann::json logo = info_json("csafe-logo.x3p");
  EXPECT_EQ(logo["nx"], 741);
  EXPECT_EQ(logo["ny"], 419);
  EXPECT_NEAR(logo["dx_um"].get<double>(), 0.645, 1e-9);
  EXPECT_EQ(logo["valid_points"], 741 * 419);
  EXPECT_EQ(logo["checksum_ok"], false) << "md5checksum.hex is stale";
  bool stale_warning = false;
  for (const auto& warning : logo["warnings"]) {
    stale_warning |= warning.get<std::string>().find("md5checksum.hex does not match main.xml") != std::string::npos;
  }
  EXPECT_TRUE(stale_warning) << logo["warnings"].dump();

  const nlohmann::json land = info_json("sample-land.x3p");
  EXPECT_EQ(land["nx"], 918);
  EXPECT_EQ(land["ny"], 256);
  EXPECT_DOUBLE_EQ(land["dx_um"].get<double>(), 2.58);
  EXPECT_EQ(land["valid_points"], 209716);  // about 11 % of 235008 are NaN
  EXPECT_NEAR(land["valid_fraction"].get<double>(), 209716.0 / 235008.0, 1e-9);
  EXPECT_LT(land["z_min_um"].get<double>(), land["z_max_um"].get<double>());
  EXPECT_EQ(land["checksum_ok"], true);
  EXPECT_EQ(land["instrument"], "Sensofar Sneox1 (serial 350262016)");
}

TEST(CliInfo, RealFileText) {
  const auto result = run_cli("info " + quoted_path(test_data("x3p/csafe-logo.x3p")));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("csafe-logo.x3p (x3p)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("741 x 419 points"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("MISMATCH"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("md5checksum.hex does not match main.xml"), std::string::npos) << result.out;
}

void expect_bad_file(const std::filesystem::path& path, const std::string& problem) {
  const auto result = run_cli("info " + quoted_path(path));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(result.err.find(path.filename().string()), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(problem), std::string::npos) << result.err;
  ASSERT_FALSE(result.err.empty());
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
}

TEST(CliInfo, BadFilesExitTwoWithOneLineNamingTheFile) {
  test::TempDir dir;
  test::write_text_file(dir / "empty.x3p", "");
  expect_bad_file(dir / "empty.x3p", "empty");

  // Refused by the format detection before the X3P reader: its content does not start like a zip.
  test::write_text_file(dir / "text.x3p", "not a zip at all\n");
  expect_bad_file(dir / "text.x3p", "does not start like");

  const std::string whole = test::read_text_file(test_data("x3p/pyramid.x3p"));
  test::write_text_file(dir / "truncated.x3p", whole.substr(0, whole.size() / 2));
  expect_bad_file(dir / "truncated.x3p", "zip");

  ZipWriter no_main;
  no_main.add("bindata/data.bin", std::string(100, '\0'));
  test::write_text_file(dir / "no-main.x3p", no_main.finish());
  expect_bad_file(dir / "no-main.x3p", "no main.xml");

  expect_bad_file(dir / "absent.x3p", "no such file");
}

TEST(CliInfo, ProfileIsRecognisedButNotSupported) {
  test::TempDir dir;
  const std::string xml =
      "<?xml version=\"1.0\"?><p:ISO5436_2 xmlns:p=\"http://www.opengps.eu/2008/ISO5436_2\"><Record1>"
      "<Revision>ISO5436 - 2000</Revision><FeatureType>PRF</FeatureType><Axes>"
      "<CX><AxisType>I</AxisType><DataType>D</DataType><Increment>1e-6</Increment><Offset>0</Offset></CX>"
      "<CY><AxisType>I</AxisType><DataType>D</DataType><Increment>1e-6</Increment><Offset>0</Offset></CY>"
      "<CZ><AxisType>A</AxisType><DataType>D</DataType><Increment>1</Increment><Offset>0</Offset></CZ>"
      "</Axes></Record1><Record3><MatrixDimension><SizeX>4</SizeX><SizeY>1</SizeY><SizeZ>1</SizeZ>"
      "</MatrixDimension><DataLink><PointDataLink>bindata/data.bin</PointDataLink></DataLink></Record3>"
      "</p:ISO5436_2>";
  ZipWriter zip;
  zip.add("main.xml", xml);
  zip.add("bindata/data.bin", std::string(32, '\0'));
  test::write_text_file(dir / "profile.x3p", zip.finish());
  expect_bad_file(dir / "profile.x3p", "recognised but not supported");
}

TEST(CliInfo, MaxPointsOptionIsNamedAndHonoured) {
  const auto refused = run_cli("info " + quoted_path(test_data("x3p/testing.x3p")) + " --max-points 100");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--max-points"), std::string::npos) << refused.err;
  const auto accepted = run_cli("info " + quoted_path(test_data("x3p/testing.x3p")) + " --max-points 600");
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;
}

}  // namespace
}  // namespace scarscope
