#include "clinic/ids.h"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace scarscope::clinic {
namespace {

void ensure_sodium() {
  // sodium_init is thread-safe and idempotent; a failure means no usable random source.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not initialise (no random source?)");
}

template <std::size_t Bytes>
std::string random_base64url() {
  ensure_sodium();
  std::array<unsigned char, Bytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string text(sodium_base64_ENCODED_LEN(Bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  return text;
}

}  // namespace

std::string new_record_id() { return random_base64url<16>(); }

bool is_record_id(std::string_view text) {
  if (text.size() != 22) return false;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string new_session_token() { return random_base64url<32>(); }

std::string sha256_hex(std::string_view bytes) {
  ensure_sodium();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

std::string session_token_hash(std::string_view token) { return sha256_hex(token); }

}  // namespace scarscope::clinic
