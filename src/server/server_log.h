// The server's structured log (spdlog): one JSON object per line on standard error, each request
// with its id, method, route template (never the concrete path or query, which can hold a
// patient's name), status, duration and the opaque user id. Never patient data, tokens, passwords
// or request bodies.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace scarscope::server {

enum class LogLevel { debug, info, warn, error, off };
LogLevel parse_log_level(std::string_view text);  // InputError for anything else ("--log-level")

// Sets up the log (idempotent: the last call wins). `file` empty: standard error.
void configure_log(LogLevel level, const std::string& file = {});

struct RequestRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view route;  // the route template, "/patients/{id}", or "-" when none matched
  int status = 0;
  double milliseconds = 0.0;
  std::string_view user_id;  // opaque; empty when not logged in
  std::string_view error;    // the error code of a 4xx/5xx answer
  std::size_t response_bytes = 0;
};

void log_request(const RequestRecord& record);
// An event with fields (an object); `event` is a short name ("listening", "job_failed", ...).
void log_event(LogLevel level, std::string_view event, const nlohmann::json& fields);
bool log_enabled(LogLevel level);

}  // namespace scarscope::server
