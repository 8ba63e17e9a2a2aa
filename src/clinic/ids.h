// Opaque identifiers and secrets of the clinic record: random, never sequential, URL-safe.
#pragma once
#include <string>
#include <string_view>

namespace scarscope::clinic {

// A new record id: 128 random bits (libsodium's CSPRNG) as 22 characters of unpadded base64url.
std::string new_record_id();
// True for a string shaped like new_record_id()'s output (22 characters of [A-Za-z0-9_-]); lets
// a server refuse a malformed path parameter before it reaches the database.
bool is_record_id(std::string_view text);

// A new session token: 256 random bits as 43 characters of unpadded base64url. Give it to the
// client; store only session_token_hash(token).
std::string new_session_token();
// Lower-case hex SHA-256 of the token: what the record keeps, so a stolen database holds no
// usable token.
std::string session_token_hash(std::string_view token);

// Lower-case hex SHA-256 of any bytes (blob names, audit hashes).
std::string sha256_hex(std::string_view bytes);

}  // namespace scarscope::clinic
