// What every workflow entry point does around its work (internal to src/workflows): numbers are
// formatted in the "C" locale whatever the process's, and an exception that bad input provoked in
// a lower layer leaves as an InputError with a code, never as a JSON library's exception,
// std::out_of_range or another std::logic_error. Includes nlohmann/json.hpp: .cpp files only.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/classic_locale.h"
#include "core/error.h"
#include "core/progress.h"

namespace scarscope::workflow_detail {

template <typename Work>
auto guarded(const std::string& what, Work&& work) -> decltype(work()) {
  const ClassicLocaleScope classic_numbers;
  try {
    return std::forward<Work>(work)();
  } catch (const InputError&) {
    throw;
  } catch (const nlohmann::json::type_error& error) {
    throw InputError(what + ": a JSON value of the wrong type (" + error.what() + ")", ErrorCode::wrong_type);
  } catch (const nlohmann::json::out_of_range& error) {
    throw InputError(what + ": a JSON field is missing (" + std::string(error.what()) + ")", ErrorCode::missing_field);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(what + ": malformed JSON (" + std::string(error.what()) + ")", ErrorCode::bad_format);
  } catch (const std::out_of_range& error) {
    throw InputError(what + ": a value out of range (" + std::string(error.what()) + ")", ErrorCode::out_of_range);
  } catch (const std::logic_error& error) {
    throw InputError(what + ": inconsistent input (" + std::string(error.what()) + ")", ErrorCode::bad_input);
  }
}

}  // namespace scarscope::workflow_detail
