// Errors of the store that are not the caller's input: the database is unreachable or broke.
// Bad input (an unknown id, a duplicate email, a parameter out of range, a corrupt database file,
// a database newer than this binary) is an InputError with its ErrorCode (core/error.h):
// not_found, conflict, out_of_range, bad_format, unsupported.
#pragma once
#include <stdexcept>
#include <string>

namespace scarscope::store {

// The database failed in a way that is not the input's fault (a full disk, a broken connection
// in the middle of a commit, an SQL error that means a bug). CLI exit 1; server 500.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database cannot be reached (PostgreSQL down or not answering, connection lost). Nothing was
// written by the failing call. A server answers 503; trying again later may succeed.
class StoreUnavailableError : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace scarscope::store
