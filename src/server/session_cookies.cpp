#include "server/session_cookies.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace scarscope::server {

namespace {

std::string cookie(std::string_view name, std::string_view value, std::string_view path, long long max_age,
                   bool http_only, bool secure) {
  std::string text = std::string(name) + "=" + std::string(value) + "; Path=" + std::string(path) +
                     "; Max-Age=" + std::to_string(max_age) + "; SameSite=Strict";
  if (http_only) text += "; HttpOnly";
  if (secure) text += "; Secure";
  return text;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string csrf_token_for(std::string_view session_token) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not initialise");
  // BLAKE2b keyed with the session token over a fixed label: only the holder of the token can
  // compute it, and it reveals nothing about the token.
  std::array<unsigned char, 32> digest{};
  std::array<unsigned char, crypto_generichash_KEYBYTES_MAX> key{};
  const std::size_t key_size = std::min(session_token.size(), key.size());
  std::copy_n(reinterpret_cast<const unsigned char*>(session_token.data()), key_size, key.begin());
  static constexpr std::string_view label = "scarscope csrf v1";
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(label.data()), label.size(),
                     key.data(), std::max<std::size_t>(key_size, crypto_generichash_KEYBYTES_MIN));
  std::string text(sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), digest.data(), digest.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  return text;
}

bool csrf_token_matches(std::string_view session_token, std::string_view header_value) {
  const std::string expected = csrf_token_for(session_token);
  if (header_value.size() != expected.size()) return false;
  return sodium_memcmp(expected.data(), header_value.data(), expected.size()) == 0;
}

std::string session_cookie(std::string_view token, std::chrono::seconds max_age, bool secure) {
  return cookie(session_cookie_name, token, "/api/", max_age.count(), true, secure);
}

std::string csrf_cookie(std::string_view csrf_token, std::chrono::seconds max_age, bool secure) {
  return cookie(csrf_cookie_name, csrf_token, "/", max_age.count(), false, secure);
}

std::string expired_session_cookie(bool secure) { return cookie(session_cookie_name, "", "/api/", 0, true, secure); }
std::string expired_csrf_cookie(bool secure) { return cookie(csrf_cookie_name, "", "/", 0, false, secure); }

std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const std::size_t end = std::min(cookie_header.find(';'), cookie_header.size());
    std::string_view pair = trim(cookie_header.substr(0, end));
    cookie_header.remove_prefix(std::min(end + 1, cookie_header.size()));
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    if (trim(pair.substr(0, equals)) == name) {
      std::string_view value = trim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

std::optional<std::string> bearer_token(std::string_view authorization_header) {
  std::string_view header = trim(authorization_header);
  if (header.size() < 7) return std::nullopt;
  std::string scheme(header.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return std::nullopt;
  std::string_view token = trim(header.substr(7));
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

}  // namespace scarscope::server
