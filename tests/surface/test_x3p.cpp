// X3P reading and writing as a user meets it: files from other tools with their quirks, every
// data type, missing points, checksums, and bad files refused with a message (never a crash).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/error.h"
#include "surface/height_map.h"
#include "surface/x3p.h"
#include "surface/zip_archive.h"
#include "test_support.h"
#include "x3p_test_files.h"

namespace scarscope {
namespace {

using test::encode_values;
using test::X3pFixture;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

HeightMap read(const X3pFixture& fixture, const X3pReadOptions& options = {}) {
  return read_x3p_bytes(fixture.bytes(), "scan.x3p", options);
}

// The message of the InputError that reading `bytes` throws ("" if it does not throw one).
std::string refusal(const std::string& bytes, const X3pReadOptions& options = {}) {
  try {
    read_x3p_bytes(bytes, "bad.x3p", options);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

bool has_warning(const HeightMap& map, const std::string& part) {
  for (const std::string& warning : map.metadata.warnings) {
    if (warning.find(part) != std::string::npos) return true;
  }
  return false;
}

HeightMap sample_map(int nx, int ny) {
  HeightMap map(nx, ny, 2.5, 3.75);
  Random random(7);
  const auto height = [&] { return static_cast<float>(random.uniform(-900.0, 1400.0)); };
  for (int row = 0; row < ny; ++row) {
    for (int col = 0; col < nx; ++col) map.set(row, col, height());
  }
  map.set_missing(0, 1);
  map.set_missing(ny - 1, nx - 1);
  map.metadata.date = "2024-05-06T07:08:09";
  map.metadata.comment = "left cheek";
  map.metadata.instrument = "Acme Profilo 3";
  return map;
}

void expect_identical(const HeightMap& a, const HeightMap& b) {
  ASSERT_EQ(a.nx(), b.nx());
  ASSERT_EQ(a.ny(), b.ny());
  EXPECT_EQ(a.dx_um(), b.dx_um());
  EXPECT_EQ(a.dy_um(), b.dy_um());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a.mask()[i], b.mask()[i]) << "point " << i;
    if (a.mask()[i]) {
      ASSERT_EQ(a.heights()[i], b.heights()[i]) << "point " << i;
    } else {
      ASSERT_TRUE(std::isnan(b.heights()[i])) << "point " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing and reading back

TEST(X3pRoundTrip, WrittenAndReadBackIsIdentical) {
  const HeightMap map = sample_map(37, 23);
  const HeightMap back = read_x3p_bytes(write_x3p_bytes(map), "round.x3p");
  expect_identical(map, back);
  EXPECT_EQ(back.metadata.checksum_ok, std::optional<bool>(true));
  EXPECT_TRUE(back.metadata.warnings.empty()) << back.metadata.warnings.front();
  EXPECT_EQ(back.metadata.date, map.metadata.date);
  EXPECT_EQ(back.metadata.comment, map.metadata.comment);
  EXPECT_EQ(back.metadata.instrument, map.metadata.instrument);
  EXPECT_EQ(back.metadata.source_format, "x3p");
}

TEST(X3pRoundTrip, AwkwardSpacingsSurviveExactly) {
  for (double spacing : {0.645000000000095, 1e6, 0.1, 1.0 / 3.0, 2.58, 27499.9996026357}) {
    HeightMap map(3, 2, spacing, spacing * 2);
    const HeightMap back = read_x3p_bytes(write_x3p_bytes(map), "spacing.x3p");
    EXPECT_EQ(back.dx_um(), spacing);
    EXPECT_EQ(back.dy_um(), spacing * 2);
  }
}

TEST(X3pRoundTrip, Float32FileKeepsHeightsToOneFloatStep) {
  const HeightMap map = sample_map(20, 10);
  X3pWriteOptions options;
  options.data_type = 'F';
  const HeightMap back = read_x3p_bytes(write_x3p_bytes(map, options), "float.x3p");
  ASSERT_EQ(back.nx(), map.nx());
  for (std::size_t i = 0; i < map.size(); ++i) {
    ASSERT_EQ(back.mask()[i], map.mask()[i]);
    if (map.mask()[i]) {
      const float magnitude = std::fabs(map.heights()[i]);
      const float step = std::nextafter(magnitude, std::numeric_limits<float>::infinity()) - magnitude;
      EXPECT_LE(std::fabs(back.heights()[i] - map.heights()[i]), step) << "point " << i;
    }
  }
}

TEST(X3pRoundTrip, SameMapGivesSameBytesInEveryTimeZone) {
  const HeightMap map = sample_map(9, 8);
  const std::string first = write_x3p_bytes(map);
  EXPECT_EQ(first, write_x3p_bytes(map));
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "America/Los_Angeles", 1);
  tzset();
  const std::string elsewhere = write_x3p_bytes(map);
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  EXPECT_EQ(first, elsewhere);
}

TEST(X3pRoundTrip, WriterUsesTheGivenDateElseAFixedOne) {
  HeightMap map(2, 2, 1.0, 1.0);
  X3pWriteOptions options;
  options.date = "2030-01-02T03:04:05";
  EXPECT_EQ(read_x3p_bytes(write_x3p_bytes(map, options), "a.x3p").metadata.date, "2030-01-02T03:04:05");
  EXPECT_EQ(read_x3p_bytes(write_x3p_bytes(map), "b.x3p").metadata.date, "1970-01-01T00:00:00");
}

TEST(X3pRoundTrip, WrittenFileIsStrictX3p) {
  HeightMap map = sample_map(5, 4);
  const std::string bytes = write_x3p_bytes(map);
  const ZipReader zip = ZipReader::from_bytes(bytes, "strict.x3p");
  std::vector<std::string> names;
  for (const auto& entry : zip.entries()) names.push_back(entry.name);
  EXPECT_EQ(names, (std::vector<std::string>{"main.xml", "bindata/data.bin", "bindata/valid.bin", "md5checksum.hex"}));
  const std::string xml = zip.read(zip.find("main.xml"), 1 << 20);
  const std::string data = zip.read(zip.find("bindata/data.bin"), 1 << 20);
  const std::string valid = zip.read(zip.find("bindata/valid.bin"), 1 << 20);
  EXPECT_EQ(zip.read(zip.find("md5checksum.hex"), 100), test::md5_of(xml) + " *main.xml\n");
  EXPECT_NE(xml.find("<p:ISO5436_2 xmlns:p=\"http://www.opengps.eu/2008/ISO5436_2\""), std::string::npos);
  EXPECT_NE(xml.find("<FeatureType>SUR</FeatureType>"), std::string::npos);
  EXPECT_NE(xml.find("<MD5ChecksumPointData>" + test::md5_of(data) + "</MD5ChecksumPointData>"), std::string::npos);
  EXPECT_NE(xml.find("<MD5ChecksumValidPoints>" + test::md5_of(valid) + "</MD5ChecksumValidPoints>"), std::string::npos);
  EXPECT_NE(xml.find("<Increment>2.5e-6</Increment>"), std::string::npos) << "CX increment in metres";
  EXPECT_NE(xml.find("<Increment>3.75e-6</Increment>"), std::string::npos) << "CY increment in metres";
  EXPECT_EQ(data.size(), map.size() * 8);
  EXPECT_EQ(valid.size(), (map.size() + 7) / 8);
  // Point (0, 1) is missing: bit 1 of the first byte is clear, bit 0 set.
  EXPECT_EQ(static_cast<unsigned char>(valid[0]) & 0x3u, 0x1u);
}

TEST(X3pRoundTrip, NoValidBinWhenEveryPointIsValid) {
  HeightMap map(4, 4, 1.0, 1.0);
  const ZipReader zip = ZipReader::from_bytes(write_x3p_bytes(map), "full.x3p");
  EXPECT_EQ(zip.find("bindata/valid.bin"), -1);
}

TEST(X3pRoundTrip, WriterRefusesAnUnknownDataType) {
  HeightMap map(2, 2, 1.0, 1.0);
  X3pWriteOptions options;
  options.data_type = 'I';
  EXPECT_THROW(write_x3p_bytes(map, options), InputError);
}

// ---------------------------------------------------------------------------------------------
// Data types, scaling, missing points

TEST(X3pRead, DoubleHeightsInMetresBecomeMicrometres) {
  X3pFixture file;
  file.data = encode_values({1e-6, -2.5e-6, 0.0, 1e-3, 4e-6, 5e-6}, 'D');
  const HeightMap map = read(file);
  ASSERT_EQ(map.nx(), 3);
  ASSERT_EQ(map.ny(), 2);
  EXPECT_DOUBLE_EQ(map.dx_um(), 10.0);
  EXPECT_DOUBLE_EQ(map.dy_um(), 20.0);
  EXPECT_FLOAT_EQ(map.height(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(map.height(0, 1), -2.5f);
  EXPECT_FLOAT_EQ(map.height(1, 0), 1000.0f);  // row 1 starts at the fourth stored value
  EXPECT_FLOAT_EQ(map.height(1, 2), 5.0f);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(true));
  EXPECT_EQ(map.metadata.instrument, "Acme Profilo 3 (serial 42)");
  EXPECT_EQ(map.metadata.date, "2021-03-04T05:06:07");
  EXPECT_EQ(map.metadata.comment, "made by a test");
}

TEST(X3pRead, FloatHeightsIgnoreTheIncrementWithAWarning) {
  X3pFixture file;
  file.z_data_type = "F";
  file.z_increment = "1e-06";  // as x3ptools writes it: not a scale for float data
  file.data = encode_values({1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6}, 'F');
  const HeightMap map = read(file);
  EXPECT_NEAR(map.height(1, 2), 6.0f, 1e-5);
  EXPECT_TRUE(has_warning(map, "CZ Increment 1e-06 not applied"));
}

TEST(X3pRead, Int16HeightsAreScaledByIncrementAndOffset) {
  X3pFixture file;
  file.z_data_type = "I";
  file.z_increment = "1e-07";
  file.z_offset = "1e-06";
  file.data = encode_values({-32768, -3, 0, 5, 100, 32767}, 'I');
  const HeightMap map = read(file);
  EXPECT_NEAR(map.height(0, 0), 1.0 - 3276.8, 1e-3);
  EXPECT_NEAR(map.height(0, 1), 0.7, 1e-6);
  EXPECT_NEAR(map.height(0, 2), 1.0, 1e-6);
  EXPECT_NEAR(map.height(1, 0), 1.5, 1e-6);
  EXPECT_NEAR(map.height(1, 2), 1.0 + 3276.7, 1e-3);
}

TEST(X3pRead, Int32HeightsAreScaledByIncrementAndOffset) {
  X3pFixture file;
  file.z_data_type = "L";
  file.z_increment = "1e-09";
  file.z_offset = "-2e-06";
  file.data = encode_values({-2147483648.0, -1000, 0, 1000, 2500, 2147483647.0}, 'L');
  const HeightMap map = read(file);
  EXPECT_NEAR(map.height(0, 0), -2.0 - 2147483.648, 0.25);  // float32 steps are 0.25 um up there
  EXPECT_NEAR(map.height(0, 1), -3.0, 1e-6);
  EXPECT_NEAR(map.height(1, 1), 0.5, 1e-6);
  EXPECT_NEAR(map.height(1, 2), -2.0 + 2147483.647, 0.25);
}

TEST(X3pRead, IntegerDataWithoutIncrementIsTakenAsMetresWithAWarning) {
  X3pFixture file;
  file.z_data_type = "I";
  file.z_increment.reset();
  file.z_offset.reset();
  file.data = encode_values({0, 0, 0, 0, 0, 0}, 'I');
  const HeightMap map = read(file);
  EXPECT_TRUE(has_warning(map, "CZ has no Increment"));
  EXPECT_TRUE(has_warning(map, "CZ has no Offset"));
}

TEST(X3pRead, InlineDataListWithEmptyDatumAsMissing) {
  X3pFixture file;
  file.data_list = std::vector<std::string>{"1e-6", "", "-2e-6", " 3e-6 ", "NaN", "4e-6"};
  const HeightMap map = read(file);
  EXPECT_FLOAT_EQ(map.height(0, 0), 1.0f);
  EXPECT_FALSE(map.valid(0, 1));
  EXPECT_TRUE(std::isnan(map.height(0, 1)));
  EXPECT_FLOAT_EQ(map.height(0, 2), -2.0f);
  EXPECT_FLOAT_EQ(map.height(1, 0), 3.0f);
  EXPECT_FALSE(map.valid(1, 1));
  EXPECT_EQ(map.valid_count(), 4u);
}

TEST(X3pRead, InlineDataListWithIntegersIsScaled) {
  X3pFixture file;
  file.z_data_type = "I";
  file.z_increment = "1e-08";
  file.data_list = std::vector<std::string>{"100", "200", "", "-100", "0", "7"};
  const HeightMap map = read(file);
  EXPECT_NEAR(map.height(0, 1), 2.0, 1e-6);
  EXPECT_NEAR(map.height(1, 0), -1.0, 1e-6);
  EXPECT_EQ(map.valid_count(), 5u);
}

TEST(X3pRead, ValidBinMarksPointsLeastSignificantBitFirst) {
  X3pFixture file;
  file.size_x = "3";
  file.size_y = "3";
  file.z_data_type = "I";
  file.z_increment = "1e-06";
  file.data = encode_values({0, 1, 2, 3, 4, 5, 6, 7, 8}, 'I');
  file.valid = std::string{static_cast<char>(0b10110101), static_cast<char>(0b00000001)};
  const HeightMap map = read(file);
  const std::vector<bool> expected = {true, false, true, false, true, true, false, true, true};
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(map.valid(i / 3, i % 3), expected[i]) << "point " << i;
    if (expected[i]) EXPECT_FLOAT_EQ(map.height(i / 3, i % 3), static_cast<float>(i));
    else EXPECT_TRUE(std::isnan(map.height(i / 3, i % 3)));
  }
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(true));
}

TEST(X3pRead, ValidBinShorterThanTheGridIsRefused) {
  X3pFixture file;
  file.size_x = "4";
  file.size_y = "3";
  file.data = encode_values(std::vector<double>(12, 0.0), 'D');
  file.valid = std::string(1, '\xff');  // 8 bits for 12 points
  EXPECT_NE(refusal(file.bytes()).find("valid.bin holds 1 bytes"), std::string::npos) << refusal(file.bytes());
}

TEST(X3pRead, NanAndInfinityAreMissing) {
  X3pFixture file;
  file.data = encode_values({std::nan(""), kInf, -kInf, 1e-6, 1e300, 2e-6}, 'D');
  const HeightMap map = read(file);
  EXPECT_FALSE(map.valid(0, 0));
  EXPECT_FALSE(map.valid(0, 1));
  EXPECT_FALSE(map.valid(0, 2));
  EXPECT_TRUE(map.valid(1, 0));
  EXPECT_FALSE(map.valid(1, 1)) << "1e300 m is beyond float micrometres";
  EXPECT_TRUE(has_warning(map, "beyond the float range"));
  EXPECT_EQ(map.valid_count(), 2u);
  for (std::size_t i = 0; i < map.size(); ++i) EXPECT_EQ(map.mask()[i] != 0, std::isfinite(map.heights()[i]));
}

// ---------------------------------------------------------------------------------------------
// Checksums: a mismatch is a warning, not a refusal

TEST(X3pChecksum, StaleMainXmlChecksumIsAWarning) {
  X3pFixture file;
  file.data = encode_values(std::vector<double>(6, 1e-6), 'D');
  file.checksum_text = "0123456789abcdef0123456789abcdef *main.xml\n";
  const HeightMap map = read(file);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(false));
  EXPECT_TRUE(has_warning(map, "md5checksum.hex does not match main.xml"));
  EXPECT_FLOAT_EQ(map.height(1, 1), 1.0f);
}

TEST(X3pChecksum, WrongDataChecksumIsAWarning) {
  X3pFixture file;
  file.data = encode_values(std::vector<double>(6, 1e-6), 'D');
  file.data_md5 = "ffffffffffffffffffffffffffffffff";
  const HeightMap map = read(file);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(false));
  EXPECT_TRUE(has_warning(map, "bindata/data.bin does not match its MD5ChecksumPointData"));
}

TEST(X3pChecksum, UppercaseChecksumsAndBareHexAreAccepted) {
  X3pFixture file;
  file.data = encode_values(std::vector<double>(6, 1e-6), 'D');
  std::string upper = test::md5_of(file.main_xml());
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  file.checksum_text = upper;
  EXPECT_EQ(read(file).metadata.checksum_ok, std::optional<bool>(true));
}

TEST(X3pChecksum, MissingChecksumFileIsAWarning) {
  X3pFixture file;
  file.data = encode_values(std::vector<double>(6, 1e-6), 'D');
  file.checksum_file = false;
  const HeightMap map = read(file);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(false));
  EXPECT_TRUE(has_warning(map, "no md5checksum.hex"));
}

// ---------------------------------------------------------------------------------------------
// Quirks of real files

TEST(X3pQuirks, ByteOrderMarkBeforeXmlDeclaration) {
  X3pFixture file;
  file.byte_order_mark = true;
  file.data = encode_values(std::vector<double>(6, 2e-6), 'D');
  const HeightMap map = read(file);
  EXPECT_FLOAT_EQ(map.height(0, 0), 2.0f);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(true));
}

TEST(X3pQuirks, NamespaceVariantsAreMatchedByLocalName) {
  struct Variant {
    std::string root, attributes, prefix;
  };
  const std::vector<Variant> variants = {
      {"ISO5436_2", "", ""},                                                               // no namespace
      {"ISO5436_2", "xmlns=\"http://www.opengps.eu/2008/ISO5436_2\"", ""},                // default namespace
      {"p:ISO5436_2", "xmlns:p=\"http://www.opengps.eu/2008/ISO5436_2\"", "p:"},           // prefix everywhere
      {"iso:ISO5436_2", "xmlns:iso=\"http://www.opengps.eu/2008/ISO5436_2\"", ""},         // another prefix
      {"ISO5436", "", ""},                                                                 // old root name
  };
  for (const Variant& variant : variants) {
    X3pFixture file;
    file.root = variant.root;
    file.root_attributes = variant.attributes;
    file.element_prefix = variant.prefix;
    file.data = encode_values({1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6}, 'D');
    const HeightMap map = read(file);
    EXPECT_FLOAT_EQ(map.height(1, 2), 6.0f) << variant.root << " " << variant.prefix;
    EXPECT_DOUBLE_EQ(map.dy_um(), 20.0);
  }
}

TEST(X3pQuirks, EntriesUnderATopLevelFolderAndJunkEntries) {
  X3pFixture file;
  file.folder = "cheek-scan/";
  file.data = encode_values({1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6}, 'D');
  file.extra_entries = {{"__MACOSX/cheek-scan/._main.xml", "junk"},
                        {"__MACOSX/._cheek-scan", "junk"},
                        {"cheek-scan/bindata/.DS_Store", std::string(64, '\0')},
                        {"cheek-scan/bindata/mask.png", "not read"}};
  const HeightMap map = read(file);
  EXPECT_FLOAT_EQ(map.height(1, 2), 6.0f);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(true));
  EXPECT_TRUE(has_warning(map, "under the folder 'cheek-scan/'"));
}

TEST(X3pQuirks, EmptyOffsetAndMissingIncrementsAreToleratedWithWarnings) {
  X3pFixture file;
  file.z_offset = "";
  file.dx_m.reset();
  file.data = encode_values(std::vector<double>(6, 1e-6), 'D');
  const HeightMap map = read(file);
  EXPECT_TRUE(has_warning(map, "CZ Offset is empty"));
  EXPECT_TRUE(has_warning(map, "CX has no Increment"));
  EXPECT_DOUBLE_EQ(map.dx_um(), 20.0) << "borrowed from CY";
  file.dy_m.reset();
  const HeightMap guessed = read(file);
  EXPECT_DOUBLE_EQ(guessed.dx_um(), 1.0);
  EXPECT_TRUE(has_warning(guessed, "spacing of the scan is unknown"));
}

// ---------------------------------------------------------------------------------------------
// Recognised but not supported

TEST(X3pUnsupported, ProfilesPointCloudsAndIrregularAxes) {
  X3pFixture profile;
  profile.feature_type = "PRF";
  profile.size_y = "1";
  profile.data = encode_values({0, 0, 0}, 'D');
  X3pFixture cloud;
  cloud.feature_type = "PCL";
  cloud.data = encode_values(std::vector<double>(6, 0.0), 'D');
  X3pFixture irregular;
  irregular.cx_axis_type = "A";
  irregular.data = encode_values(std::vector<double>(6, 0.0), 'D');
  for (const X3pFixture* file : {&profile, &cloud, &irregular}) {
    try {
      read_x3p_bytes(file->bytes(), "odd.x3p");
      ADD_FAILURE() << "not refused";
    } catch (const UnsupportedError& error) {
      const std::string message = error.what();
      EXPECT_EQ(message.rfind("odd.x3p: ", 0), 0u) << message;
      EXPECT_NE(message.find("recognised but not supported"), std::string::npos) << message;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bad input: refused with a message naming the file and the problem

void expect_refused(const std::string& bytes, const std::string& expected_part, const X3pReadOptions& options = {}) {
  const std::string message = refusal(bytes, options);
  ASSERT_FALSE(message.empty()) << "not refused with an InputError (expected: " << expected_part << ")";
  EXPECT_EQ(message.rfind("bad.x3p: ", 0), 0u) << message;
  EXPECT_NE(message.find(expected_part), std::string::npos) << message;
}

X3pFixture good_file() {
  X3pFixture file;
  file.data = encode_values({1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6}, 'D');
  return file;
}

TEST(X3pBadInput, EmptyFile) { expect_refused("", "empty"); }

TEST(X3pBadInput, NotAZip) { expect_refused("SizeX,SizeY\n1,2\n", "not a readable zip archive"); }

TEST(X3pBadInput, TruncatedZip) {
  const std::string whole = good_file().bytes();
  for (std::size_t keep : {whole.size() / 4, whole.size() / 2, whole.size() - 10, std::size_t{30}}) {
    const std::string message = refusal(whole.substr(0, keep));
    EXPECT_EQ(message.rfind("bad.x3p: ", 0), 0u) << "kept " << keep << ": " << message;
  }
}

TEST(X3pBadInput, ABillionPointsWithAHundredBytesOfData) {
  X3pFixture file;
  file.size_x = "1000000000";
  file.size_y = "1";
  file.data = std::string(100, '\0');
  X3pReadOptions generous;
  generous.max_points = std::uint64_t{1} << 40;  // even when the point limit allows it
  expect_refused(file.bytes(), "bindata/data.bin holds 100 bytes", generous);
  expect_refused(file.bytes(), "--max-points");  // the default limit says so first
}

TEST(X3pBadInput, GridLargerThanMaxPointsNamesTheOption) {
  X3pFixture file = good_file();
  X3pReadOptions small;
  small.max_points = 5;
  expect_refused(file.bytes(), "raise the limit with --max-points", small);
}

TEST(X3pBadInput, DataShorterThanTheGrid) {
  X3pFixture file = good_file();
  file.size_x = "4";  // 8 points, 6 stored
  expect_refused(file.bytes(), "holds 48 bytes = 6 values of type D (float64), but the grid 4 x 2 needs 8");
}

TEST(X3pBadInput, DataListShorterThanTheGrid) {
  X3pFixture file;
  file.data_list = std::vector<std::string>{"1", "2"};
  expect_refused(file.bytes(), "DataList holds 2 Datum elements");
}

TEST(X3pBadInput, DatumThatIsNotANumber) {
  X3pFixture file;
  file.data_list = std::vector<std::string>{"1e-6", "two", "3", "4", "5", "6"};
  expect_refused(file.bytes(), "Datum 2 is 'two'");
}

TEST(X3pBadInput, WrongDataType) {
  X3pFixture file = good_file();
  file.z_data_type = "Q";
  expect_refused(file.bytes(), "CZ DataType is 'Q', expected I (int16), L (int32), F (float32) or D (float64)");
}

TEST(X3pBadInput, XmlEntityBomb) {
  X3pFixture file = good_file();
  file.prolog =
      "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>";
  file.comment = "&lol3;";
  expect_refused(file.bytes(), "entity declarations are refused");
}

TEST(X3pBadInput, NegativeAndZeroSizes) {
  for (const char* size : {"-3", "0", "-9223372036854775808", "3.5", "many", "99999999999999999999"}) {
    X3pFixture file = good_file();
    file.size_x = size;
    const std::string message = refusal(file.bytes());
    EXPECT_EQ(message.rfind("bad.x3p: main.xml: SizeX is ", 0), 0u) << size << ": " << message;
  }
  X3pFixture file = good_file();
  file.size_y = "-2";
  expect_refused(file.bytes(), "SizeY is -2; sizes must be positive");
}

TEST(X3pBadInput, BadLateralIncrements) {
  for (const char* increment : {"0", "-1e-6", "nan", "inf", "1e9", "abc"}) {
    X3pFixture file = good_file();
    file.dx_m = increment;
    const std::string message = refusal(file.bytes());
    EXPECT_NE(message.find("CX Increment is"), std::string::npos) << increment << ": " << message;
  }
}

TEST(X3pBadInput, MissingMainXml) {
  X3pFixture file = good_file();
  file.include_main_xml = false;
  expect_refused(file.bytes(), "no main.xml in the zip archive");
}

TEST(X3pBadInput, MissingData) {
  X3pFixture no_entry = good_file();
  no_entry.data.reset();
  expect_refused(no_entry.bytes(), "'bindata/data.bin' (PointDataLink), which is not in the zip archive");
  X3pFixture no_link = good_file();
  no_link.link_data = false;
  expect_refused(no_link.bytes(), "there are no heights");
}

TEST(X3pBadInput, MalformedXml) {
  ZipWriter zip;
  zip.add("main.xml", "<?xml version=\"1.0\"?><ISO5436_2><Record1>");
  expect_refused(zip.finish(), "main.xml is not well-formed XML");
  ZipWriter other;
  other.add("main.xml", "<?xml version=\"1.0\"?><svg/>");
  expect_refused(other.finish(), "root element is 'svg', expected ISO5436_2");
}

TEST(X3pBadInput, DataFarLargerThanTheGridIsRefusedBeforeInflating) {
  X3pFixture file = good_file();
  file.data = std::string(std::size_t{40} << 20, '\0');  // 40 MiB of zeros deflate to ~40 kB
  expect_refused(file.bytes(), "far more than the 48 the grid 3 x 2");
}

TEST(X3pBadInput, SeveralMainXml) {
  ZipWriter zip;
  zip.add("a/main.xml", "<ISO5436_2/>");
  zip.add("b/main.xml", "<ISO5436_2/>");
  expect_refused(zip.finish(), "several main.xml");
}

TEST(X3pBadInput, MissingFileAndFolder) {
  test::TempDir dir;
  EXPECT_THROW(read_x3p(dir / "nothing.x3p"), InputError);
  EXPECT_THROW(read_x3p(dir.path()), InputError);
}

// ---------------------------------------------------------------------------------------------
// The real files from x3ptools (tests/data/x3p/README.md); tests/surface/check_x3p_reference.py
// checks the same facts with an independent reader.

TEST(X3pRealFiles, PyramidFloat32WithOneMetreSpacing) {
  const HeightMap map = read_x3p(test::test_data("x3p/pyramid.x3p"));
  EXPECT_EQ(map.nx(), 5);
  EXPECT_EQ(map.ny(), 5);
  EXPECT_DOUBLE_EQ(map.dx_um(), 1e6);
  EXPECT_EQ(map.valid_count(), 25u);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(true));
}

TEST(X3pRealFiles, CsafeLogoUnderAFolderWithAStaleChecksum) {
  const HeightMap map = read_x3p(test::test_data("x3p/csafe-logo.x3p"));
  EXPECT_EQ(map.nx(), 741);
  EXPECT_EQ(map.ny(), 419);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(false));
  EXPECT_TRUE(has_warning(map, "md5checksum.hex does not match main.xml"));
  EXPECT_FALSE(has_warning(map, "data.bin does not match")) << "the data checksum itself is right";
  EXPECT_EQ(map.metadata.comment, "image rendered from the CSAFE logo");
}

TEST(X3pRealFiles, SampleLandWithJunkEntriesAndMissingPoints) {
  const HeightMap map = read_x3p(test::test_data("x3p/sample-land.x3p"));
  EXPECT_EQ(map.nx(), 918);
  EXPECT_EQ(map.ny(), 256);
  EXPECT_DOUBLE_EQ(map.dx_um(), 2.58);
  EXPECT_LT(map.valid_count(), map.size());
  EXPECT_GT(map.valid_count(), map.size() * 8 / 10);
  EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(true));
  EXPECT_TRUE(has_warning(map, "CZ Offset is empty"));
  EXPECT_EQ(map.metadata.instrument, "Sensofar Sneox1 (serial 350262016)");
}

TEST(X3pRealFiles, RealFilesSurviveARoundTrip) {
  for (const char* name : {"pyramid.x3p", "testing.x3p", "csafe-logo.x3p", "sample-land.x3p"}) {
    const HeightMap map = read_x3p(test::test_data(std::string("x3p/") + name));
    const HeightMap back = read_x3p_bytes(write_x3p_bytes(map), name);
    expect_identical(map, back);
    EXPECT_EQ(back.metadata.checksum_ok, std::optional<bool>(true)) << name;
  }
}

// ---------------------------------------------------------------------------------------------
// data.bin and valid.bin are inflated in pieces and converted as they arrive

// 13 x 7 = 91 points: no piece size below divides the data evenly, so values and valid bytes
// straddle piece boundaries; every type, with its scaling, missing values and a valid.bin.
TEST(X3pStreaming, EveryPieceSizeGivesTheSameHeightsForEveryDataType) {
  const int nx = 13, ny = 7, points = nx * ny;
  Random random(11);
  for (const char type : {'I', 'L', 'F', 'D'}) {
    const bool integer = type == 'I' || type == 'L';
    const auto steps = [&] { return static_cast<double>(random.uniform_int(-30000, 30000)); };
    const auto metres = [&] { return random.uniform(-2e-3, 2e-3); };
    std::vector<double> values(points);
    for (double& value : values) value = integer ? steps() : metres();
    if (!integer) {
      values[5] = std::numeric_limits<double>::quiet_NaN();
      values[40] = kInf;
    }
    std::string valid((points + 7) / 8, '\xff');
    valid[3] = static_cast<char>(0b01011011);  // points 26, 29, 31 missing
    valid.back() = static_cast<char>(0b00000111);  // 88, 89, 90 valid; the unused high bits are ignored
    X3pFixture file;
    file.size_x = std::to_string(nx);
    file.size_y = std::to_string(ny);
    file.z_data_type = std::string(1, type);
    const double increment = integer ? 2.5e-7 : 1.0, offset = integer ? 1e-4 : -3e-6;
    file.z_increment = integer ? "2.5e-7" : "1";
    file.z_offset = integer ? "1e-4" : "-3e-6";
    file.data = encode_values(values, type) + std::string(5, '\x7f');  // 5 bytes beyond the grid
    file.valid = valid;
    const std::string bytes = file.bytes();
    for (const std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{13}, std::size_t{100},
                                    std::size_t{1} << 20}) {
      SCOPED_TRACE(std::string("type ") + type + ", pieces of " + std::to_string(piece) + " bytes");
      X3pReadOptions options;
      options.chunk_bytes = piece;
      const HeightMap map = read_x3p_bytes(bytes, "scan.x3p", options);
      ASSERT_EQ(map.size(), static_cast<std::size_t>(points));
      EXPECT_EQ(map.metadata.checksum_ok, std::optional<bool>(true));
      EXPECT_TRUE(has_warning(map, "5 bytes more than the grid needs"));
      for (int i = 0; i < points; ++i) {
        // Stored values as the file holds them (float data was written as float32).
        const double stored = type == 'F' ? static_cast<double>(static_cast<float>(values[static_cast<std::size_t>(i)]))
                                          : values[static_cast<std::size_t>(i)];
        const bool bit = ((static_cast<unsigned char>(valid[static_cast<std::size_t>(i / 8)]) >> (i % 8)) & 1u) != 0;
        const bool expected_valid = bit && std::isfinite(stored);
        ASSERT_EQ(map.mask()[i] != 0, expected_valid) << "point " << i;
        if (expected_valid) {
          const float expected = static_cast<float>((integer ? offset + increment * stored : offset + stored) * 1e6);
          ASSERT_EQ(map.heights()[i], expected) << "point " << i;
        } else {
          ASSERT_TRUE(std::isnan(map.heights()[i])) << "point " << i;
        }
      }
    }
  }
}

// float64 heights with offset 0 (the usual file) take a vectorised path; it must give exactly the
// scalar rules' heights, mask and out-of-range count, including at the float range's edge (a value
// whose micrometres round down to FLT_MAX is out of range, one just inside is kept), for NaN,
// infinities, -0, subnormals and a block boundary of the vectorised conversion (65536 values).
TEST(X3pStreaming, Float64WithoutOffsetMatchesTheScalarRulesAtEveryEdge) {
  const double float_max = std::numeric_limits<float>::max();
  const double just_inside = float_max / 1e6;                          // micrometres = FLT_MAX (or within rounding)
  const double rounds_to_max = std::nextafter(float_max, kInf) / 1e6;  // > FLT_MAX, rounds down to it in float
  const std::vector<double> specials = {0.0, -0.0, 1e-310, -1e-310, std::nan(""), -std::nan(""), kInf, -kInf,
                                        1e300, -1e300, just_inside, -just_inside, rounds_to_max, -rounds_to_max,
                                        std::nextafter(just_inside, 0.0), 3.4e32, -3.4e32, 1.5e-6, -2.25e-4};
  const int nx = 300, ny = 230, points = nx * ny;  // 69000 values: past one 65536-value block
  std::vector<double> values(static_cast<std::size_t>(points));
  Random random(5);
  for (double& value : values) value = random.uniform(-3e-3, 3e-3);
  for (std::size_t k = 0; k < specials.size(); ++k) {
    values[k] = specials[k];                                  // at the start
    values[65530 + k] = specials[k];                          // across the block boundary
    values[static_cast<std::size_t>(points) - 1 - k] = specials[k];  // at the end
  }
  X3pFixture file;
  file.size_x = std::to_string(nx);
  file.size_y = std::to_string(ny);
  file.z_offset = "0";
  file.data = encode_values(values, 'D');
  const std::string bytes = file.bytes();
  std::size_t expected_out_of_range = 0, kept_at_the_edge = 0;
  for (const double value : values) {
    const double micrometres = (0.0 + value) * 1e6;
    if (std::isfinite(value) && !(std::fabs(micrometres) <= float_max)) ++expected_out_of_range;
    if (std::fabs(micrometres) <= float_max && std::fabs(micrometres) > 3.4e38) ++kept_at_the_edge;
  }
  // The edge is really exercised: +-1e300 and the two that round to FLT_MAX are out of range at
  // each of the three places, and some value within a rounding of FLT_MAX is kept.
  ASSERT_GE(expected_out_of_range, 12u);
  ASSERT_GT(kept_at_the_edge, 0u);
  for (const std::size_t piece : {std::size_t{3}, std::size_t{8} * 1000 + 5, std::size_t{1} << 18, std::size_t{1} << 20}) {
    SCOPED_TRACE("pieces of " + std::to_string(piece));
    X3pReadOptions options;
    options.chunk_bytes = piece;
    const HeightMap map = read_x3p_bytes(bytes, "scan.x3p", options);
    EXPECT_TRUE(has_warning(map, std::to_string(expected_out_of_range) + " heights beyond the float range"));
    for (int i = 0; i < points; ++i) {
      const double value = values[static_cast<std::size_t>(i)];
      const double micrometres = (0.0 + value) * 1e6;
      const bool expected_valid = std::isfinite(value) && std::fabs(micrometres) <= float_max;
      ASSERT_EQ(map.mask()[i] != 0, expected_valid) << "point " << i << " = " << value;
      if (expected_valid) {
        const float expected = static_cast<float>(micrometres);
        ASSERT_EQ(std::bit_cast<std::uint32_t>(map.heights()[i]), std::bit_cast<std::uint32_t>(expected))
            << "point " << i << " = " << value;
      } else {
        ASSERT_EQ(std::bit_cast<std::uint32_t>(map.heights()[i]),
                  std::bit_cast<std::uint32_t>(std::numeric_limits<float>::quiet_NaN()))
            << "point " << i << ": missing points hold the one quiet NaN";
      }
    }
  }
}

// Finds where the bytes of entry `name` start in a zip written by ZipWriter (its local header).
std::size_t entry_data_offset(const std::string& zip, const std::string& name) {
  const std::size_t header = zip.find(std::string("PK\x03\x04", 4));
  std::size_t at = header;
  while (at != std::string::npos) {
    const auto u16 = [&](std::size_t i) {
      return static_cast<std::size_t>(static_cast<unsigned char>(zip[i])) |
             (static_cast<std::size_t>(static_cast<unsigned char>(zip[i + 1])) << 8);
    };
    const std::size_t name_length = u16(at + 26), extra_length = u16(at + 28);
    if (zip.compare(at + 30, name_length, name) == 0) return at + 30 + name_length + extra_length;
    at = zip.find(std::string("PK\x03\x04", 4), at + 4);
  }
  return std::string::npos;
}

TEST(X3pStreaming, CorruptedCompressedDataIsAnInputErrorNamingTheEntry) {
  X3pFixture file;
  file.size_x = "64";
  file.size_y = "64";
  std::vector<double> values(64 * 64);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 1e-6 * std::sin(0.01 * static_cast<double>(i));
  file.data = encode_values(values, 'D');
  const std::string good = file.bytes();
  const std::size_t start = entry_data_offset(good, "bindata/data.bin");
  ASSERT_NE(start, std::string::npos);
  for (const std::size_t at : {start + 2, start + 200, start + 2000}) {
    std::string bad = good;
    for (std::size_t i = at; i < at + 16; ++i) bad[i] = static_cast<char>(bad[i] ^ 0xa5);
    for (const std::size_t piece : {std::size_t{5}, std::size_t{1} << 18}) {
      X3pReadOptions options;
      options.chunk_bytes = piece;
      const std::string message = refusal(bad, options);
      EXPECT_NE(message.find("bad.x3p"), std::string::npos) << message;
      EXPECT_NE(message.find("data.bin"), std::string::npos) << message;
    }
  }
}

// A zip header may claim any uncompressed size; deflate cannot expand beyond ~1032:1, so a claim
// beyond that is refused before the grid it would fill is allocated.
std::size_t find_header(const std::string& zip, const char* signature, std::size_t name_at, const std::string& name) {
  std::size_t at = zip.find(std::string(signature, 4));
  while (at != std::string::npos && zip.compare(at + name_at, name.size(), name) != 0) {
    at = zip.find(std::string(signature, 4), at + 4);
  }
  return at;
}

TEST(X3pStreaming, UncompressedSizeBeyondWhatDeflateCanExpandIsRefusedBeforeAllocating) {
  X3pFixture file;
  file.size_x = "10000000";  // 10 million float64 heights: 80 MB
  file.size_y = "1";
  file.data = encode_values(std::vector<double>(1000, 0.0), 'D');  // 8000 zero bytes, a few dozen compressed
  std::string bytes = file.bytes();
  EXPECT_NE(refusal(bytes).find("holds 8000 bytes"), std::string::npos) << refusal(bytes);
  // Forge the entry's uncompressed size to the 80 MB the grid needs, in the local and the central
  // header (libzip checks that they agree).
  const auto patch_u32 = [&](std::size_t at, std::uint32_t value) {
    for (int k = 0; k < 4; ++k) bytes[at + static_cast<std::size_t>(k)] = static_cast<char>((value >> (8 * k)) & 0xff);
  };
  const std::size_t local = find_header(bytes, "PK\x03\x04", 30, "bindata/data.bin");
  const std::size_t central = find_header(bytes, "PK\x01\x02", 46, "bindata/data.bin");
  ASSERT_NE(local, std::string::npos);
  ASSERT_NE(central, std::string::npos);
  patch_u32(local + 22, 80000000);
  patch_u32(central + 24, 80000000);
  const std::string message = refusal(bytes);
  EXPECT_NE(message.find("more than deflate can expand"), std::string::npos) << message;
  EXPECT_NE(message.find("bindata/data.bin claims 80000000 bytes"), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------
// Deflate streams written by hand (stored blocks), in a zip written by hand, to reach the ends of
// the inflate loop that a well-made archive never does: a stream cut short, one that runs on past
// the size the header claims, one whose last block is not marked final, a bad block type and a
// CRC that does not match.

std::uint32_t crc32_of(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (const char byte : bytes) {
    crc ^= static_cast<unsigned char>(byte);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int k = 0; k < bytes; ++k) out += static_cast<char>((value >> (8 * k)) & 0xff);
}

// A deflate stored block holding `data` (at most 65535 bytes), marked final or not.
std::string stored_block(const std::string& data, bool final_block) {
  std::string block(1, static_cast<char>(final_block ? 1 : 0));
  put_le(block, static_cast<std::uint32_t>(data.size()), 2);
  put_le(block, static_cast<std::uint32_t>(~data.size() & 0xffff), 2);
  return block + data;
}

struct HandEntry {
  std::string name;
  std::string stored;       // the bytes as stored in the archive
  bool deflated = false;    // method 8 (else 0, stored)
  std::uint32_t size = 0;   // uncompressed size the headers claim
  std::uint32_t crc = 0;    // CRC the headers claim
};

HandEntry plain_entry(const std::string& name, const std::string& data) {
  return {name, data, false, static_cast<std::uint32_t>(data.size()), crc32_of(data)};
}

// A zip archive: local headers and data, central directory, end record.
std::string hand_zip(const std::vector<HandEntry>& entries) {
  std::string zip, central;
  for (const HandEntry& entry : entries) {
    const auto offset = static_cast<std::uint32_t>(zip.size());
    auto common = [&](std::string& out) {
      put_le(out, 20, 2);                                   // version needed
      put_le(out, 0, 2);                                    // flags
      put_le(out, entry.deflated ? 8 : 0, 2);               // method
      put_le(out, 0, 2);                                    // time
      put_le(out, (20 << 9) | (1 << 5) | 1, 2);             // date 2000-01-01
      put_le(out, entry.crc, 4);
      put_le(out, static_cast<std::uint32_t>(entry.stored.size()), 4);
      put_le(out, entry.size, 4);
      put_le(out, static_cast<std::uint32_t>(entry.name.size()), 2);
      put_le(out, 0, 2);                                    // extra field length
    };
    put_le(zip, 0x04034b50, 4);
    common(zip);
    zip += entry.name + entry.stored;
    put_le(central, 0x02014b50, 4);
    put_le(central, 20, 2);  // version made by
    common(central);
    put_le(central, 0, 2);   // comment length
    put_le(central, 0, 2);   // disk
    put_le(central, 0, 2);   // internal attributes
    put_le(central, 0, 4);   // external attributes
    put_le(central, offset, 4);
    central += entry.name;
  }
  const auto central_offset = static_cast<std::uint32_t>(zip.size());
  zip += central;
  put_le(zip, 0x06054b50, 4);
  put_le(zip, 0, 2);
  put_le(zip, 0, 2);
  put_le(zip, static_cast<std::uint32_t>(entries.size()), 2);
  put_le(zip, static_cast<std::uint32_t>(entries.size()), 2);
  put_le(zip, static_cast<std::uint32_t>(central.size()), 4);
  put_le(zip, central_offset, 4);
  put_le(zip, 0, 2);
  return zip;
}

class HandDeflate : public ::testing::Test {
 protected:
  HandDeflate() {
    file.size_x = "50";
    file.size_y = "40";
    for (int i = 0; i < 2000; ++i) values.push_back(1e-6 * std::cos(0.013 * i) + 1e-9 * i);
    file.data = encode_values(values, 'D');  // 16000 bytes
  }
  // The X3P with data.bin stored as `stream`, its headers claiming `size` bytes with CRC `crc`.
  std::string x3p(const std::string& stream, std::uint32_t size, std::uint32_t crc) const {
    const std::string xml = file.main_xml();
    return hand_zip({plain_entry("main.xml", xml), {"bindata/data.bin", stream, true, size, crc},
                     plain_entry("md5checksum.hex", test::md5_of(xml) + " *main.xml\n")});
  }
  std::string x3p(const std::string& stream) const {
    return x3p(stream, static_cast<std::uint32_t>(file.data->size()), crc32_of(*file.data));
  }
  static std::vector<std::size_t> pieces() { return {1, 7, 4096, std::size_t{1} << 18}; }

  X3pFixture file;
  std::vector<double> values;
};

TEST_F(HandDeflate, StoredBlocksAreReadAtEveryPieceSize) {
  const std::string& data = *file.data;
  // Three blocks, the last one final; and the same without the final mark (zip tools accept a
  // stream whose bytes are all there and whose CRC checks out, and so do we).
  const std::string head = stored_block(data.substr(0, 5000), false) + stored_block(data.substr(5000, 9000), false);
  for (const bool final_block : {true, false}) {
    const std::string bytes = x3p(head + stored_block(data.substr(14000), final_block));
    for (const std::size_t piece : pieces()) {
      SCOPED_TRACE("final " + std::to_string(final_block) + ", pieces of " + std::to_string(piece));
      X3pReadOptions options;
      options.chunk_bytes = piece;
      const HeightMap map = read_x3p_bytes(bytes, "hand.x3p", options);
      ASSERT_EQ(map.size(), values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        ASSERT_EQ(map.heights()[i], static_cast<float>(values[i] * 1e6)) << i;
      }
      EXPECT_TRUE(map.metadata.checksum_ok.value_or(false));
    }
  }
}

TEST_F(HandDeflate, AStreamCutShortSaysHowFarItGot) {
  const std::string& data = *file.data;
  const std::string bytes = x3p(stored_block(data.substr(0, 6000), true));
  for (const std::size_t piece : pieces()) {
    X3pReadOptions options;
    options.chunk_bytes = piece;
    const std::string message = refusal(bytes, options);
    EXPECT_NE(message.find("bad.x3p: bindata/data.bin ends after 6000 of the 16000 bytes its zip header claims"),
              std::string::npos)
        << message;
  }
  // Cut inside a block: the compressed bytes end before the block does.
  const std::string cut = stored_block(data.substr(0, 9000), true).substr(0, 4000);
  EXPECT_NE(refusal(x3p(cut)).find("bindata/data.bin ends after"), std::string::npos) << refusal(x3p(cut));
}

TEST_F(HandDeflate, AStreamLongerThanItsHeaderClaimsIsRefused) {
  const std::string& data = *file.data;
  const std::string bytes = x3p(stored_block(data, false) + stored_block(std::string(100, 'x'), true));
  for (const std::size_t piece : pieces()) {
    X3pReadOptions options;
    options.chunk_bytes = piece;
    const std::string message = refusal(bytes, options);
    EXPECT_NE(message.find("bindata/data.bin is longer than its zip header claims"), std::string::npos) << message;
  }
}

TEST_F(HandDeflate, AReservedBlockTypeIsInvalidDeflateData) {
  const std::string& data = *file.data;
  // Block type 3 is reserved: 0b111 = final, type 3.
  for (const std::string& stream : {std::string(1, '\x07') + data, stored_block(data.substr(0, 3000), false) + '\x07'}) {
    const std::string message = refusal(x3p(stream));
    EXPECT_NE(message.find("bad.x3p: bindata/data.bin is corrupt (invalid deflate data"), std::string::npos) << message;
  }
}

TEST_F(HandDeflate, ACrcMismatchIsRefusedAsCorrupt) {
  const std::string& data = *file.data;
  std::string changed = data;
  changed[8000] = static_cast<char>(changed[8000] ^ 1);  // one bit of one height
  for (const std::size_t piece : pieces()) {
    X3pReadOptions options;
    options.chunk_bytes = piece;
    const std::string message = refusal(x3p(stored_block(changed, true)), options);
    EXPECT_NE(message.find("bad.x3p: bindata/data.bin is corrupt (CRC error)"), std::string::npos) << message;
  }
  // The same check holds for an entry stored without compression (libzip compares its CRC).
  const std::string xml = file.main_xml();
  HandEntry stored = plain_entry("bindata/data.bin", changed);
  stored.crc = crc32_of(data);
  const std::string bytes = hand_zip({plain_entry("main.xml", xml), stored,
                                      plain_entry("md5checksum.hex", test::md5_of(xml) + " *main.xml\n")});
  const std::string message = refusal(bytes);
  EXPECT_NE(message.find("bindata/data.bin"), std::string::npos) << message;
  EXPECT_NE(message.find("CRC"), std::string::npos) << message;
}

}  // namespace
}  // namespace scarscope
