// Small pieces every height-map reader and writer shares: unit names, reading a whole file with
// a clear error, number parsing that names the line, and the "never guess units" checks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace scarscope::formats {

// Micrometres per unit for "m", "mm" or "um" (also "µm"); throws InputError naming `where`.
double micrometres_per_unit(const std::string& unit, const std::string& where);

// The whole file as bytes; InputError if it cannot be read.
std::string read_file_bytes(const std::filesystem::path& path);
// Writes bytes (replacing the file); InputError naming the path if it cannot be written.
void write_file_bytes(const std::filesystem::path& path, std::string_view bytes);

// Parses one decimal number (leading '+' allowed, "nan"/"inf" accepted); nullopt if the text is
// not exactly one number.
std::optional<double> parse_number(std::string_view text);

// Splits text into lines (LF or CRLF), skipping a UTF-8 byte-order mark; calls back with
// (1-based line number, line without the line end).
template <typename Callback>
void for_each_line(std::string_view text, Callback&& callback) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    callback(line_number, line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

std::string_view trim(std::string_view text);

// A number formatted for messages ("0.5", "1e+09").
std::string format_number(double value);

// Shortest text that reads back as exactly the same float ("12.5", "NaN" for missing).
std::string float_to_text(float value);

}  // namespace scarscope::formats
