// libFuzzer target for the STL reader (and a region of the mesh, as convert --region takes it); see fuzz_format_common.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_format_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  scarscope::fuzz::read_format_bytes("stl", std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
