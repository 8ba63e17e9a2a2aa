// How a browser carries a session: the token in an HttpOnly, SameSite=Strict cookie (Secure under
// TLS), and a CSRF token the page must echo in X-CSRF-Token on every change. The CSRF token is
// derived from the session token (a keyed hash), so any server checks it without storing it, and
// it cannot be turned back into the session token. Scripts using Authorization: Bearer need none.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace scarscope::server {

inline constexpr std::string_view session_cookie_name = "scarscope_session";
inline constexpr std::string_view csrf_cookie_name = "scarscope_csrf";
inline constexpr std::string_view csrf_header_name = "X-CSRF-Token";

std::string csrf_token_for(std::string_view session_token);
// Constant-time comparison of the header's value with the session's CSRF token.
bool csrf_token_matches(std::string_view session_token, std::string_view header_value);

// Set-Cookie values. The session cookie is HttpOnly and limited to the API's paths; the CSRF
// cookie is readable by the page's script (that is its purpose).
std::string session_cookie(std::string_view token, std::chrono::seconds max_age, bool secure);
std::string csrf_cookie(std::string_view csrf_token, std::chrono::seconds max_age, bool secure);
std::string expired_session_cookie(bool secure);
std::string expired_csrf_cookie(bool secure);

// The value of cookie `name` in a Cookie header ("a=1; scarscope_session=XYZ").
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

// The token of "Authorization: Bearer TOKEN" (scheme case-insensitive), if that is what it is.
std::optional<std::string> bearer_token(std::string_view authorization_header);

}  // namespace scarscope::server
