#include "core/classic_locale.h"

namespace scarscope {
namespace {

locale_t classic_c_locale() {
  // Made once and never freed: uselocale() may hand it to any thread at any time.
  static const locale_t locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return locale;
}

}  // namespace

ClassicLocaleScope::ClassicLocaleScope() : previous_(uselocale(classic_c_locale())) {}

ClassicLocaleScope::~ClassicLocaleScope() { uselocale(previous_); }

}  // namespace scarscope
