// Staff passwords: argon2id through libsodium (crypto_pwhash_str, interactive limits: ~0.13 s and
// 64 MiB per hash). At most two hashes run at once in a process, so a burst of logins cannot
// exhaust memory; the others wait their turn.
#pragma once
#include <string>
#include <string_view>

namespace scarscope::clinic {

// Refuses (InputError naming "password") a password shorter than 10 or longer than 1024 bytes,
// or one with a NUL byte.
void check_password_rules(std::string_view password);

// "$argon2id$v=19$m=65536,t=2,p=1$..." for a password that passes check_password_rules.
std::string hash_password(std::string_view password);

// True if `password` matches `stored_hash`. A malformed hash gives false, never an exception.
bool verify_password(std::string_view stored_hash, std::string_view password);

// A hash to verify against when the account does not exist, so that a login for an unknown email
// takes as long as one with a wrong password (no account enumeration by timing).
const std::string& decoy_password_hash();

}  // namespace scarscope::clinic
