// While a ClassicLocaleScope lives, the C functions of its thread that follow the locale (printf,
// strtod, ...) use the "C" locale, whatever locale the process set globally: a server embedding
// the library under de_DE must not write "0,5" into a JSON. Workflow entry points open one; the
// library's own formatting (core/format.h) needs none.
#pragma once
#include <locale.h>

namespace scarscope {

class ClassicLocaleScope {
 public:
  ClassicLocaleScope();
  ~ClassicLocaleScope();
  ClassicLocaleScope(const ClassicLocaleScope&) = delete;
  ClassicLocaleScope& operator=(const ClassicLocaleScope&) = delete;

 private:
  locale_t previous_;
};

}  // namespace scarscope
