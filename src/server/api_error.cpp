#include "server/api_error.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "store/store_error.h"

namespace scarscope::server {

const std::vector<ApiErrorCode>& api_error_codes() {
  static const std::vector<ApiErrorCode> codes = {
      // The library's input errors (core/error.h ErrorCode names).
      {"bad_input", 400, "malformed or inconsistent input"},
      {"bad_format", 400, "a body or file that does not parse as what it claims to be"},
      {"wrong_type", 400, "a field of the wrong JSON type"},
      {"missing_field", 400, "a required field or parameter is absent"},
      {"unknown_field", 400, "a field that is not part of the schema (nothing is stored)"},
      {"out_of_range", 422, "a value outside what is accepted"},
      {"unsupported", 422, "recognised but not handled (a file profile, a newer schema)"},
      {"too_large", 413, "more bytes, points or entries than accepted"},
      {"not_found", 404, "no such route or object (another clinic's ids included)"},
      {"conflict", 409, "clashes with what is stored (a duplicate, a plan already accepted, not analysed yet)"},
      {"cancelled", 409, "the work was cancelled"},
      // The server's own.
      {"unauthenticated", 401, "no valid session token or cookie"},
      {"forbidden", 403, "the user's role may not use this route"},
      {"csrf_failed", 403, "a cookie-authenticated change without the matching X-CSRF-Token header"},
      {"method_not_allowed", 405, "the path exists but not with this method"},
      {"unsupported_media_type", 415, "a body of a content type this route does not take"},
      {"incomplete_profile", 422, "the patient's planning profile lacks fields the planner needs"},
      {"rate_limited", 429, "too many failed logins for this account or address; retry later"},
      {"internal", 500, "a fault of the server (the log has the request id)"},
      {"unavailable", 503, "the database cannot be reached; nothing was written; retry later"},
  };
  return codes;
}

int status_for_error_code(std::string_view code) {
  for (const ApiErrorCode& entry : api_error_codes()) {
    if (entry.code == code) return entry.status;
  }
  return 500;
}

ApiError::ApiError(std::string code, const std::string& detail, std::string field)
    : std::runtime_error(detail), code_(std::move(code)), field_(std::move(field)) {}

int ApiError::status() const { return status_for_error_code(code_); }

std::string error_body(std::string_view code, std::string_view detail, std::string_view field) {
  nlohmann::json body = {{"error", code}, {"detail", detail}};
  if (!field.empty()) body["field"] = field;
  // Replace invalid UTF-8 (a client's bytes echoed in a message) instead of throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiError api_error_from_exception(std::exception_ptr error, std::string* internal_message) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    return e;
  } catch (const InputError& e) {
    return ApiError(std::string(error_code_name(e.code())), e.what(), e.field());
  } catch (const CancelledError& e) {
    return ApiError("cancelled", e.what());
  } catch (const store::StoreUnavailableError& e) {
    if (internal_message != nullptr) *internal_message = e.what();
    return ApiError("unavailable", "the database cannot be reached; nothing was written; try again later");
  } catch (const std::exception& e) {
    if (internal_message != nullptr) *internal_message = e.what();
  } catch (...) {
    if (internal_message != nullptr) *internal_message = "unknown exception";
  }
  return ApiError("internal", "internal error");
}

}  // namespace scarscope::server
