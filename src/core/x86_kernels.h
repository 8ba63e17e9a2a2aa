// Inner loops with SSE2 / AVX2 copies chosen at run time (the ISO parameters, closing/opening,
// the harmonic fills' relaxation) exist on x86-64 only; elsewhere, or with
// -DSCARSCOPE_NO_X86_KERNELS (which tests that path), the portable code runs alone. Each copy does
// the same operations per lane as the portable code, so the results are the same bits.
#pragma once

#if (defined(__x86_64__) || defined(_M_X64)) && defined(__GNUC__) && !defined(SCARSCOPE_NO_X86_KERNELS)
#define SCARSCOPE_X86_KERNELS 1
#include <immintrin.h>
#else
#define SCARSCOPE_X86_KERNELS 0
#endif

namespace scarscope {

// Whether this processor runs the AVX2 copies (asked once).
inline bool cpu_has_avx2() {
#if SCARSCOPE_X86_KERNELS
  static const bool has = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
  return has;
#else
  return false;
#endif
}

}  // namespace scarscope
