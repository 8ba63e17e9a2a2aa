// Errors as the API answers them: {"error": CODE, "detail": TEXT, "field": PATH}. A code maps to
// one HTTP status in one table (api_error.cpp); handlers throw, they never choose status numbers.
// The codes are the library's ErrorCode names (core/error.h) plus the ones only a server has
// (unauthenticated, forbidden, rate_limited, ...). Codes are stable: clients switch on them.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace scarscope::server {

class ApiError : public std::runtime_error {
 public:
  // `code` must be one of api_error_codes(); `detail` is for people and names what is wrong
  // (never patient data beyond what the caller sent); `field` is the JSON path or parameter.
  ApiError(std::string code, const std::string& detail, std::string field = {});
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }
  int status() const;

 private:
  std::string code_;
  std::string field_;
};

struct ApiErrorCode {
  std::string_view code;
  int status;
  std::string_view meaning;  // for the OpenAPI description and the README
};

// Every code the API can answer, with its status: the one table.
const std::vector<ApiErrorCode>& api_error_codes();

// The status of a code; 500 for a code not in the table.
int status_for_error_code(std::string_view code);

// The body of an error response.
std::string error_body(std::string_view code, std::string_view detail, std::string_view field);

// Translates whatever a handler threw into an ApiError: ApiError as is; InputError with its
// ErrorCode and field; store::StoreUnavailableError as `unavailable`; CancelledError as
// `cancelled`; anything else as `internal` (its message goes to the log, not to the client).
// `internal_message` receives the original message when the error is internal, for the log.
ApiError api_error_from_exception(std::exception_ptr error, std::string* internal_message = nullptr);

}  // namespace scarscope::server
