// CSV rows for spreadsheets and statistics packages (RFC 4180): one builder, so every CSV the
// library writes quotes text and formats numbers the same way, whatever the process locale.
#pragma once
#include <string>
#include <string_view>

namespace scarscope {

class CsvRow {
 public:
  // A text cell, always quoted ("a ""b"", c" for a "b", c).
  CsvRow& text(std::string_view value);
  // A cell written as it is: a name, a token such as "ok", or an already formatted value.
  CsvRow& plain(std::string_view value);
  // A number with `decimals` digits after the point (core/format.h fixed_decimal).
  CsvRow& number(double value, int decimals);
  CsvRow& integer(long long value);
  CsvRow& boolean(bool value);  // true / false
  CsvRow& empty();              // an empty cell
  // The row with its newline.
  std::string line() const { return cells_ + "\n"; }

 private:
  void separate();
  std::string cells_;
  bool first_ = true;
};

// RFC 4180 quoting of one cell.
std::string csv_quoted(std::string_view text);

}  // namespace scarscope
