// Incremental SHA-256 (libsodium) for blobs streamed a piece at a time.
#pragma once
#include <sodium.h>

#include <array>
#include <span>
#include <string>

namespace scarscope::store::detail {

class Sha256 {
 public:
  Sha256() {
    static const bool ready = sodium_init() >= 0;
    (void)ready;
    crypto_hash_sha256_init(&state_);
  }
  void update(std::span<const std::byte> bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  }
  std::string hex() {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state_, digest.data());
    std::string text(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(text.data(), text.size(), digest.data(), digest.size());
    text.pop_back();
    return text;
  }

 private:
  crypto_hash_sha256_state state_{};
};

// True for 64 lower-case hex digits.
inline bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace scarscope::store::detail
