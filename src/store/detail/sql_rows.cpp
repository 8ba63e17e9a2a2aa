#include "store/detail/sql.h"

#include "store/store_error.h"

namespace scarscope::store::detail {

std::int64_t SqlRows::integer(std::size_t row, std::size_t column) const {
  const SqlCell& value = cell(row, column);
  if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
  throw StoreError("internal: column " + columns_.at(column) + " is not an integer");
}

double SqlRows::real(std::size_t row, std::size_t column) const {
  const SqlCell& value = cell(row, column);
  if (const auto* number = std::get_if<double>(&value)) return *number;
  if (const auto* number = std::get_if<std::int64_t>(&value)) return static_cast<double>(*number);
  throw StoreError("internal: column " + columns_.at(column) + " is not a number");
}

const std::string& SqlRows::text(std::size_t row, std::size_t column) const {
  const SqlCell& value = cell(row, column);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  throw StoreError("internal: column " + columns_.at(column) + " is not text");
}

std::string SqlRows::text_or_empty(std::size_t row, std::size_t column) const {
  return is_null(row, column) ? std::string() : text(row, column);
}

}  // namespace scarscope::store::detail
