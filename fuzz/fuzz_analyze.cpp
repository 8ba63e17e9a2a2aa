// libFuzzer target for the scar analysis on small grids with extreme heights; see
// fuzz_analyze_common.h for how the bytes become a height map and what must hold.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_analyze_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  scarscope::fuzz::analyze_fuzz_bytes(std::span<const std::uint8_t>(data, size));
  return 0;
}
