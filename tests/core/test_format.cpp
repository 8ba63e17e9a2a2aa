// Numbers as text: the library's formatter gives printf's digits (in the C locale) without ever
// depending on the process locale; the CSV writer quotes as RFC 4180 says.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/csv.h"
#include "core/format.h"
#include "core/random.h"
#include "core/sha256.h"

namespace scarscope {
namespace {

std::string printf_fixed(double value, int decimals) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string printf_general(double value, int significant) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", significant, value);
  return buffer;
}

TEST(Format, FixedDecimalWritesWhatPrintfWrites) {
  // Values a report shows (depths, volumes, percentages), halfway cases and signs.
  for (const double value : {0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 12.345, -0.004, 1e-7, 123456789.987654321,
                             0.1 + 0.2, 1e300, -1e-300}) {
    for (int decimals = 0; decimals <= 7; ++decimals) {
      EXPECT_EQ(fixed_decimal(value, decimals), printf_fixed(value, decimals)) << value << " with " << decimals;
    }
  }
  Random random(14);
  for (int i = 0; i < 20000; ++i) {
    const double value = (random.uniform() - 0.5) * std::pow(10.0, random.uniform_int(-8, 12));
    const int decimals = static_cast<int>(random.uniform_int(0, 6));
    ASSERT_EQ(fixed_decimal(value, decimals), printf_fixed(value, decimals)) << value;
  }
}

TEST(Format, GeneralDecimalWritesWhatPercentGWrites) {
  Random random(7);
  for (int i = 0; i < 20000; ++i) {
    const double value = (random.uniform() - 0.5) * std::pow(10.0, random.uniform_int(-12, 12));
    const int significant = static_cast<int>(random.uniform_int(1, 12));
    ASSERT_EQ(general_decimal(value, significant), printf_general(value, significant)) << value;
  }
  EXPECT_EQ(general_decimal(0.645), "0.645");
  EXPECT_EQ(general_decimal(1e6), "1e+06");
}

TEST(Format, NotANumberSaysSoOrWhatTheCallerWants) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(fixed_decimal(nan, 2), "nan");
  EXPECT_EQ(fixed_decimal(std::numeric_limits<double>::infinity(), 1), "inf");
  EXPECT_EQ(fixed_decimal(-std::numeric_limits<double>::infinity(), 1), "-inf");
  EXPECT_EQ(fixed_decimal(nan, 3, "-"), "-");
  EXPECT_EQ(fixed_decimal(2.0, 3, "-"), "2.000");
}

TEST(Format, ParsesDecimalsWithAPointOnly) {
  EXPECT_EQ(parse_decimal("0.6"), 0.6);
  EXPECT_EQ(parse_decimal("+2"), 2.0);
  EXPECT_EQ(parse_decimal("-1e3"), -1000.0);
  EXPECT_FALSE(parse_decimal("0,6"));
  EXPECT_FALSE(parse_decimal("0.6x"));
  EXPECT_FALSE(parse_decimal(""));
}

TEST(Csv, QuotesTextAndFormatsNumbersOneWay) {
  const std::string line =
      CsvRow().text("cheek, left.x3p").plain("ok").integer(12).number(0.123456, 3).boolean(false).empty().text("a \"b\"").line();
  EXPECT_EQ(line, "\"cheek, left.x3p\",ok,12,0.123,false,,\"a \"\"b\"\"\"\n");
}

TEST(Sha256, MatchesThePublishedTestVectors) {
  // FIPS 180-2, appendix B.1 and the empty message.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace scarscope
