#include "surface/height_map.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include <cstdlib>
#include <new>
#include <sys/mman.h>

#include "core/error.h"
#include "core/x86_kernels.h"
#include "surface/formats/format_common.h"

namespace scarscope {

namespace {
constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();
const std::uint32_t kMissingBits = std::bit_cast<std::uint32_t>(kMissing);
}

HeightMap::HeightMap(int nx, int ny, double dx_um, double dy_um) : HeightMap(for_overwrite(nx, ny, dx_um, dy_um)) {
  std::fill(heights_.begin(), heights_.end(), 0.0f);
  std::fill(mask_.begin(), mask_.end(), std::uint8_t{1});
}

HeightMap HeightMap::for_overwrite(int nx, int ny, double dx_um, double dy_um) {
  if (nx <= 0 || ny <= 0) {
    throw InputError("height map size must be positive, got " + std::to_string(nx) + " x " +
                     std::to_string(ny));
  }
  HeightMap map;
  map.set_spacing(dx_um, dy_um);
  map.nx_ = nx;
  map.ny_ = ny;
  const std::size_t count = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  map.heights_.resize(count);  // default-initialised: no zero fill
  map.mask_.resize(count);
  return map;
}

HeightMap HeightMap::clone() const {
  HeightMap copy;
  copy.nx_ = nx_;
  copy.ny_ = ny_;
  copy.dx_um_ = dx_um_;
  copy.dy_um_ = dy_um_;
  copy.heights_.resize(heights_.size());  // not zero-filled first: copied over at once
  copy.mask_.resize(mask_.size());
  if (!heights_.empty()) {
    std::memcpy(copy.heights_.data(), heights_.data(), heights_.size() * sizeof(float));
    std::memcpy(copy.mask_.data(), mask_.data(), mask_.size());
  }
  copy.metadata = metadata;
  return copy;
}

void HeightMap::set_spacing(double dx_um, double dy_um) {
  if (!std::isfinite(dx_um) || !std::isfinite(dy_um) || dx_um <= 0.0 || dy_um <= 0.0) {
    throw InputError("lateral spacing must be finite and positive, got dx = " + formats::format_number(dx_um) +
                         " um, dy = " + formats::format_number(dy_um) + " um",
                     ErrorCode::out_of_range, "spacing");
  }
  dx_um_ = dx_um;
  dy_um_ = dy_um;
}

void HeightMap::set(int row, int col, float height_um) {
  const std::size_t i = index(row, col);
  if (std::isfinite(height_um)) {
    heights_[i] = height_um;
    mask_[i] = 1;
  } else {
    heights_[i] = kMissing;
    mask_[i] = 0;
  }
}

void HeightMap::set_missing(int row, int col) {
  const std::size_t i = index(row, col);
  heights_[i] = kMissing;
  mask_[i] = 0;
}

namespace {

// The mask bytes that are not 0 in mask[start, count), eight at a time: the top bit of each byte
// set where the byte is not 0, then those bits (one per byte) summed as bytes, up to 255 words
// before the byte sums are added up.
std::size_t count_valid_portable(const std::uint8_t* mask, std::size_t start, std::size_t count) {
  constexpr std::uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full, kTop = 0x8080808080808080ull;
  constexpr std::uint64_t kLowBytes = 0x00ff00ff00ff00ffull;
  std::size_t valid = 0, i = start;
  while (i + 8 <= count) {
    std::uint64_t byte_sums = 0;  // eight counters of at most 255
    const std::size_t stop = std::min(count - (count - i) % 8, i + 8 * 255);
    for (; i < stop; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, mask + i, sizeof word);
      byte_sums += ((((word & kLow7) + kLow7) | word) & kTop) >> 7;
    }
    const std::uint64_t pairs = (byte_sums & kLowBytes) + ((byte_sums >> 8) & kLowBytes);  // four of at most 510
    valid += static_cast<std::size_t>((pairs * 0x0001000100010001ull) >> 48);
  }
  for (; i < count; ++i) valid += mask[i] != 0;
  return valid;
}

// Whether points [start, stop) need normalize_missing's rewrite: a valid point must hold a finite
// height, a missing one exactly the NaN written there. Integer tests on the bits (exponent all
// ones = not finite), which the compiler vectorises.
bool needs_rewrite_portable(const float* heights, const std::uint8_t* mask, std::size_t start, std::size_t stop) {
  constexpr std::uint32_t kExponentBits = 0x7f800000u;
  unsigned bad = 0;
  for (std::size_t i = start; i < stop; ++i) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(heights[i]);
    const unsigned not_finite = (bits & kExponentBits) == kExponentBits;
    const unsigned not_missing = bits != kMissingBits;
    bad |= mask[i] != 0 ? not_finite : not_missing;
  }
  return bad != 0;
}

#if SCARSCOPE_X86_KERNELS
// 32 mask bytes a step: each clamped to 0 / 1 and summed by psadbw into four 64-bit counters.
__attribute__((target("avx2"))) std::size_t count_valid_avx2(const std::uint8_t* mask, std::size_t count) {
  const __m256i one = _mm256_set1_epi8(1), zero = _mm256_setzero_si256();
  __m256i sums = zero;
  std::size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    const __m256i bytes = _mm256_min_epu8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(mask + i)), one);
    sums = _mm256_add_epi64(sums, _mm256_sad_epu8(bytes, zero));
  }
  std::uint64_t lanes[4];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), sums);
  return static_cast<std::size_t>(lanes[0] + lanes[1] + lanes[2] + lanes[3]) + count_valid_portable(mask, i, count);
}

// needs_rewrite_portable, eight points a step.
__attribute__((target("avx2"))) bool needs_rewrite_avx2(const float* heights, const std::uint8_t* mask,
                                                        std::size_t start, std::size_t stop) {
  const __m256i exponent = _mm256_set1_epi32(0x7f800000), missing = _mm256_set1_epi32(static_cast<int>(kMissingBits));
  __m256i bad = _mm256_setzero_si256();
  std::size_t i = start;
  for (; i + 8 <= stop; i += 8) {
    const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(heights + i));
    const __m256i valid = _mm256_cmpgt_epi32(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mask + i))), _mm256_setzero_si256());
    const __m256i not_finite = _mm256_cmpeq_epi32(_mm256_and_si256(bits, exponent), exponent);
    const __m256i is_missing = _mm256_cmpeq_epi32(bits, missing);
    // valid: bad if not finite; missing: bad unless exactly the NaN.
    bad = _mm256_or_si256(bad, _mm256_blendv_epi8(_mm256_andnot_si256(is_missing, _mm256_set1_epi32(-1)), not_finite, valid));
  }
  return !_mm256_testz_si256(bad, bad) || needs_rewrite_portable(heights, mask, i, stop);
}
#endif  // SCARSCOPE_X86_KERNELS

}  // namespace

std::size_t HeightMap::valid_count() const {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return count_valid_avx2(mask_.data(), mask_.size());
#endif
  return count_valid_portable(mask_.data(), 0, mask_.size());
}

void HeightMap::normalize_missing() {
  // Usually nothing to change (readers already keep mask 0 and NaN together): each block of points
  // is first checked with a read-only, branch-free (vectorised) pass and rewritten only if needed.
  constexpr std::size_t kBlock = 4096;
#if SCARSCOPE_X86_KERNELS
  const auto needs_rewrite = cpu_has_avx2() ? needs_rewrite_avx2 : needs_rewrite_portable;
#else
  const auto needs_rewrite = needs_rewrite_portable;
#endif
  float* heights = heights_.data();
  std::uint8_t* mask = mask_.data();
  const std::size_t count = heights_.size();
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t stop = std::min(count, start + kBlock);
    if (!needs_rewrite(heights, mask, start, stop)) continue;
    for (std::size_t i = start; i < stop; ++i) {
      if (mask[i] == 0 || !std::isfinite(heights[i])) {
        mask[i] = 0;
        heights[i] = kMissing;
      }
    }
  }
}

namespace detail {
namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kLargeBlock = 4 * kHugePage;
}  // namespace

// (Huge pages: the big 2000 x 2000 scan's analysis spent ~20 % of its CPU in page faults.)
void* allocate_block(std::size_t bytes) {
  if (bytes < kLargeBlock) return ::operator new(bytes);
  if (bytes > static_cast<std::size_t>(-1) - kHugePage) throw std::bad_alloc();
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* block = std::aligned_alloc(kHugePage, rounded);
  if (block == nullptr) throw std::bad_alloc();
  madvise(block, rounded, MADV_HUGEPAGE);
  return block;
}

void deallocate_block(void* block, std::size_t bytes) noexcept {
  if (bytes < kLargeBlock) {
    ::operator delete(block);
  } else {
    std::free(block);
  }
}

}  // namespace detail

}  // namespace scarscope
