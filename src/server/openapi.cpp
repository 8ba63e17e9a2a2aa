#include "server/openapi.h"

#include <set>

#include "clinic/vocabulary.h"
#include "server/api_error.h"

namespace scarscope::server {

namespace {

using nlohmann::json;

std::string reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad request (malformed, wrong type, missing or unknown field)";
    case 401: return "Not logged in";
    case 403: return "The role may not use this route, or a CSRF check failed";
    case 404: return "Not found (also any id of another clinic)";
    case 405: return "Method not allowed";
    case 409: return "Conflict with what is stored";
    case 413: return "Too large";
    case 415: return "Unsupported media type";
    case 422: return "Not processable (a value out of range, an incomplete profile)";
    case 429: return "Too many failed logins";
    case 500: return "Internal error";
    case 503: return "Database unavailable";
  }
  return "Status " + std::to_string(status);
}

json error_schema() {
  json codes = json::array();
  for (const ApiErrorCode& code : api_error_codes()) codes.push_back(code.code);
  return {{"type", "object"},
          {"required", {"error", "detail"}},
          {"additionalProperties", false},
          {"properties",
           {{"error", {{"type", "string"}, {"enum", codes}, {"description", "stable code; one status per code"}}},
            {"detail", {{"type", "string"}, {"description", "what is wrong, for people"}}},
            {"field", {{"type", "string"}, {"description", "the JSON path or parameter concerned"}}}}}};
}

}  // namespace

json openapi_document(const RouteTable& routes, const std::string& version) {
  json paths = json::object();
  for (const Route& route : routes.routes()) {
    json operation = {{"summary", route.summary},
                      {"tags", {route.tag}},
                      {"operationId", route.method + " " + route.path}};
    json roles = json::array();
    for (clinic::Role role : route.roles) roles.push_back(clinic::name(role));
    operation["x-roles"] = roles;
    if (route.is_public()) {
      operation["security"] = json::array();
    } else {
      operation["security"] = json::array({{{"bearerAuth", json::array()}}, {{"cookieAuth", json::array()}}});
    }
    json parameters = json::array();
    auto segments = split_path(route.path);
    for (std::string_view segment : *segments) {
      if (segment.size() > 2 && segment.front() == '{')
        parameters.push_back({{"name", std::string(segment.substr(1, segment.size() - 2))},
                              {"in", "path"},
                              {"required", true},
                              {"schema", schema::record_id()}});
    }
    for (const QueryParameter& parameter : route.query) {
      parameters.push_back({{"name", parameter.name},
                            {"in", "query"},
                            {"required", parameter.required},
                            {"description", parameter.description},
                            {"schema", parameter.schema}});
    }
    if (route.changes_data() && !route.is_public()) {
      parameters.push_back(
          {{"name", "X-CSRF-Token"},
           {"in", "header"},
           {"required", false},
           {"description", "required when the session comes as a cookie: the csrf_token of the login"},
           {"schema", {{"type", "string"}}}});
    }
    if (!parameters.empty()) operation["parameters"] = parameters;
    if (route.body == Body::json) {
      operation["requestBody"] = {{"required", true},
                                  {"content", {{"application/json", {{"schema", route.request_schema}}}}}};
    } else if (route.body == Body::file) {
      json content = json::object();
      for (const std::string& media : route.file_media_types)
        content[media] = {{"schema", {{"type", "string"}, {"contentMediaType", media}}}};
      content["multipart/form-data"] = {
          {"schema",
           {{"type", "object"},
            {"required", {"file"}},
            {"properties", {{"file", {{"type", "string"}, {"contentMediaType", "application/octet-stream"}}}}}}}};
      operation["requestBody"] = {{"required", true}, {"content", content}};
    }
    json responses = json::object();
    json success = {{"description", route.response.description.empty() ? reason(route.response.status)
                                                                        : route.response.description}};
    if (route.response.status != 204) {
      if (route.response.media_type == "application/json") {
        success["content"] = {{"application/json", {{"schema", route.response.schema}}}};
      } else {
        success["content"] = {{route.response.media_type,
                               {{"schema", {{"type", "string"}, {"contentMediaType", route.response.media_type}}}}}};
      }
    }
    responses[std::to_string(route.response.status)] = success;
    std::set<int> error_statuses = {400, 404, 405, 500, 503};
    if (!route.is_public()) error_statuses.insert({401, 403});
    for (const std::string& code : route.errors) error_statuses.insert(status_for_error_code(code));
    if (route.body != Body::none) error_statuses.insert({413, 415});
    for (int status : error_statuses) {
      responses[std::to_string(status)] = {
          {"description", reason(status)},
          {"content", {{"application/json", {{"schema", schema::ref("Error")}}}}}};
    }
    operation["responses"] = responses;
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[std::string(api_prefix) + route.path][method] = operation;
  }

  json schemas = json::object();
  for (const auto& [name, schema] : routes.components().all()) schemas[name] = schema;
  schemas["Error"] = error_schema();

  json codes = json::array();
  for (const ApiErrorCode& code : api_error_codes())
    codes.push_back({{"code", code.code}, {"status", code.status}, {"meaning", code.meaning}});

  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "ScarScope clinic API"},
            {"version", version},
            {"description",
             "The clinic record and the analysis library over HTTP. Log in with POST /api/v1/login, then send "
             "'Authorization: Bearer TOKEN' or the session cookie (with X-CSRF-Token on changes). Another "
             "clinic's ids answer 404 on every route; a role's forbidden route answers 403. x-roles lists the "
             "roles allowed on each operation."},
            {"x-error-codes", codes}}},
          {"jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema"},
          {"servers", json::array({{{"url", "/"}}})},
          {"paths", paths},
          {"components",
           {{"schemas", schemas},
            {"securitySchemes",
             {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}},
              {"cookieAuth", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "scarscope_session"}}}}}}}};
}

}  // namespace scarscope::server
