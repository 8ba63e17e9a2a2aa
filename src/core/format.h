// Numbers as text, the same in every process whatever its locale: a server embedding the library
// may run under a comma-decimal locale, and a JSON, CSV or report must not change with it.
// (printf, iostreams and strtod follow the locale; std::to_chars and std::from_chars never do.)
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace scarscope {

// `decimals` digits after the point, rounded as printf("%.*f") rounds ("12.35", "-0.50", "3").
// NaN and infinities give "nan", "inf", "-inf", or `if_not_finite` when it is given ("-").
std::string fixed_decimal(double value, int decimals, std::string_view if_not_finite = {});

// At most `significant` significant digits, as printf("%.*g") writes them ("0.0025", "1e+06").
std::string general_decimal(double value, int significant = 6);

// The whole text as a decimal number ("0.6", "-1e3"), or nothing; never reads a comma as a point.
std::optional<double> parse_decimal(std::string_view text);

}  // namespace scarscope
