#include "clinic/documents.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace scarscope::clinic {

StoredDocument stored_document(std::string json_text, const std::string& what) {
  const nlohmann::json document = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    throw InputError(what + ": is not a JSON object", ErrorCode::bad_format, what);
  }
  const auto stamp = document.find("scarscope");
  if (stamp == document.end() || !stamp->is_object()) {
    throw InputError(what + ": has no \"scarscope\": {\"version\", \"schema\"} stamp saying what made it",
                     ErrorCode::missing_field, "scarscope");
  }
  StoredDocument stored;
  const auto version = stamp->find("version");
  if (version == stamp->end() || !version->is_string() || version->get<std::string>().empty()) {
    throw InputError(what + ": scarscope.version must be a non-empty string", ErrorCode::missing_field,
                     "scarscope.version");
  }
  stored.version = version->get<std::string>();
  const auto schema = stamp->find("schema");
  if (schema != stamp->end() && schema->is_number_integer()) {
    stored.schema = std::to_string(schema->get<std::int64_t>());
  } else if (schema != stamp->end() && schema->is_string() && !schema->get<std::string>().empty()) {
    stored.schema = schema->get<std::string>();
  } else {
    throw InputError(what + ": scarscope.schema must be a whole number or a non-empty string", ErrorCode::missing_field,
                     "scarscope.schema");
  }
  stored.json = std::move(json_text);
  return stored;
}

bool is_json_object(const std::string& json_text) {
  const nlohmann::json document = nlohmann::json::parse(json_text, nullptr, false);
  return !document.is_discarded() && document.is_object();
}

}  // namespace scarscope::clinic
