// SHA-256 (OpenSSL): the content hash results record of the knowledge base they were made with.
#pragma once
#include <string>
#include <string_view>

namespace scarscope {

// Lower-case hex digest of the bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace scarscope
