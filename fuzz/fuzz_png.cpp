// libFuzzer target for the 16-bit PNG reader (with a fixed sidecar); see fuzz_format_common.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_format_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  scarscope::fuzz::read_format_bytes("png", std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
