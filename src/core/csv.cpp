#include "core/csv.h"

#include "core/format.h"

namespace scarscope {

std::string csv_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void CsvRow::separate() {
  if (!first_) cells_ += ',';
  first_ = false;
}

CsvRow& CsvRow::text(std::string_view value) {
  separate();
  cells_ += csv_quoted(value);
  return *this;
}

CsvRow& CsvRow::plain(std::string_view value) {
  separate();
  cells_ += value;
  return *this;
}

CsvRow& CsvRow::number(double value, int decimals) { return plain(fixed_decimal(value, decimals)); }

CsvRow& CsvRow::integer(long long value) { return plain(std::to_string(value)); }

CsvRow& CsvRow::boolean(bool value) { return plain(value ? "true" : "false"); }

CsvRow& CsvRow::empty() { return plain(""); }

}  // namespace scarscope
