#include "surface/formats/format_common.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>

#include "core/error.h"

namespace scarscope::formats {

double micrometres_per_unit(const std::string& unit, const std::string& where) {
  if (unit == "m") return 1e6;
  if (unit == "mm") return 1e3;
  if (unit == "um" || unit == "µm" || unit == "micrometre" || unit == "micron") return 1.0;
  throw InputError(where + ": unit '" + unit + "' is not one of m, mm, um");
}

std::string read_file_bytes(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path.string() + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open for reading");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path.string() + ": read error");
  return bytes;
}

void write_file_bytes(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path.string() + ": cannot open for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw InputError(path.string() + ": write failed (disk full?)");
}

std::optional<double> parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec == std::errc::result_out_of_range) {
    // A number too large for a double is still a number: keep it as infinity (missing) or 0.
    bool negative_exponent = text.find("e-") != std::string_view::npos || text.find("E-") != std::string_view::npos;
    if (result.ptr != text.data() + text.size()) return std::nullopt;
    if (negative_exponent) return 0.0;
    return text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
  }
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string format_number(double value) {
  // As printf's %.6g in the "C" locale, whatever the process locale.
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::general, 6);
  return std::string(buffer.data(), result.ptr);
}

std::string float_to_text(float value) {
  if (!std::isfinite(value)) return "NaN";
  std::array<char, 48> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

}  // namespace scarscope::formats
