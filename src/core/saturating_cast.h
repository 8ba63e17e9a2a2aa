// Float-to-integer conversions defined for every input. A plain static_cast of a float outside the
// integer's range (or of NaN) is undefined behaviour, and std::lround's result is unspecified there;
// a hostile scan can put any number into a computation, so sizes, indices and counts derived from
// data go through these: NaN gives `if_nan`, values beyond the type's range saturate at its limits.
#pragma once
#include <cmath>
#include <concepts>
#include <limits>

namespace scarscope {

// Truncates towards zero, like static_cast, within the limits of T.
template <std::integral T>
constexpr T saturating_cast(double value, T if_nan = 0) {
  if (std::isnan(value)) return if_nan;
  // (double) of the largest T may round up to a power of two; anything at or above it saturates.
  if (value >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  if (value <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  return static_cast<T>(value);
}

// Rounds half away from zero, like std::lround, within the limits of T.
template <std::integral T>
T round_saturating(double value, T if_nan = 0) {
  return saturating_cast<T>(std::round(value), if_nan);
}

}  // namespace scarscope
