#include "core/format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

namespace scarscope {
namespace {

std::string not_finite(double value) {
  if (std::isnan(value)) return std::signbit(value) ? "-nan" : "nan";
  return value < 0 ? "-inf" : "inf";
}

}  // namespace

std::string fixed_decimal(double value, int decimals, std::string_view if_not_finite) {
  if (!std::isfinite(value)) return if_not_finite.empty() ? not_finite(value) : std::string(if_not_finite);
  // 309 digits before the point at most (DBL_MAX), plus the requested ones after it.
  std::array<char, 400> buffer{};
  const int precision = decimals < 0 ? 0 : (decimals > 60 ? 60 : decimals);
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, precision);
  return std::string(buffer.data(), result.ptr);
}

std::string general_decimal(double value, int significant) {
  if (!std::isfinite(value)) return not_finite(value);
  std::array<char, 64> buffer{};
  const int precision = significant < 1 ? 1 : (significant > 17 ? 17 : significant);
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::general, precision);
  return std::string(buffer.data(), result.ptr);
}

std::optional<double> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // from_chars takes no leading '+'; accept one as strtod did.
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace scarscope
