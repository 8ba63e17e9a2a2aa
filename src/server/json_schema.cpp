#include "server/json_schema.h"

#include <cmath>

#include "core/error.h"
#include "planning/calendar_date.h"

namespace scarscope::server::schema {

namespace {

std::string join(const std::string& path, const std::string& name) { return path.empty() ? name : path + "." + name; }

std::string shown(const std::string& path) { return path.empty() ? "the body" : "'" + path + "'"; }

const char* json_type_name(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer() || value.is_number_unsigned()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

bool has_type(const Json& value, const std::string& type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "string") return value.is_string();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer() || value.is_number_unsigned()) return true;
    if (!value.is_number_float()) return false;
    const double number = value.get<double>();
    return std::isfinite(number) && std::floor(number) == number && std::abs(number) < 9.0e15;
  }
  return false;
}

bool valid_date_time(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS[.ffffff]Z
  if (text.size() < 20 || text.size() > 27 || text[10] != 'T' || text.back() != 'Z') return false;
  try {
    (void)CalendarDate::parse(text.substr(0, 10), "date");
  } catch (const std::exception&) {
    return false;
  }
  const auto digits = [&](std::size_t at) { return std::isdigit(static_cast<unsigned char>(text[at])) != 0; };
  if (!(digits(11) && digits(12) && text[13] == ':' && digits(14) && digits(15) && text[16] == ':' && digits(17) &&
        digits(18)))
    return false;
  if (text.size() > 20) {
    if (text[19] != '.') return false;
    for (std::size_t at = 20; at + 1 < text.size(); ++at)
      if (!digits(at)) return false;
  }
  return true;
}

}  // namespace

Json object(std::initializer_list<std::pair<const std::string, Json>> properties, std::vector<std::string> required) {
  return object(std::map<std::string, Json>(properties), std::move(required));
}

Json object(std::map<std::string, Json> properties, std::vector<std::string> required) {
  Json schema = {{"type", "object"}, {"properties", Json::object()}, {"additionalProperties", false}};
  for (auto& [name, property] : properties) schema["properties"][name] = std::move(property);
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

Json document(std::string_view description) { return {{"type", "object"}, {"description", description}}; }

Json map_of(Json values, std::size_t max_properties) {
  return {{"type", "object"}, {"additionalProperties", std::move(values)}, {"maxProperties", max_properties}};
}

Json string(std::size_t max_length, std::size_t min_length) {
  Json schema = {{"type", "string"}, {"maxLength", max_length}};
  if (min_length > 0) schema["minLength"] = min_length;
  return schema;
}

Json date() { return {{"type", "string"}, {"format", "date"}}; }
Json date_time() { return {{"type", "string"}, {"format", "date-time"}}; }
Json record_id() { return {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}; }
Json integer(std::int64_t minimum, std::int64_t maximum) {
  return {{"type", "integer"}, {"minimum", minimum}, {"maximum", maximum}};
}
Json number(double minimum, double maximum) { return {{"type", "number"}, {"minimum", minimum}, {"maximum", maximum}}; }
Json boolean() { return {{"type", "boolean"}}; }
Json array(Json items, std::size_t max_items) {
  return {{"type", "array"}, {"items", std::move(items)}, {"maxItems", max_items}};
}
Json enumeration(const std::vector<std::string_view>& names) {
  Json values = Json::array();
  for (std::string_view name : names) values.push_back(name);
  return {{"type", "string"}, {"enum", std::move(values)}};
}
Json nullable(Json schema) {
  if (schema.contains("$ref")) return {{"oneOf", Json::array({std::move(schema), Json{{"type", "null"}}})}};
  Json type = schema.value("type", Json("object"));
  if (type.is_string()) type = Json::array({type});
  type.push_back("null");
  schema["type"] = std::move(type);
  if (schema.contains("enum")) schema["enum"].push_back(nullptr);
  return schema;
}
Json ref(std::string_view component) { return {{"$ref", "#/components/schemas/" + std::string(component)}}; }
Json describe(Json schema, std::string_view description) {
  schema["description"] = description;
  return schema;
}

void Components::add(const std::string& name, Json schema) { schemas_[name] = std::move(schema); }

const Json& Components::resolve(const Json& schema) const {
  const Json* current = &schema;
  for (int hops = 0; hops < 8 && current->contains("$ref"); ++hops) {
    const std::string target = (*current)["$ref"].get<std::string>();
    const std::string prefix = "#/components/schemas/";
    auto found = schemas_.find(target.substr(target.rfind('/') + 1));
    if (target.rfind(prefix, 0) != 0 || found == schemas_.end())
      throw std::logic_error("schema reference to an unknown component: " + target);
    current = &found->second;
  }
  return *current;
}

void Components::validate(const Json& value, const Json& schema_in, const std::string& path) const {
  const Json& schema = resolve(schema_in);
  if (schema.contains("oneOf")) {
    // Only the nullable-reference form is used: null, or the referenced schema.
    if (value.is_null()) return;
    for (const Json& option : schema["oneOf"]) {
      if (option.value("type", Json()) == "null") continue;
      validate(value, option, path);
    }
    return;
  }
  if (schema.contains("type")) {
    const Json& type = schema["type"];
    bool matches = false;
    std::string expected;
    for (const Json& one : type.is_array() ? type : Json::array({type})) {
      matches = matches || has_type(value, one.get<std::string>());
      expected += (expected.empty() ? "" : " or ") + one.get<std::string>();
    }
    if (!matches)
      throw InputError(shown(path) + " must be " + expected + ", not " + json_type_name(value), ErrorCode::wrong_type,
                       path);
  }
  if (value.is_null()) return;
  if (schema.contains("enum")) {
    bool listed = false;
    std::string names;
    for (const Json& allowed : schema["enum"]) {
      listed = listed || allowed == value;
      if (allowed.is_string()) names += (names.empty() ? "" : ", ") + allowed.get<std::string>();
    }
    if (!listed) throw InputError(shown(path) + " must be one of: " + names, ErrorCode::out_of_range, path);
  }
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (schema.contains("maxLength") && text.size() > schema["maxLength"].get<std::size_t>())
      throw InputError(shown(path) + " is longer than " + std::to_string(schema["maxLength"].get<std::size_t>()) +
                           " bytes",
                       ErrorCode::out_of_range, path);
    if (schema.contains("minLength") && text.size() < schema["minLength"].get<std::size_t>())
      throw InputError(shown(path) + " must not be empty", ErrorCode::out_of_range, path);
    const std::string format = schema.value("format", "");
    if (format == "date") {
      try {
        (void)CalendarDate::parse(text, path);
      } catch (const std::exception&) {
        throw InputError(shown(path) + " must be a date YYYY-MM-DD, not '" + text.substr(0, 40) + "'",
                         ErrorCode::out_of_range, path);
      }
    } else if (format == "date-time" && !valid_date_time(text)) {
      throw InputError(shown(path) + " must be a UTC time YYYY-MM-DDTHH:MM:SS[.ffffff]Z", ErrorCode::out_of_range,
                       path);
    }
  } else if (value.is_number()) {
    const double number = value.get<double>();
    if (!std::isfinite(number)) throw InputError(shown(path) + " must be finite", ErrorCode::out_of_range, path);
    if (schema.contains("minimum") && number < schema["minimum"].get<double>())
      throw InputError(shown(path) + " must be at least " + schema["minimum"].dump(), ErrorCode::out_of_range, path);
    if (schema.contains("maximum") && number > schema["maximum"].get<double>())
      throw InputError(shown(path) + " must be at most " + schema["maximum"].dump(), ErrorCode::out_of_range, path);
  } else if (value.is_array()) {
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>())
      throw InputError(shown(path) + " has more than " + schema["maxItems"].dump() + " items", ErrorCode::too_large,
                       path);
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<std::size_t>())
      throw InputError(shown(path) + " needs at least " + schema["minItems"].dump() + " items",
                       ErrorCode::out_of_range, path);
    if (schema.contains("items")) {
      for (std::size_t index = 0; index < value.size(); ++index)
        validate(value[index], schema["items"], join(path, std::to_string(index)));
    }
  } else if (value.is_object()) {
    if (schema.contains("maxProperties") && value.size() > schema["maxProperties"].get<std::size_t>())
      throw InputError(shown(path) + " has more than " + schema["maxProperties"].dump() + " fields",
                       ErrorCode::too_large, path);
    if (schema.contains("required")) {
      for (const Json& name : schema["required"]) {
        if (!value.contains(name.get<std::string>()))
          throw InputError(shown(join(path, name.get<std::string>())) + " is required", ErrorCode::missing_field,
                           join(path, name.get<std::string>()));
      }
    }
    const Json* properties = schema.contains("properties") ? &schema["properties"] : nullptr;
    const Json additional = schema.value("additionalProperties", Json(true));
    for (const auto& [name, member] : value.items()) {
      if (properties != nullptr && properties->contains(name)) {
        validate(member, (*properties)[name], join(path, name));
      } else if (additional.is_boolean()) {
        if (!additional.get<bool>()) {
          std::string known;
          if (properties != nullptr)
            for (const auto& [known_name, unused] : properties->items()) known += (known.empty() ? "" : ", ") + known_name;
          throw InputError(shown(join(path, name)) + " is not a known field" +
                               (known.empty() ? std::string() : " (known: " + known + ")"),
                           ErrorCode::unknown_field, join(path, name));
        }
      } else {
        validate(member, additional, join(path, name));
      }
    }
  }
}

Json parse_body(std::string_view text, int max_depth) {
  // Depth first, outside strings: the parser recurses per level.
  int depth = 0;
  bool in_string = false;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (in_string) {
      if (c == '\\') ++at;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth)
        throw InputError("the JSON body nests deeper than " + std::to_string(max_depth) + " levels (byte " +
                             std::to_string(at) + ")",
                         ErrorCode::bad_format);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded()) {
    // Parse again to learn where it broke (the message names the byte).
    try {
      const Json again = Json::parse(text);
      (void)again;
    } catch (const Json::parse_error& e) {
      throw InputError("the body is not valid JSON: error at byte " + std::to_string(e.byte), ErrorCode::bad_format);
    }
    throw InputError("the body is not valid JSON", ErrorCode::bad_format);
  }
  return body;
}

}  // namespace scarscope::server::schema
