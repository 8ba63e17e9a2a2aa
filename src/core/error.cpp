#include "core/error.h"

namespace scarscope {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_input: return "bad_input";
    case ErrorCode::bad_format: return "bad_format";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::out_of_range: return "out_of_range";
    case ErrorCode::missing_field: return "missing_field";
    case ErrorCode::unknown_field: return "unknown_field";
    case ErrorCode::wrong_type: return "wrong_type";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::cancelled: return "cancelled";
    case ErrorCode::conflict: return "conflict";
  }
  return "bad_input";
}

}  // namespace scarscope
