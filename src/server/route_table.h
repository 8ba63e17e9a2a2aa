// The API's one route table: path, method, roles, query parameters, request and response schemas,
// summary and handler of every route. Routing, the role check, request validation and the OpenAPI
// document are all derived from it (http_server.cpp, openapi.cpp), so what is served and what is
// documented cannot drift apart.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/records.h"
#include "server/json_schema.h"

namespace scarscope::server {

class Call;
struct Reply;
using Handler = std::function<Reply(Call&)>;

// Every route lives under this prefix.
inline constexpr std::string_view api_prefix = "/api/v1";

enum class Body {
  none,  // no body (an empty one, or "{}", is accepted)
  json,  // a JSON object checked against request_schema
  file,  // a file, raw or as the "file" part of multipart/form-data, streamed to the handler
};

struct QueryParameter {
  std::string name;
  schema::Json schema;  // string, integer, boolean or date
  std::string description;
  bool required = false;
};

struct ResponseSpec {
  int status = 200;
  std::string media_type = "application/json";
  schema::Json schema;  // for JSON; for other media a description of the bytes
  std::string description;
};

struct Route {
  std::string method;  // GET, POST, PATCH, DELETE
  std::string path;    // under api_prefix, with {name} for path parameters: "/patients/{id}"
  // Who may call it; empty: anyone, without logging in (login, the OpenAPI document).
  std::vector<clinic::Role> roles;
  std::string summary;
  std::string tag;  // the resource family, for the documentation
  std::vector<QueryParameter> query;
  Body body = Body::none;
  schema::Json request_schema;  // Body::json
  std::vector<std::string> file_media_types;  // Body::file: what the raw body may be sent as
  ResponseSpec response;
  Handler handler;
  // The error codes this route can answer besides the common ones (for the documentation).
  std::vector<std::string> errors;

  bool is_public() const { return roles.empty(); }
  bool allows(clinic::Role role) const;
  bool changes_data() const { return method != "GET" && method != "HEAD"; }
};

struct RouteMatch {
  const Route* route = nullptr;                               // the route, when path and method match
  std::vector<std::pair<std::string, std::string>> parameters;  // path parameters by name
  std::vector<std::string> allowed_methods;                   // when only the path matched (405)
};

class RouteTable {
 public:
  // Throws std::logic_error for a route that clashes with one already added.
  void add(Route route);
  const std::vector<Route>& routes() const { return routes_; }
  schema::Components& components() { return components_; }
  const schema::Components& components() const { return components_; }

  // `path` is the decoded request path after api_prefix ("/patients/abc"). No route: both fields
  // of the result are empty.
  RouteMatch match(std::string_view method, std::string_view path) const;

 private:
  struct Pattern {
    std::vector<std::string> segments;  // "{id}" for parameters
  };
  std::vector<Route> routes_;
  std::vector<Pattern> patterns_;
  schema::Components components_;
};

// Splits "/a/b/c" into {"a", "b", "c"}; an empty segment ("//", a trailing "/") makes it invalid.
std::optional<std::vector<std::string_view>> split_path(std::string_view path);

}  // namespace scarscope::server
