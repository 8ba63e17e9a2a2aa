// One API call as a handler sees it: the matched route, its path parameters, the checked query and
// body, who is calling, and (for file uploads) the body as a stream. And the reply it returns.
// Nothing of the HTTP library shows here, so handlers stay plain functions of the record.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/clock.h"
#include "clinic/records.h"
#include "server/api_error.h"
#include "server/json_schema.h"
#include "server/route_table.h"

namespace scarscope::server {

// The logged-in user of a call.
struct Principal {
  std::string user_id;
  std::string clinic_id;
  std::string email;
  std::string display_name;
  clinic::Role role = clinic::Role::assistant;
  std::string token_hash;  // of the session the call came with
  bool by_cookie = false;  // the session came as a cookie (not a bearer token)
  clinic::Timestamp expires_at;
};

// Receives an uploaded file a piece at a time; returning false stops the upload.
using FileSink = std::function<bool(std::string_view piece)>;

struct UploadedFile {
  std::string file_name;     // from the multipart part, or the query's file_name; may be empty
  std::string content_type;  // as the client said
};

class Call {
 public:
  const Route* route = nullptr;
  std::string request_id;
  std::string method;
  std::string client_address;
  clinic::Timestamp now;  // when the call arrived, from the server's clock
  bool secure = false;    // over TLS (directly, or behind a TLS proxy the server was told about)
  std::vector<std::pair<std::string, std::string>> path_parameters;
  schema::Json query = schema::Json::object();  // the route's query parameters, typed
  schema::Json body;                            // Body::json: the checked object
  std::optional<Principal> principal;           // set on every route that is not public
  // A request header by name (case-insensitive); empty when absent.
  std::function<std::string(std::string_view)> header;
  // Body::file: streams the file into `sink`; returns what the client said about it. Throws
  // ApiError (too_large, bad_format) when the upload is cut short or over the limit.
  std::function<UploadedFile(const FileSink& sink)> read_file;
  // The user id to record as author ("" for public routes).
  const std::string& user_id() const;
  const Principal& user() const;

  const std::string& parameter(std::string_view name) const;
  // The query value, or `fallback` when it was not given.
  template <class T>
  T query_value(const std::string& name, T fallback) const {
    auto found = query.find(name);
    return found == query.end() ? fallback : found->template get<T>();
  }
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Reply json(const schema::Json& value, int status = 200);
  static Reply bytes(std::string body, std::string content_type);
};

}  // namespace scarscope::server
