// Bytes in memory, as the library's in-memory readers take them (std::span<const std::byte>) and
// its encoders return them (std::vector<std::byte>): an upload held as a blob is analysed, and a
// picture made for a response, without a temporary file. Views between bytes and chars cost no copy.
#pragma once
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace scarscope {

using Bytes = std::vector<std::byte>;

inline std::string_view as_chars(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline std::span<const std::byte> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}
inline Bytes to_bytes(std::string_view text) {
  const std::span<const std::byte> view = as_bytes(text);
  return Bytes(view.begin(), view.end());
}

}  // namespace scarscope
