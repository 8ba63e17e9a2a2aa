// ISO 25178-2 areal parameters over the valid points.
//
// Two passes over the map. The first, row by row, gathers the mean and extremes, the gradients
// (Sdq) and the developed area of the cells between the row and the next (Sdr); the second takes
// the height moments about that mean exactly (in double), as Sa = mean |z - mean| needs the mean
// before it can start (no sampling, no shifted-moment approximation).
// Every row goes through branch-free kernels whose sums run in eight lanes (lane = column % 8):
// rows with no missing point without masks, rows with missing points with a mask (a missing point,
// or a cell with a missing corner, adds zero). Only points next to a missing one or on the grid's
// edge, whose gradient follows other rules, are taken one at a time. The figures agree with a
// point-by-point sum to the last digits (Sdr, whose square roots and cell slopes are taken in
// float, to ~1e-7 on scans, within 5e-7 at worst).
// Each kernel exists twice: portable code (baseline x86-64) and AVX2 intrinsics, chosen at run
// time. The AVX2 copy does the same operations in the same order in each lane (no FMA), so both
// give the same bits; the portable code is the one to read.
// Sdq uses the gradient at every valid point: central differences where both neighbours along an
// axis are valid, one-sided where only one is; a point with no valid neighbour along an axis that
// has more than one point does not take part. Sdr sums the developed area of every grid cell whose
// four corners are valid, each cell split into four triangles through its centre (mean of the
// corners), as Gwyddion does, so no diagonal is preferred.
#include "surface/parameters.h"

#include "core/x86_kernels.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"

namespace scarscope {

namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// `x` where `keep`, else +0: a select on the bits (what the AVX2 kernels do with a mask), so a
// NaN that is not kept never reaches the arithmetic.
float keep_or_zero(bool keep, float x) {
  return std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) & (0u - static_cast<std::uint32_t>(keep)));
}
double keep_or_zero(bool keep, double x) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) & (std::uint64_t{0} - static_cast<std::uint64_t>(keep)));
}

double lane_total(const double lanes[8]) {
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// ---- Heights: sum (in double), extremes. ----

struct HeightLanes {
  double sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float highest = -kInfinity, lowest = kInfinity;
};

// Heights z[i], i in [start, count), valid where valid[i] != 0 (valid null: all are). Eight at a
// time into per-lane extremes (exact in any order) and branch-free, so that it vectorises too.
void heights_portable(const float* z, const std::uint8_t* valid, std::size_t start, std::size_t count,
                      HeightLanes* out) {
  double sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // local lanes: the compiler need not fear aliasing
  float high[8], low[8];
  std::fill(high, high + 8, -kInfinity);
  std::fill(low, low + 8, kInfinity);
  std::size_t i = start;
  if (valid == nullptr) {
    for (; i + 8 <= count && (i & 7) == 0; i += 8) {
      for (int k = 0; k < 8; ++k) {
        const float h = z[i + k];
        sum[k] += h;
        high[k] = high[k] < h ? h : high[k];
        low[k] = h < low[k] ? h : low[k];
      }
    }
  } else {
    for (; i + 8 <= count && (i & 7) == 0; i += 8) {
      for (int k = 0; k < 8; ++k) {
        const bool keep = valid[i + k] != 0;
        const std::uint32_t bits = std::bit_cast<std::uint32_t>(z[i + k]), mask = 0u - static_cast<std::uint32_t>(keep);
        const float h = std::bit_cast<float>(bits & mask);
        const float for_high = std::bit_cast<float>((bits & mask) | (std::bit_cast<std::uint32_t>(-kInfinity) & ~mask));
        const float for_low = std::bit_cast<float>((bits & mask) | (std::bit_cast<std::uint32_t>(kInfinity) & ~mask));
        sum[k] += h;
        high[k] = high[k] < for_high ? for_high : high[k];
        low[k] = for_low < low[k] ? for_low : low[k];
      }
    }
  }
  for (; i < count; ++i) {
    const bool keep = valid == nullptr || valid[i] != 0;
    sum[i & 7] += keep_or_zero(keep, z[i]);
    if (keep) {
      high[i & 7] = std::max(high[i & 7], z[i]);
      low[i & 7] = std::min(low[i & 7], z[i]);
    }
  }
  for (int k = 0; k < 8; ++k) {
    out->sum[k] += sum[k];
    out->highest = std::max(out->highest, high[k]);
    out->lowest = std::min(out->lowest, low[k]);
  }
}
void heights_portable(const float* z, const std::uint8_t* valid, std::size_t count, HeightLanes* out) {
  heights_portable(z, valid, 0, count, out);
}

#if SCARSCOPE_X86_KERNELS
// Eight bytes of a mask as eight 32-bit lanes, all ones where the byte is not 0.
__attribute__((target("avx2"))) inline __m256 mask_8x32(const std::uint8_t* valid) {
  const __m256i bytes = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(valid)));
  return _mm256_castsi256_ps(_mm256_cmpgt_epi32(bytes, _mm256_setzero_si256()));
}
// Four bytes of a mask as four 64-bit lanes, all ones where the byte is not 0.
__attribute__((target("avx2"))) inline __m256d mask_4x64(const std::uint8_t* valid) {
  std::int32_t word;
  std::memcpy(&word, valid, sizeof word);
  const __m256i bytes = _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(word));
  return _mm256_castsi256_pd(_mm256_cmpgt_epi64(bytes, _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) void heights_avx2(const float* z, const std::uint8_t* valid, std::size_t count,
                                                  HeightLanes* out) {
  __m256d sum_low = _mm256_setzero_pd(), sum_high = _mm256_setzero_pd();
  __m256 highest = _mm256_set1_ps(-kInfinity), lowest = _mm256_set1_ps(kInfinity);
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m256 h = _mm256_loadu_ps(z + i);
    __m256 for_highest = h, for_lowest = h;
    if (valid) {
      const __m256 keep = mask_8x32(valid + i);
      h = _mm256_and_ps(h, keep);
      for_highest = _mm256_blendv_ps(_mm256_set1_ps(-kInfinity), for_highest, keep);
      for_lowest = _mm256_blendv_ps(_mm256_set1_ps(kInfinity), for_lowest, keep);
    }
    sum_low = _mm256_add_pd(sum_low, _mm256_cvtps_pd(_mm256_castps256_ps128(h)));
    sum_high = _mm256_add_pd(sum_high, _mm256_cvtps_pd(_mm256_extractf128_ps(h, 1)));
    // (A NaN in the first operand gives the second, as std::max / std::min keep their first.)
    highest = _mm256_max_ps(for_highest, highest);
    lowest = _mm256_min_ps(for_lowest, lowest);
  }
  double lanes[8];
  _mm256_storeu_pd(lanes, sum_low);
  _mm256_storeu_pd(lanes + 4, sum_high);
  float high[8], low[8];
  _mm256_storeu_ps(high, highest);
  _mm256_storeu_ps(low, lowest);
  for (int k = 0; k < 8; ++k) {
    out->sum[k] += lanes[k];
    out->highest = std::max(out->highest, high[k]);
    out->lowest = std::min(out->lowest, low[k]);
  }
  heights_portable(z, valid, i, count, out);
}
#endif  // SCARSCOPE_X86_KERNELS

// ---- Gradients (Sdq) at inner points whose four neighbours are valid: central differences. ----

struct GradientRow {
  const float* left;           // point i's neighbours: left[i], right[i], up[i], down[i]
  const float* right;
  const float* up;
  const float* down;
  const std::uint8_t* usable;  // usable[i] != 0 where all four are valid; null: all are
  std::size_t count;
  double half_inv_dx, half_inv_dy;
};

void gradients_portable(const GradientRow& row, std::size_t start, double lanes[8]) {
  auto gradient_sq = [&row](std::size_t i) {
    const double gx = (static_cast<double>(row.right[i]) - row.left[i]) * row.half_inv_dx;
    const double gy = (static_cast<double>(row.down[i]) - row.up[i]) * row.half_inv_dy;
    return gx * gx + gy * gy;  // NaN next to a missing point: masked away
  };
  double sum[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // local lanes: the compiler need not fear aliasing
  std::size_t i = start;
  for (; i + 8 <= row.count && (i & 7) == 0; i += 8) {  // eight lanes, as the vector kernel
    if (row.usable) {
      for (int k = 0; k < 8; ++k) sum[k] += keep_or_zero(row.usable[i + k] != 0, gradient_sq(i + k));
    } else {
      for (int k = 0; k < 8; ++k) sum[k] += gradient_sq(i + k);
    }
  }
  for (; i < row.count; ++i) {
    sum[i & 7] += row.usable ? keep_or_zero(row.usable[i] != 0, gradient_sq(i)) : gradient_sq(i);
  }
  for (int k = 0; k < 8; ++k) lanes[k] += sum[k];
}
void gradients_portable(const GradientRow& row, double lanes[8]) { gradients_portable(row, 0, lanes); }

#if SCARSCOPE_X86_KERNELS
__attribute__((target("avx2"))) void gradients_avx2(const GradientRow& row, double lanes[8]) {
  const __m256d half_inv_dx = _mm256_set1_pd(row.half_inv_dx), half_inv_dy = _mm256_set1_pd(row.half_inv_dy);
  __m256d sum[2] = {_mm256_setzero_pd(), _mm256_setzero_pd()};
  std::size_t i = 0;
  for (; i + 8 <= row.count; i += 8) {
    for (std::size_t h = 0; h < 2; ++h) {
      const std::size_t j = i + 4 * h;
      const __m256d gx = _mm256_mul_pd(
          _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(row.right + j)), _mm256_cvtps_pd(_mm_loadu_ps(row.left + j))),
          half_inv_dx);
      const __m256d gy = _mm256_mul_pd(
          _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(row.down + j)), _mm256_cvtps_pd(_mm_loadu_ps(row.up + j))),
          half_inv_dy);
      __m256d g = _mm256_add_pd(_mm256_mul_pd(gx, gx), _mm256_mul_pd(gy, gy));
      if (row.usable) g = _mm256_and_pd(g, mask_4x64(row.usable + j));
      sum[h] = _mm256_add_pd(sum[h], g);
    }
  }
  double quad[8];
  _mm256_storeu_pd(quad, sum[0]);
  _mm256_storeu_pd(quad + 4, sum[1]);
  for (int k = 0; k < 8; ++k) lanes[k] += quad[k];
  gradients_portable(row, i, lanes);
}
#endif  // SCARSCOPE_X86_KERNELS

// ---- Developed area (Sdr). ----
// Each cell (corners a b / c d, centre m = their mean) is four triangles through m, one on each
// edge. A triangle on the edge a-b has slope (b - a) / dx along the edge and (m - (a + b) / 2) /
// (dy / 2) across it; its area is dx dy / 4 * sqrt(1 + g) with g the sum of the squared slopes,
// and its excess over the flat area dx dy / 4 * (sqrt(1 + g) - 1) = dx dy / 4 * g / (1 + sqrt(1 + g)).
// That form keeps its precision however flat the surface (no 1 - 1 cancellation), so it is taken
// in float, slopes and square root too; the cell's four terms are added in float (all positive:
// no cancellation) and the cells summed in double. Each cell is within ~5e-7 of its exact value
// relative; Sdr of suite scans moves by ~1e-7 against slopes and square roots in double (mostly
// the float rounding of 1 / dx).
// The slope across the edge is the same for opposite edges: m - (a + b) / 2 = (c + d) / 2 - m
// = (c + d - a - b) / 4, and likewise for the left and right edges.
struct CellRow {
  const float* z0;            // the row
  const float* z1;            // the next row
  const std::uint32_t* keep;  // per cell all ones if its four corners are valid, else 0; null: all are
  std::size_t count;          // cells (columns - 1)
  float inv_dx, inv_dy;
};

void cells_portable(const CellRow& row, std::size_t start, double lanes[8]) {
  for (std::size_t c = start; c < row.count; ++c) {
    const float a = row.z0[c], b = row.z0[c + 1], cc = row.z1[c], d = row.z1[c + 1];
    const float ca = cc - a, db = d - b, ba = b - a, dc = d - cc;
    const float across_top_bottom = 0.5f * (ca + db) * row.inv_dy;
    const float across_left_right = 0.5f * (ba + dc) * row.inv_dx;
    const float s1 = ba * row.inv_dx, s3 = dc * row.inv_dx, s5 = db * row.inv_dy, s7 = ca * row.inv_dy;
    const float tb = across_top_bottom * across_top_bottom;
    const float lr = across_left_right * across_left_right;
    const float g[4] = {tb + s1 * s1, tb + s3 * s3, lr + s5 * s5, lr + s7 * s7};
    float e[4];
    for (int k = 0; k < 4; ++k) {
      const float slope_sq = row.keep ? std::bit_cast<float>(std::bit_cast<std::uint32_t>(g[k]) & row.keep[c]) : g[k];
      e[k] = slope_sq / (1.0f + std::sqrt(1.0f + slope_sq));
    }
    lanes[c & 7] += static_cast<double>((e[0] + e[1]) + (e[2] + e[3]));
  }
}

#if SCARSCOPE_X86_KERNELS
// Baseline x86-64 (SSE2): eight cells per step as two groups of four lanes.
void cells_sse2(const CellRow& row, double lanes[8]) {
  const __m128 half = _mm_set1_ps(0.5f), one = _mm_set1_ps(1.0f);
  const __m128 inv_dx = _mm_set1_ps(row.inv_dx), inv_dy = _mm_set1_ps(row.inv_dy);
  __m128d sum[4] = {_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd()};
  std::size_t c = 0;
  for (; c + 8 <= row.count; c += 8) {
    for (std::size_t h = 0; h < 2; ++h) {
      const std::size_t i = c + 4 * h;
      const __m128 a = _mm_loadu_ps(row.z0 + i), b = _mm_loadu_ps(row.z0 + i + 1);
      const __m128 cc = _mm_loadu_ps(row.z1 + i), d = _mm_loadu_ps(row.z1 + i + 1);
      const __m128 ca = _mm_sub_ps(cc, a), db = _mm_sub_ps(d, b), ba = _mm_sub_ps(b, a), dc = _mm_sub_ps(d, cc);
      const __m128 tb_slope = _mm_mul_ps(_mm_mul_ps(half, _mm_add_ps(ca, db)), inv_dy);
      const __m128 lr_slope = _mm_mul_ps(_mm_mul_ps(half, _mm_add_ps(ba, dc)), inv_dx);
      const __m128 s1 = _mm_mul_ps(ba, inv_dx), s3 = _mm_mul_ps(dc, inv_dx);
      const __m128 s5 = _mm_mul_ps(db, inv_dy), s7 = _mm_mul_ps(ca, inv_dy);
      const __m128 tb = _mm_mul_ps(tb_slope, tb_slope), lr = _mm_mul_ps(lr_slope, lr_slope);
      __m128 g[4] = {_mm_add_ps(tb, _mm_mul_ps(s1, s1)), _mm_add_ps(tb, _mm_mul_ps(s3, s3)),
                     _mm_add_ps(lr, _mm_mul_ps(s5, s5)), _mm_add_ps(lr, _mm_mul_ps(s7, s7))};
      __m128 e[4];
      const __m128 keep = row.keep ? _mm_loadu_ps(reinterpret_cast<const float*>(row.keep + i)) : _mm_setzero_ps();
      for (int k = 0; k < 4; ++k) {
        if (row.keep) g[k] = _mm_and_ps(g[k], keep);
        e[k] = _mm_div_ps(g[k], _mm_add_ps(one, _mm_sqrt_ps(_mm_add_ps(one, g[k]))));
      }
      const __m128 cell = _mm_add_ps(_mm_add_ps(e[0], e[1]), _mm_add_ps(e[2], e[3]));
      sum[2 * h] = _mm_add_pd(sum[2 * h], _mm_cvtps_pd(cell));
      sum[2 * h + 1] = _mm_add_pd(sum[2 * h + 1], _mm_cvtps_pd(_mm_movehl_ps(cell, cell)));
    }
  }
  double pairs[8];
  for (int k = 0; k < 4; ++k) _mm_storeu_pd(pairs + 2 * k, sum[k]);
  for (int k = 0; k < 8; ++k) lanes[k] += pairs[k];
  cells_portable(row, c, lanes);
}

__attribute__((target("avx2"))) void cells_avx2(const CellRow& row, double lanes[8]) {
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  const __m256 inv_dx = _mm256_set1_ps(row.inv_dx), inv_dy = _mm256_set1_ps(row.inv_dy);
  __m256d sum_low = _mm256_setzero_pd(), sum_high = _mm256_setzero_pd();
  std::size_t c = 0;
  for (; c + 8 <= row.count; c += 8) {
    const __m256 a = _mm256_loadu_ps(row.z0 + c), b = _mm256_loadu_ps(row.z0 + c + 1);
    const __m256 cc = _mm256_loadu_ps(row.z1 + c), d = _mm256_loadu_ps(row.z1 + c + 1);
    const __m256 ca = _mm256_sub_ps(cc, a), db = _mm256_sub_ps(d, b), ba = _mm256_sub_ps(b, a), dc = _mm256_sub_ps(d, cc);
    const __m256 tb_slope = _mm256_mul_ps(_mm256_mul_ps(half, _mm256_add_ps(ca, db)), inv_dy);
    const __m256 lr_slope = _mm256_mul_ps(_mm256_mul_ps(half, _mm256_add_ps(ba, dc)), inv_dx);
    const __m256 s1 = _mm256_mul_ps(ba, inv_dx), s3 = _mm256_mul_ps(dc, inv_dx);
    const __m256 s5 = _mm256_mul_ps(db, inv_dy), s7 = _mm256_mul_ps(ca, inv_dy);
    const __m256 tb = _mm256_mul_ps(tb_slope, tb_slope), lr = _mm256_mul_ps(lr_slope, lr_slope);
    __m256 g[4] = {_mm256_add_ps(tb, _mm256_mul_ps(s1, s1)), _mm256_add_ps(tb, _mm256_mul_ps(s3, s3)),
                   _mm256_add_ps(lr, _mm256_mul_ps(s5, s5)), _mm256_add_ps(lr, _mm256_mul_ps(s7, s7))};
    __m256 e[4];
    const __m256 keep = row.keep ? _mm256_loadu_ps(reinterpret_cast<const float*>(row.keep + c)) : _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      if (row.keep) g[k] = _mm256_and_ps(g[k], keep);
      e[k] = _mm256_div_ps(g[k], _mm256_add_ps(one, _mm256_sqrt_ps(_mm256_add_ps(one, g[k]))));
    }
    const __m256 cell = _mm256_add_ps(_mm256_add_ps(e[0], e[1]), _mm256_add_ps(e[2], e[3]));
    sum_low = _mm256_add_pd(sum_low, _mm256_cvtps_pd(_mm256_castps256_ps128(cell)));
    sum_high = _mm256_add_pd(sum_high, _mm256_cvtps_pd(_mm256_extractf128_ps(cell, 1)));
  }
  double quad[8];
  _mm256_storeu_pd(quad, sum_low);
  _mm256_storeu_pd(quad + 4, sum_high);
  for (int k = 0; k < 8; ++k) lanes[k] += quad[k];
  cells_portable(row, c, lanes);
}
#endif  // SCARSCOPE_X86_KERNELS

// ---- Height moments about the mean. ----

struct MomentLanes {
  double abs[8] = {0, 0, 0, 0, 0, 0, 0, 0}, sq[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  double cube[8] = {0, 0, 0, 0, 0, 0, 0, 0}, fourth[8] = {0, 0, 0, 0, 0, 0, 0, 0};
};

void moments_portable(const float* z, const std::uint8_t* valid, std::size_t start, std::size_t count, double mean,
                      MomentLanes* out) {
  MomentLanes local;  // the compiler need not fear aliasing
  auto add = [&local](std::size_t lane, double h) {
    const double h2 = h * h;
    local.abs[lane] += std::fabs(h);
    local.sq[lane] += h2;
    local.cube[lane] += h2 * h;
    local.fourth[lane] += h2 * h2;
  };
  std::size_t i = start;
  for (; i + 8 <= count && (i & 7) == 0; i += 8) {  // eight lanes, as the vector kernel
    if (valid) {
      for (int k = 0; k < 8; ++k) add(k, keep_or_zero(valid[i + k] != 0, z[i + k] - mean));  // NaN where missing: masked
    } else {
      for (int k = 0; k < 8; ++k) add(k, z[i + k] - mean);
    }
  }
  for (; i < count; ++i) add(i & 7, valid ? keep_or_zero(valid[i] != 0, z[i] - mean) : z[i] - mean);
  for (int k = 0; k < 8; ++k) {
    out->abs[k] += local.abs[k];
    out->sq[k] += local.sq[k];
    out->cube[k] += local.cube[k];
    out->fourth[k] += local.fourth[k];
  }
}
void moments_portable(const float* z, const std::uint8_t* valid, std::size_t count, double mean, MomentLanes* out) {
  moments_portable(z, valid, 0, count, mean, out);
}

#if SCARSCOPE_X86_KERNELS
__attribute__((target("avx2"))) void moments_avx2(const float* z, const std::uint8_t* valid, std::size_t count,
                                                  double mean, MomentLanes* out) {
  const __m256d mean4 = _mm256_set1_pd(mean), sign = _mm256_set1_pd(-0.0);
  __m256d abs[2], sq[2], cube[2], fourth[2];
  for (int h = 0; h < 2; ++h) abs[h] = sq[h] = cube[h] = fourth[h] = _mm256_setzero_pd();
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    for (std::size_t h = 0; h < 2; ++h) {
      const std::size_t j = i + 4 * h;
      __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(z + j)), mean4);
      if (valid) d = _mm256_and_pd(d, mask_4x64(valid + j));
      const __m256d d2 = _mm256_mul_pd(d, d);
      abs[h] = _mm256_add_pd(abs[h], _mm256_andnot_pd(sign, d));
      sq[h] = _mm256_add_pd(sq[h], d2);
      cube[h] = _mm256_add_pd(cube[h], _mm256_mul_pd(d2, d));
      fourth[h] = _mm256_add_pd(fourth[h], _mm256_mul_pd(d2, d2));
    }
  }
  double lanes[4][8];
  for (int h = 0; h < 2; ++h) {
    _mm256_storeu_pd(lanes[0] + 4 * h, abs[h]);
    _mm256_storeu_pd(lanes[1] + 4 * h, sq[h]);
    _mm256_storeu_pd(lanes[2] + 4 * h, cube[h]);
    _mm256_storeu_pd(lanes[3] + 4 * h, fourth[h]);
  }
  for (int k = 0; k < 8; ++k) {
    out->abs[k] += lanes[0][k];
    out->sq[k] += lanes[1][k];
    out->cube[k] += lanes[2][k];
    out->fourth[k] += lanes[3][k];
  }
  moments_portable(z, valid, i, count, mean, out);
}
#endif  // SCARSCOPE_X86_KERNELS

// ---- Masks of rows with missing points. ----

// keep[c] = all ones where the cell between columns c and c + 1 of rows v0, v1 has four valid
// corners, else 0, c in [start, count); returns how many have.
unsigned cell_masks_portable(const std::uint8_t* v0, const std::uint8_t* v1, std::size_t start, std::size_t count,
                             std::uint32_t* keep) {
  unsigned cells = 0;
  for (std::size_t c = start; c < count; ++c) {
    const bool ok = (v0[c] != 0) & (v0[c + 1] != 0) & (v1[c] != 0) & (v1[c + 1] != 0);
    keep[c] = 0u - static_cast<std::uint32_t>(ok);
    cells += ok;
  }
  return cells;
}
unsigned cell_masks_portable(const std::uint8_t* v0, const std::uint8_t* v1, std::size_t count, std::uint32_t* keep) {
  return cell_masks_portable(v0, v1, 0, count, keep);
}

// Point c of row vr, c in [start, stop): usable[c] = 1 where it and its four neighbours (vr[c -+ 1],
// vu[c], vd[c]) are valid, general[c] = 1 where it is valid but not usable, else 0; returns how
// many are usable.
unsigned point_masks_portable(const std::uint8_t* vu, const std::uint8_t* vr, const std::uint8_t* vd, std::size_t start,
                              std::size_t stop, std::uint8_t* usable, std::uint8_t* general) {
  unsigned count = 0;
  for (std::size_t c = start; c < stop; ++c) {
    const bool here = vr[c] != 0;
    const bool ok = here & (vr[c - 1] != 0) & (vr[c + 1] != 0) & (vu[c] != 0) & (vd[c] != 0);
    usable[c] = ok;
    general[c] = here & !ok;
    count += ok;
  }
  return count;
}
unsigned point_masks_portable(const std::uint8_t* vu, const std::uint8_t* vr, const std::uint8_t* vd, std::size_t stop,
                              std::uint8_t* usable, std::uint8_t* general) {
  return point_masks_portable(vu, vr, vd, 1, stop, usable, general);
}

// Valid points of a row.
std::size_t row_valid_portable(const std::uint8_t* valid, std::size_t start, std::size_t count) {
  std::size_t n = 0;
  for (std::size_t c = start; c < count; ++c) n += valid[c] != 0;
  return n;
}
std::size_t row_valid_portable(const std::uint8_t* valid, std::size_t count) { return row_valid_portable(valid, 0, count); }

#if SCARSCOPE_X86_KERNELS
// The same three, 32 points a step: a byte's minimum over the points that must all be valid is 0
// where one is not; counts by psadbw over bytes clamped to 0 / 1.
__attribute__((target("avx2"))) inline __m256i load_32(const std::uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
__attribute__((target("avx2"))) inline std::uint64_t sum_64x4(__m256i sums) {
  std::uint64_t lanes[4];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), sums);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

__attribute__((target("avx2"))) unsigned cell_masks_avx2(const std::uint8_t* v0, const std::uint8_t* v1, std::size_t count,
                                                         std::uint32_t* keep) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi8(1);
  __m256i sums = zero;
  std::size_t c = 0;
  for (; c + 32 <= count; c += 32) {  // (reads v0[c + 32], v1[c + 32]: count is columns - 1)
    const __m256i lowest = _mm256_min_epu8(_mm256_min_epu8(load_32(v0 + c), load_32(v0 + c + 1)),
                                           _mm256_min_epu8(load_32(v1 + c), load_32(v1 + c + 1)));
    const __m256i ok = _mm256_xor_si256(_mm256_cmpeq_epi8(lowest, zero), _mm256_set1_epi8(-1));  // 0xff where all valid
    sums = _mm256_add_epi64(sums, _mm256_sad_epu8(_mm256_and_si256(ok, one), zero));
    const __m128i low = _mm256_castsi256_si128(ok), high = _mm256_extracti128_si256(ok, 1);
    __m256i* out = reinterpret_cast<__m256i*>(keep + c);
    _mm256_storeu_si256(out, _mm256_cvtepi8_epi32(low));  // 0xff -> all ones
    _mm256_storeu_si256(out + 1, _mm256_cvtepi8_epi32(_mm_srli_si128(low, 8)));
    _mm256_storeu_si256(out + 2, _mm256_cvtepi8_epi32(high));
    _mm256_storeu_si256(out + 3, _mm256_cvtepi8_epi32(_mm_srli_si128(high, 8)));
  }
  return static_cast<unsigned>(sum_64x4(sums)) + cell_masks_portable(v0, v1, c, count, keep);
}

__attribute__((target("avx2"))) unsigned point_masks_avx2(const std::uint8_t* vu, const std::uint8_t* vr,
                                                          const std::uint8_t* vd, std::size_t stop, std::uint8_t* usable,
                                                          std::uint8_t* general) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi8(1);
  __m256i sums = zero;
  std::size_t c = 1;
  for (; c + 32 <= stop; c += 32) {  // (reads vr[c + 32]: stop is columns - 1)
    const __m256i here = load_32(vr + c);
    const __m256i lowest = _mm256_min_epu8(_mm256_min_epu8(here, _mm256_min_epu8(load_32(vr + c - 1), load_32(vr + c + 1))),
                                           _mm256_min_epu8(load_32(vu + c), load_32(vd + c)));
    const __m256i not_ok = _mm256_cmpeq_epi8(lowest, zero);
    const __m256i ok = _mm256_andnot_si256(not_ok, one);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(usable + c), ok);
    // valid here (not 0) and not usable
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(general + c),
                        _mm256_andnot_si256(_mm256_cmpeq_epi8(here, zero), _mm256_and_si256(not_ok, one)));
    sums = _mm256_add_epi64(sums, _mm256_sad_epu8(ok, zero));
  }
  return static_cast<unsigned>(sum_64x4(sums)) + point_masks_portable(vu, vr, vd, c, stop, usable, general);
}

__attribute__((target("avx2"))) std::size_t row_valid_avx2(const std::uint8_t* valid, std::size_t count) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi8(1);
  __m256i sums = zero;
  std::size_t c = 0;
  for (; c + 32 <= count; c += 32) sums = _mm256_add_epi64(sums, _mm256_sad_epu8(_mm256_min_epu8(load_32(valid + c), one), zero));
  return static_cast<std::size_t>(sum_64x4(sums)) + row_valid_portable(valid, c, count);
}
#endif  // SCARSCOPE_X86_KERNELS

struct Kernels {
  void (*heights)(const float* z, const std::uint8_t* valid, std::size_t count, HeightLanes* out);
  void (*gradients)(const GradientRow& row, double lanes[8]);
  void (*cells)(const CellRow& row, double lanes[8]);
  void (*moments)(const float* z, const std::uint8_t* valid, std::size_t count, double mean, MomentLanes* out);
  unsigned (*cell_masks)(const std::uint8_t* v0, const std::uint8_t* v1, std::size_t count, std::uint32_t* keep);
  unsigned (*point_masks)(const std::uint8_t* vu, const std::uint8_t* vr, const std::uint8_t* vd, std::size_t stop,
                          std::uint8_t* usable, std::uint8_t* general);
  std::size_t (*row_valid)(const std::uint8_t* valid, std::size_t count);
};
#if SCARSCOPE_X86_KERNELS
constexpr Kernels kPortable{heights_portable,    gradients_portable,   cells_sse2,        moments_portable,
                            cell_masks_portable, point_masks_portable, row_valid_portable};
constexpr Kernels kAvx2{heights_avx2,    gradients_avx2,   cells_avx2,    moments_avx2,
                        cell_masks_avx2, point_masks_avx2, row_valid_avx2};
#else
void cells_portable(const CellRow& row, double lanes[8]) { cells_portable(row, 0, lanes); }
constexpr Kernels kPortable{heights_portable,    gradients_portable,   cells_portable,    moments_portable,
                            cell_masks_portable, point_masks_portable, row_valid_portable};
#endif

// ---- The general rules, one point at a time. ----

struct GradientSum {
  double sum = 0.0;
  std::size_t points = 0;
};

// The gradient of the valid point (r, c) by the general rules (grid edges, missing neighbours):
// adds its squared norm and counts it, unless it has no slope to see along an axis. Along each
// axis: central differences (z[after] - z[before]) / (2 spacing) where both neighbours are valid,
// one-sided (z[after] - z) / spacing or (z - z[before]) / spacing where only one is; along an axis
// of a single point there is no slope to see (zero). These points sit next to missing ones, at
// random: the rules are taken by selecting the neighbours' indices and the divisor rather than by
// branches (the same operands, so the same bits as taking each case on its own).
void add_general_gradient(const HeightMap& map, int r, int c, GradientSum* out) {
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();
  const int nx = map.nx(), ny = map.ny();
  const std::size_t i = map.index(r, c), row_step = static_cast<std::size_t>(nx);
  const bool left = c > 0 && valid[i - (c > 0 ? 1 : 0)];
  const bool right = c + 1 < nx && valid[i + (c + 1 < nx ? 1 : 0)];
  const bool up = r > 0 && valid[i - (r > 0 ? row_step : 0)];
  const bool down = r + 1 < ny && valid[i + (r + 1 < ny ? row_step : 0)];
  if ((nx > 1 && !(left || right)) || (ny > 1 && !(up || down))) return;
  const double dx = map.dx_um(), dy = map.dy_um();
  const double gx =
      nx > 1 ? (static_cast<double>(z[right ? i + 1 : i]) - z[left ? i - 1 : i]) / (left && right ? 2.0 * dx : dx) : 0.0;
  const double gy = ny > 1 ? (static_cast<double>(z[down ? i + row_step : i]) - z[up ? i - row_step : i]) /
                                 (up && down ? 2.0 * dy : dy)
                           : 0.0;
  out->sum += gx * gx + gy * gy;
  ++out->points;
}

// Gradients of row r (0 < r < ny - 1, nx >= 3): central differences at every inner point whose
// four neighbours are valid (all of them when the three rows are complete) by the kernel, the
// general rules at the row's ends and next to missing points. `scratch` holds 2 nx bytes.
void add_row_gradients(const HeightMap& map, int r, bool neighbourhood_complete, const Kernels& kernels,
                       std::uint8_t* scratch, GradientSum* out) {
  const int nx = map.nx();
  const std::size_t row_step = static_cast<std::size_t>(nx);
  const float* zr = map.heights() + map.index(r, 0);
  GradientRow row{zr, zr + 2, zr - row_step + 1, zr + row_step + 1, nullptr, static_cast<std::size_t>(nx - 2),
                  0.5 / map.dx_um(), 0.5 / map.dy_um()};
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (neighbourhood_complete) {
    kernels.gradients(row, lanes);
    out->points += row.count;
    add_general_gradient(map, r, 0, out);
    add_general_gradient(map, r, nx - 1, out);
  } else {
    const std::uint8_t* vr = map.mask() + map.index(r, 0);
    const std::uint8_t* vu = vr - row_step;
    const std::uint8_t* vd = vr + row_step;
    std::uint8_t* usable = scratch;        // all four neighbours valid: the kernel's central differences
    std::uint8_t* general = scratch + nx;  // valid, but not usable: the general rules
    usable[0] = usable[nx - 1] = 0;
    general[0] = vr[0] != 0;
    general[nx - 1] = vr[nx - 1] != 0;
    const unsigned count = kernels.point_masks(vu, vr, vd, static_cast<std::size_t>(nx - 1), usable, general);
    row.usable = usable + 1;
    kernels.gradients(row, lanes);
    out->points += count;
    // Eight flags at a time: most words have none.
    int c = 0;
    for (; c + 8 <= nx; c += 8) {
      std::uint64_t word;
      std::memcpy(&word, general + c, sizeof word);
      if (word == 0) continue;
      for (int j = c; j < c + 8; ++j) {
        if (general[j]) add_general_gradient(map, r, j, out);
      }
    }
    for (; c < nx; ++c) {
      if (general[c]) add_general_gradient(map, r, c, out);
    }
  }
  out->sum += lane_total(lanes);
}

SurfaceParameters compute(const HeightMap& map, const Kernels& kernels) {
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();
  const int nx = map.nx();
  const int ny = map.ny();
  const std::size_t columns = static_cast<std::size_t>(nx);
  const float inv_dx_f = static_cast<float>(1.0 / map.dx_um()), inv_dy_f = static_cast<float>(1.0 / map.dy_um());
  std::vector<std::uint32_t> keep(columns);  // per cell of a row: all four corners valid
  std::vector<std::uint8_t> scratch(2 * columns);

  std::vector<std::uint8_t> complete(static_cast<std::size_t>(ny));
  for (int r = 0; r < ny; ++r) {
    complete[static_cast<std::size_t>(r)] = std::memchr(valid + map.index(r, 0), 0, columns) == nullptr;
  }
  auto is_complete = [&](int r) { return complete[static_cast<std::size_t>(r)] != 0; };

  std::size_t n = 0;
  double sum = 0.0;
  float highest = -kInfinity, lowest = kInfinity;
  GradientSum gradients;
  double area_excess = 0.0;  // in units of dx dy / 4
  std::size_t cells = 0;
  for (int r = 0; r < ny; ++r) {
    const float* zr = z + map.index(r, 0);
    const std::uint8_t* vr = valid + map.index(r, 0);
    // Heights.
    HeightLanes heights;
    if (is_complete(r)) {
      kernels.heights(zr, nullptr, columns, &heights);
      n += columns;
    } else {
      kernels.heights(zr, vr, columns, &heights);
      n += kernels.row_valid(vr, columns);
    }
    sum += lane_total(heights.sum);
    highest = std::max(highest, heights.highest);
    lowest = std::min(lowest, heights.lowest);
    // Gradients.
    if (r > 0 && r + 1 < ny && nx >= 3) {
      add_row_gradients(map, r, is_complete(r - 1) && is_complete(r) && is_complete(r + 1), kernels, scratch.data(),
                        &gradients);
    } else {
      for (int c = 0; c < nx; ++c) {
        if (vr[c]) add_general_gradient(map, r, c, &gradients);
      }
    }
    // Cells between this row and the next.
    if (r + 1 < ny && nx > 1) {
      CellRow row{zr, zr + columns, nullptr, columns - 1, inv_dx_f, inv_dy_f};
      std::size_t row_cells = row.count;
      if (!(is_complete(r) && is_complete(r + 1))) {
        // A cell with a missing corner (NaN heights) adds nothing: its slopes are masked to 0.
        row_cells = kernels.cell_masks(vr, vr + columns, row.count, keep.data());
        row.keep = keep.data();
      }
      if (row_cells > 0) {
        double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        kernels.cells(row, lanes);
        area_excess += lane_total(lanes);
        cells += row_cells;
      }
    }
  }
  if (n == 0) {
    throw InputError("surface parameters: the height map has no valid points");
  }
  const double mean = sum / static_cast<double>(n);

  double abs_sum = 0.0, sq_sum = 0.0, cube_sum = 0.0, fourth_sum = 0.0;
  for (int r = 0; r < ny; ++r) {
    MomentLanes moments;
    kernels.moments(z + map.index(r, 0), is_complete(r) ? nullptr : valid + map.index(r, 0), columns, mean, &moments);
    abs_sum += lane_total(moments.abs);
    sq_sum += lane_total(moments.sq);
    cube_sum += lane_total(moments.cube);
    fourth_sum += lane_total(moments.fourth);
  }
  const double points = static_cast<double>(n);
  SurfaceParameters p;
  p.Sa_um = abs_sum / points;
  p.Sq_um = std::sqrt(sq_sum / points);
  p.Sp_um = highest - mean;  // the same double as the largest z - mean (rounding is monotonic)
  p.Sv_um = -(lowest - mean);
  p.Sz_um = p.Sp_um + p.Sv_um;
  // Skewness and kurtosis are undefined on a flat surface; report 0 rather than NaN in JSON.
  if (p.Sq_um > 0.0) {
    const double sq2 = p.Sq_um * p.Sq_um;
    p.Ssk = cube_sum / points / (sq2 * p.Sq_um);
    p.Sku = fourth_sum / points / (sq2 * sq2);
  }
  if (gradients.points > 0) p.Sdq = std::sqrt(gradients.sum / static_cast<double>(gradients.points));
  if (cells > 0) {
    p.Sdr_pct = 100.0 * area_excess / (4.0 * static_cast<double>(cells));
  }
  return p;
}

}  // namespace

namespace detail {
SurfaceParameters compute_surface_parameters_baseline(const HeightMap& map) { return compute(map, kPortable); }
}  // namespace detail

SurfaceParameters compute_surface_parameters(const HeightMap& map) {
#if SCARSCOPE_X86_KERNELS
  return compute(map, cpu_has_avx2() ? kAvx2 : kPortable);
#else
  return compute(map, kPortable);
#endif
}

const char* sdq_method_name(SdqMethod method) {
  return method == SdqMethod::two_point ? "two-point" : "central-differences";
}

double two_point_sdq(const HeightMap& map) {
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();
  const int nx = map.nx(), ny = map.ny();
  double sum_x = 0.0, sum_y = 0.0;
  std::size_t pairs_x = 0, pairs_y = 0;
  for (int r = 0; r < ny; ++r) {
    const std::size_t row = map.index(r, 0);
    for (int c = 0; c < nx; ++c) {
      const std::size_t i = row + static_cast<std::size_t>(c);
      if (!valid[i]) continue;
      if (c + 1 < nx && valid[i + 1]) {
        const double g = (static_cast<double>(z[i + 1]) - z[i]) / map.dx_um();
        sum_x += g * g;
        ++pairs_x;
      }
      if (r + 1 < ny && valid[i + static_cast<std::size_t>(nx)]) {
        const double g = (static_cast<double>(z[i + static_cast<std::size_t>(nx)]) - z[i]) / map.dy_um();
        sum_y += g * g;
        ++pairs_y;
      }
    }
  }
  const double mean_x = pairs_x ? sum_x / static_cast<double>(pairs_x) : 0.0;
  const double mean_y = pairs_y ? sum_y / static_cast<double>(pairs_y) : 0.0;
  return std::sqrt(mean_x + mean_y);
}

SurfaceParameters compute_surface_parameters(const HeightMap& map, SdqMethod sdq) {
  SurfaceParameters p = compute_surface_parameters(map);
  if (sdq == SdqMethod::two_point) p.Sdq = two_point_sdq(map);
  return p;
}

nlohmann::json surface_parameters_json(const SurfaceParameters& parameters) {
  return nlohmann::json{{"Sa_um", parameters.Sa_um},   {"Sq_um", parameters.Sq_um}, {"Sp_um", parameters.Sp_um},
                        {"Sv_um", parameters.Sv_um},   {"Sz_um", parameters.Sz_um}, {"Ssk", parameters.Ssk},
                        {"Sku", parameters.Sku},       {"Sdq", parameters.Sdq},     {"Sdr_pct", parameters.Sdr_pct}};
}

}  // namespace scarscope
