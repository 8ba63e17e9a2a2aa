#include "clinic/password.h"

#include <sodium.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "core/error.h"

namespace scarscope::clinic {
namespace {

// At most two argon2id computations at a time (64 MiB each).
class HashSlots {
 public:
  void acquire() {
    std::unique_lock lock(mutex_);
    free_.wait(lock, [&] { return in_use_ < 2; });
    ++in_use_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      --in_use_;
    }
    free_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable free_;
  int in_use_ = 0;
};

HashSlots& slots() {
  static HashSlots instance;
  return instance;
}

struct SlotGuard {
  SlotGuard() { slots().acquire(); }
  ~SlotGuard() { slots().release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;
};

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not initialise");
}

}  // namespace

void check_password_rules(std::string_view password) {
  if (password.size() < 10) {
    throw InputError("password: must be at least 10 characters long", ErrorCode::out_of_range, "password");
  }
  if (password.size() > 1024) {
    throw InputError("password: must be at most 1024 bytes long", ErrorCode::too_large, "password");
  }
  if (password.find('\0') != std::string_view::npos) {
    throw InputError("password: must not contain a NUL character", ErrorCode::bad_input, "password");
  }
}

std::string hash_password(std::string_view password) {
  check_password_rules(password);
  ensure_sodium();
  char hash[crypto_pwhash_STRBYTES];
  int status = 0;
  {
    SlotGuard slot;
    status = crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
  }
  if (status != 0) throw std::runtime_error("password hashing ran out of memory");
  return hash;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  ensure_sodium();
  // crypto_pwhash_str_verify wants a NUL-terminated hash that fits its buffer.
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string hash(stored_hash);
  SlotGuard slot;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoy_password_hash() {
  static const std::string hash = hash_password("decoy password that nobody has");
  return hash;
}

}  // namespace scarscope::clinic
