// Reading a JSON document into a record, the one way every reader of the library does it (clinician
// inputs, patient profiles, scar inventories, knowledge bases, stored results): a JsonField is a
// value with the path that leads to it, and every problem is an InputError whose message reads
// "SOURCE: PATH: problem" ("exam.json: scars.7.type: expected text, found number") and whose
// field() is PATH with a stable ErrorCode, so a server answers {"error": "wrong_type", "field":
// "scars.7.type"} without parsing the message. Object members extend the path with ".key", list
// elements with "[i]".
//
// This header includes nlohmann/json.hpp: include it from .cpp files only.
#pragma once
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace scarscope {

class JsonField {
 public:
  // `source` names the document in messages (a file name, "request body"); may be empty.
  JsonField(const nlohmann::json& value, std::string source, std::string path = {});

  const nlohmann::json& value() const { return *value_; }
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }
  // "SOURCE: PATH", or whichever of the two there is.
  std::string where() const;

  // Absent members read as null.
  bool is_null() const { return value_->is_null(); }
  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool is_number() const { return value_->is_number(); }
  bool is_string() const { return value_->is_string(); }
  bool is_boolean() const { return value_->is_boolean(); }

  // ---- objects (each throws wrong_type unless this is an object)
  // The member, or a null field with its path when it is absent.
  JsonField member(std::string_view key) const;
  // The member; missing_field ("missing") when absent or null. `problem` replaces that word.
  JsonField required(std::string_view key, std::string_view problem = {}) const;
  // Present and not null.
  bool has(std::string_view key) const;
  std::optional<JsonField> optional(std::string_view key) const;
  // unknown_field for a member not in `known`; the message lists them, or says `hint` instead.
  void reject_unknown(std::initializer_list<std::string_view> known, std::string_view hint = {}) const;
  void reject_unknown(const std::vector<std::string>& known, std::string_view hint = {}) const;
  std::vector<std::pair<std::string, JsonField>> members() const;

  // ---- lists (wrong_type unless this is a list)
  std::vector<JsonField> elements() const;

  // ---- values. Each throws wrong_type naming what was found; `problem` replaces the default wording.
  const JsonField& expect_object(std::string_view problem = {}) const;
  const JsonField& expect_array(std::string_view problem = {}) const;
  double number(std::string_view problem = {}) const;  // finite
  double number_between(double low, double high) const;  // out_of_range outside [low, high]
  // A whole number (2.0 counts) within [low, high].
  long long integer_between(long long low, long long high, std::string_view problem = {}) const;
  int count(std::string_view problem = {}) const;  // a whole number, 0 .. 1e6
  bool boolean(std::string_view problem = {}) const;
  std::string text(std::string_view problem = {}) const;
  std::vector<std::string> texts(std::string_view problem = {}) const;
  float number_float(std::string_view problem = {}) const;

  // The text read by `parse` (a function of a string that throws InputError for a name it does not
  // know, such as parse_scar_type), its error given as this field's: "SOURCE: PATH: 'x' is not ...".
  template <typename Parse>
  auto parsed_text(Parse&& parse) const -> decltype(parse(std::string())) {
    const std::string name = text();
    try {
      return parse(name);
    } catch (const InputError& error) {
      fail(error.code(), error.what());
    }
  }

  // The JSON type's name ("number", "string", "array", "object", "boolean", "null").
  std::string type_name() const;

  // Throws InputError(where() + ": " + problem, code, path()).
  [[noreturn]] void fail(ErrorCode code, std::string_view problem) const;

 private:
  const nlohmann::json* value_;
  std::string source_;
  std::string path_;
};

// Reads and parses a JSON file: not_found when it cannot be opened, bad_format (with the byte
// where parsing stopped as the field) when it is not JSON.
nlohmann::json read_json_file(const std::filesystem::path& path);
// Parses JSON text (a request body, a stored document); bad_format naming `source` otherwise.
nlohmann::json parse_json_text(std::string_view text, const std::string& source);

// The canonical text of a document: keys sorted, no spaces, numbers as nlohmann writes them. The
// same content always gives the same bytes (content hashes rest on it).
std::string canonical_json(const nlohmann::json& document);

}  // namespace scarscope
