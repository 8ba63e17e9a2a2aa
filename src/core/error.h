// Errors a user can act on. InputError means the input (a file, an option, a request) is wrong:
// the CLI exits 2 and the server answers 4xx. Anything else is our fault or the machine's: exit 1.
#pragma once
#include <stdexcept>
#include <string>

namespace scarscope {

// Bad input: the message names what is wrong and where ("cheek.x3p: main.xml: SizeX is -3").
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A valid input that ScarScope recognises but does not handle (an X3P profile, say).
class UnsupportedError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace scarscope
