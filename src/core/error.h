// Errors a user can act on. InputError means the input (a file, an option, a request) is wrong:
// the CLI exits 2 and the server answers 4xx. Anything else is our fault or the machine's: exit 1.
// Each InputError carries a stable code (what kind of wrong) and, where it concerns one, the field
// (a JSON path such as "scars.7.type", an option such as "--spacing-um", or a file position such as
// "main.xml:byte 120"), so a server maps it to a status without parsing the message.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace scarscope {

// Stable names: they appear in API error bodies ({"error": CODE}) and must never be renamed.
enum class ErrorCode {
  bad_input,      // malformed or inconsistent input not covered by a more specific code
  bad_format,     // a file or body that does not parse as what it claims to be
  too_large,      // more points, bytes or entries than accepted
  out_of_range,   // a value outside what is accepted (a height no skin has, a date, a parameter)
  missing_field,  // a required field or option is absent
  unknown_field,  // a field that is not part of the schema
  wrong_type,     // a field of the wrong JSON type
  unsupported,    // recognised but not handled (an X3P profile, a newer schema version)
  not_found,      // a file or object that does not exist
  cancelled,      // the caller cancelled the work (not the input's fault, but not ours either)
  conflict,       // clashes with what is stored: a duplicate email or identifier, a plan already accepted
};

// The stable name of a code ("bad_format", ...).
std::string_view error_code_name(ErrorCode code);

// Bad input: the message names what is wrong and where ("cheek.x3p: main.xml: SizeX is -3").
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message, ErrorCode code = ErrorCode::bad_input, std::string field = {})
      : std::runtime_error(message), code_(code), field_(std::move(field)) {}
  ErrorCode code() const { return code_; }
  // The JSON path, option or file position the error concerns; empty when none applies.
  const std::string& field() const { return field_; }

 private:
  ErrorCode code_;
  std::string field_;
};

// A valid input that ScarScope recognises but does not handle (an X3P profile, say).
class UnsupportedError : public InputError {
 public:
  explicit UnsupportedError(const std::string& message, std::string field = {})
      : InputError(message, ErrorCode::unsupported, std::move(field)) {}
};

// Long work stopped because its caller asked (see core/progress.h). Not an InputError: nothing
// was wrong with the input, and the CLI exits 1, a server marks the job cancelled.
class CancelledError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace scarscope
