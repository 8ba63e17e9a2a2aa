// The JSON schemas of the API, written once and used twice: to check every request body (wrong
// types, missing and unknown fields, values out of range, each refused naming the field) and to
// document requests and responses in the OpenAPI 3.1 document. A subset of JSON Schema 2020-12:
// type (with "null"), properties, required, additionalProperties, items, enum, minimum, maximum,
// minLength, maxLength, minItems, maxItems, format "date" / "date-time", $ref to components.
#pragma once
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scarscope::server::schema {

using Json = nlohmann::json;

// A closed object: only `properties` are allowed, `required` must be present.
Json object(std::initializer_list<std::pair<const std::string, Json>> properties,
            std::vector<std::string> required = {});
Json object(std::map<std::string, Json> properties, std::vector<std::string> required = {});
// An object whose content the schema does not describe (a library document with its own schema).
Json document(std::string_view description);
// An object of arbitrary keys whose values all follow `values`.
Json map_of(Json values, std::size_t max_properties = 100);

Json string(std::size_t max_length = 1000, std::size_t min_length = 0);
Json date();       // "2026-12-04"
Json date_time();  // "2026-12-04T09:30:00.000000Z"
Json record_id();  // an opaque id
Json integer(std::int64_t minimum, std::int64_t maximum);
Json number(double minimum, double maximum);
Json boolean();
Json array(Json items, std::size_t max_items = 1000);
Json enumeration(const std::vector<std::string_view>& names);
Json nullable(Json schema);
Json ref(std::string_view component);  // {"$ref": "#/components/schemas/NAME"}
Json describe(Json schema, std::string_view description);

// The named schemas of the API (OpenAPI components) and the validator that resolves $ref in them.
class Components {
 public:
  void add(const std::string& name, Json schema);
  const std::map<std::string, Json>& all() const { return schemas_; }
  const Json& resolve(const Json& schema) const;  // follows $ref (once or more)

  // Throws InputError naming the path of the first thing wrong: wrong_type, missing_field,
  // unknown_field, out_of_range (numbers, lengths, enums, dates). `path` prefixes field names.
  void validate(const Json& value, const Json& schema, const std::string& path = {}) const;

 private:
  std::map<std::string, Json> schemas_;
};

// Parses a request body as JSON: bad_format for text that is not JSON or nests deeper than
// `max_depth` (a guard for the parser's stack), naming the byte where it went wrong.
Json parse_body(std::string_view text, int max_depth = 32);

}  // namespace scarscope::server::schema
