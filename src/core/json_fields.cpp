#include "core/json_fields.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace scarscope {

using nlohmann::json;

namespace {

const json& null_json() {
  static const json null_value = nullptr;
  return null_value;
}

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string or_default(std::string_view problem, const std::string& fallback) {
  return problem.empty() ? fallback : std::string(problem);
}

}  // namespace

JsonField::JsonField(const json& value, std::string source, std::string path)
    : value_(&value), source_(std::move(source)), path_(std::move(path)) {}

std::string JsonField::where() const {
  if (source_.empty()) return path_;
  if (path_.empty()) return source_;
  return source_ + ": " + path_;
}

void JsonField::fail(ErrorCode code, std::string_view problem) const {
  const std::string place = where();
  throw InputError(place.empty() ? std::string(problem) : place + ": " + std::string(problem), code, path_);
}

std::string JsonField::type_name() const { return value_->type_name(); }

const JsonField& JsonField::expect_object(std::string_view problem) const {
  if (!value_->is_object()) fail(ErrorCode::wrong_type, or_default(problem, "expected an object, found " + type_name()));
  return *this;
}

const JsonField& JsonField::expect_array(std::string_view problem) const {
  if (!value_->is_array()) fail(ErrorCode::wrong_type, or_default(problem, "expected a list, found " + type_name()));
  return *this;
}

JsonField JsonField::member(std::string_view key) const {
  expect_object();
  const auto it = value_->find(key);
  return JsonField(it == value_->end() ? null_json() : *it, source_, child_path(path_, key));
}

JsonField JsonField::required(std::string_view key, std::string_view problem) const {
  JsonField field = member(key);
  if (field.is_null()) field.fail(ErrorCode::missing_field, or_default(problem, "missing"));
  return field;
}

bool JsonField::has(std::string_view key) const {
  if (!value_->is_object()) return false;
  const auto it = value_->find(key);
  return it != value_->end() && !it->is_null();
}

std::optional<JsonField> JsonField::optional(std::string_view key) const {
  JsonField field = member(key);
  if (field.is_null()) return std::nullopt;
  return field;
}

void JsonField::reject_unknown(const std::vector<std::string>& known, std::string_view hint) const {
  expect_object();
  for (const auto& item : value_->items()) {
    bool listed = false;
    for (const auto& name : known) listed = listed || name == item.key();
    if (listed) continue;
    std::string message = "unknown field";
    if (!hint.empty()) {
      message += " (" + std::string(hint) + ")";
    } else {
      std::string list;
      for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
      message += " (known: " + list + ")";
    }
    JsonField(item.value(), source_, child_path(path_, item.key())).fail(ErrorCode::unknown_field, message);
  }
}

void JsonField::reject_unknown(std::initializer_list<std::string_view> known, std::string_view hint) const {
  std::vector<std::string> names;
  for (const auto name : known) names.emplace_back(name);
  reject_unknown(names, hint);
}

std::vector<std::pair<std::string, JsonField>> JsonField::members() const {
  expect_object();
  std::vector<std::pair<std::string, JsonField>> out;
  for (const auto& item : value_->items()) {
    out.emplace_back(item.key(), JsonField(item.value(), source_, child_path(path_, item.key())));
  }
  return out;
}

std::vector<JsonField> JsonField::elements() const {
  expect_array();
  std::vector<JsonField> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    out.emplace_back((*value_)[i], source_, path_ + "[" + std::to_string(i) + "]");
  }
  return out;
}

double JsonField::number(std::string_view problem) const {
  if (!value_->is_number()) fail(ErrorCode::wrong_type, or_default(problem, "expected a number, found " + type_name()));
  const double value = value_->get<double>();
  if (!std::isfinite(value)) fail(ErrorCode::out_of_range, or_default(problem, "not a finite number"));
  return value;
}

float JsonField::number_float(std::string_view problem) const {
  const double value = number(problem);
  if (std::fabs(value) > 3.4e38) fail(ErrorCode::out_of_range, "beyond the range of a 32-bit float");
  return value_->get<float>();
}

double JsonField::number_between(double low, double high) const {
  const double value = number();
  if (value < low || value > high) {
    std::ostringstream message;
    message.imbue(std::locale::classic());
    message << value_->dump() << " is out of range " << low << "-" << high;
    fail(ErrorCode::out_of_range, message.str());
  }
  return value;
}

long long JsonField::integer_between(long long low, long long high, std::string_view problem) const {
  const bool whole = value_->is_number_integer() ||
                     (value_->is_number_float() && std::isfinite(value_->get<double>()) &&
                      std::floor(value_->get<double>()) == value_->get<double>());
  if (!whole) {
    fail(ErrorCode::wrong_type,
         or_default(problem, "expected a whole number, found " + (value_->is_number() ? value_->dump() : type_name())));
  }
  const double value = value_->get<double>();
  if (value < static_cast<double>(low) || value > static_cast<double>(high)) {
    fail(ErrorCode::out_of_range,
         or_default(problem, value_->dump() + " is out of range " + std::to_string(low) + "-" + std::to_string(high)));
  }
  return static_cast<long long>(value);
}

int JsonField::count(std::string_view problem) const {
  const bool whole = value_->is_number_integer() ||
                     (value_->is_number_float() && std::isfinite(value_->get<double>()) &&
                      std::floor(value_->get<double>()) == value_->get<double>());
  if (!whole) {
    fail(ErrorCode::wrong_type,
         or_default(problem, "expected a count (a whole number, 0 or more), found " +
                                 (value_->is_number() ? value_->dump() : type_name())));
  }
  const double value = value_->get<double>();
  if (value < 0) fail(ErrorCode::out_of_range, value_->dump() + " is negative; a count is 0 or more");
  if (value > 1e6) fail(ErrorCode::out_of_range, value_->dump() + " is not a plausible count");
  return static_cast<int>(value);
}

bool JsonField::boolean(std::string_view problem) const {
  if (!value_->is_boolean()) fail(ErrorCode::wrong_type, or_default(problem, "expected true or false, found " + type_name()));
  return value_->get<bool>();
}

std::string JsonField::text(std::string_view problem) const {
  if (!value_->is_string()) fail(ErrorCode::wrong_type, or_default(problem, "expected a string, found " + type_name()));
  return value_->get<std::string>();
}

std::vector<std::string> JsonField::texts(std::string_view problem) const {
  if (!value_->is_array()) fail(ErrorCode::wrong_type, or_default(problem, "expected a list of strings, found " + type_name()));
  std::vector<std::string> out;
  for (const JsonField& element : elements()) out.push_back(element.text(problem));
  return out;
}

json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    throw InputError(path.string() + (exists ? ": cannot open the file" : ": no such file"), ErrorCode::not_found);
  }
  try {
    return json::parse(in);
  } catch (const json::parse_error& error) {
    throw InputError(path.string() + ": not valid JSON (" + error.what() + ")", ErrorCode::bad_format,
                     "byte " + std::to_string(error.byte));
  }
}

json parse_json_text(std::string_view text, const std::string& source) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& error) {
    throw InputError(source + ": not valid JSON (" + error.what() + ")", ErrorCode::bad_format,
                     "byte " + std::to_string(error.byte));
  }
}

std::string canonical_json(const json& document) {
  // nlohmann keeps object members sorted by key; numbers are written in their shortest exact form
  // and strings as UTF-8, so equal content gives equal text.
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace scarscope
