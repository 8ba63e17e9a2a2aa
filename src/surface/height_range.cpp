#include "surface/height_range.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/x86_kernels.h"
#include "core/selection.h"
#include "surface/polynomial_surface.h"

namespace scarscope {
namespace {

// At most about this many points are fitted (a lattice of every step-th row and column).
constexpr double kFittedPoints = 250000.0;

// "1.5e+09" or "25.3": three significant digits, whatever the process locale.
std::string significant(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value, std::chars_format::general, 3);
  return std::string(text, result.ptr);
}

struct Lattice {
  std::vector<double> u;         // scaled x of each lattice column
  std::vector<int> columns;
  std::vector<int> rows;
};

Lattice lattice(const HeightMap& map, int step) {
  Lattice l;
  const double cx = 0.5 * (map.nx() - 1), hx = map.nx() > 1 ? cx : 1.0;
  for (int c = 0; c < map.nx(); c += step) {
    l.columns.push_back(c);
    l.u.push_back((c - cx) / hx);
  }
  for (int r = 0; r < map.ny(); r += step) l.rows.push_back(r);
  return l;
}

double scaled_y(const HeightMap& map, int row) {
  const double cy = 0.5 * (map.ny() - 1), hy = map.ny() > 1 ? cy : 1.0;
  return (row - cy) / hy;
}

// Whether every valid height of z[start..n) lies within [low, high] (float bounds: a branch-free
// pass that vectorises; not finite counts as out).
bool all_valid_within_portable(const float* z, const std::uint8_t* mask, std::size_t start, std::size_t n, float low,
                               float high) {
  // (Flags as 32-bit integers: with bools GCC 12 does not vectorise it.)
  std::uint32_t any_out = 0;
  for (std::size_t i = start; i < n; ++i) {
    const std::uint32_t valid = mask[i] != 0 ? 1u : 0u;
    const std::uint32_t inside = (z[i] >= low ? 1u : 0u) & (z[i] <= high ? 1u : 0u);
    any_out |= valid & ~inside;
  }
  return any_out == 0;
}

#if SCARSCOPE_X86_KERNELS
// The same eight points a step (the check runs over every point of the scan).
__attribute__((target("avx2"))) bool all_valid_within_avx2(const float* z, const std::uint8_t* mask, std::size_t n,
                                                           float low, float high) {
  const __m256 low8 = _mm256_set1_ps(low), high8 = _mm256_set1_ps(high);
  __m256i any_out = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i valid = _mm256_cmpgt_epi32(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mask + i))), _mm256_setzero_si256());
    const __m256 h = _mm256_loadu_ps(z + i);
    // (Ordered comparisons: false for NaN, as z >= low and z <= high are.)
    const __m256 inside = _mm256_and_ps(_mm256_cmp_ps(h, low8, _CMP_GE_OQ), _mm256_cmp_ps(h, high8, _CMP_LE_OQ));
    any_out = _mm256_or_si256(any_out, _mm256_andnot_si256(_mm256_castps_si256(inside), valid));
  }
  return _mm256_testz_si256(any_out, any_out) && all_valid_within_portable(z, mask, i, n, low, high);
}
#endif  // SCARSCOPE_X86_KERNELS

bool all_valid_within(const float* z, const std::uint8_t* mask, std::size_t n, float low, float high) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return all_valid_within_avx2(z, mask, n, low, high);
#endif
  return all_valid_within_portable(z, mask, 0, n, low, high);
}

// The lattice's usable points (valid and finite) and the sum of their heights in double, added in
// the lattice's order.
struct LatticeSums {
  std::size_t usable = 0;
  double total = 0.0;
};

// Row `z` / `mask` (nx points) at columns k step, k in [start, columns): the heights to out_z, 1 to
// out_ok where usable, else 0. Branch-free: an unusable point adds +0 to the sum, which leaves it as
// it was (it starts at +0 and so is never -0).
void gather_lattice_row_portable(const float* z, const std::uint8_t* mask, std::size_t step, std::size_t start,
                                 std::size_t columns, float* out_z, std::uint8_t* out_ok, LatticeSums* sums) {
  std::size_t usable = 0;
  double total = sums->total;
  for (std::size_t k = start; k < columns; ++k) {
    const float h = z[k * step];
    const bool ok = (mask[k * step] != 0) & ((std::bit_cast<std::uint32_t>(h) & 0x7f800000u) != 0x7f800000u);
    out_z[k] = h;
    out_ok[k] = ok ? 1 : 0;
    usable += ok ? 1 : 0;
    total += std::bit_cast<double>(std::bit_cast<std::uint64_t>(static_cast<double>(h)) &
                                   (std::uint64_t{0} - static_cast<std::uint64_t>(ok)));
  }
  sums->usable += usable;
  sums->total = total;
}

#if SCARSCOPE_X86_KERNELS
// Eight lattice points a step (gathered when step > 1); the sum still adds them one by one in order.
__attribute__((target("avx2"))) void gather_lattice_row_avx2(const float* z, const std::uint8_t* mask, std::size_t nx,
                                                             std::size_t step, std::size_t columns, float* out_z,
                                                             std::uint8_t* out_ok, LatticeSums* sums) {
  const __m256i exponent = _mm256_set1_epi32(0x7f800000), low_byte = _mm256_set1_epi32(0xff);
  const auto stride = static_cast<int>(step);
  const __m256i lanes = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
  __m256i usable = _mm256_setzero_si256();
  double total = sums->total;
  std::size_t k = 0;
  // (The mask's bytes are gathered as 32-bit words: the last one read must end within the row.)
  for (; k + 8 <= columns && (k + 7) * step + 4 <= nx; k += 8) {
    __m256 h;
    __m256i valid;
    if (step == 1) {
      h = _mm256_loadu_ps(z + k);
      valid = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mask + k)));
    } else {
      const __m256i at = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(k * step)), lanes);
      h = _mm256_i32gather_ps(z, at, 4);
      valid = _mm256_and_si256(_mm256_i32gather_epi32(reinterpret_cast<const int*>(mask), at, 1), low_byte);
    }
    const __m256i bits = _mm256_castps_si256(h);
    const __m256i ok = _mm256_andnot_si256(_mm256_cmpeq_epi32(_mm256_and_si256(bits, exponent), exponent),
                                           _mm256_cmpgt_epi32(valid, _mm256_setzero_si256()));
    _mm256_storeu_ps(out_z + k, h);
    const __m128i ok16 = _mm_packs_epi32(_mm256_castsi256_si128(ok), _mm256_extracti128_si256(ok, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out_ok + k), _mm_and_si128(_mm_packs_epi16(ok16, ok16), _mm_set1_epi8(1)));
    usable = _mm256_sub_epi32(usable, ok);
    for (int half = 0; half < 2; ++half) {
      const __m128 h4 = half == 0 ? _mm256_castps256_ps128(h) : _mm256_extractf128_ps(h, 1);
      const __m128i ok4 = half == 0 ? _mm256_castsi256_si128(ok) : _mm256_extracti128_si256(ok, 1);
      const __m256d v = _mm256_and_pd(_mm256_cvtps_pd(h4), _mm256_castsi256_pd(_mm256_cvtepi32_epi64(ok4)));
      const __m128d v01 = _mm256_castpd256_pd128(v), v23 = _mm256_extractf128_pd(v, 1);
      total += _mm_cvtsd_f64(v01);
      total += _mm_cvtsd_f64(_mm_unpackhi_pd(v01, v01));
      total += _mm_cvtsd_f64(v23);
      total += _mm_cvtsd_f64(_mm_unpackhi_pd(v23, v23));
    }
  }
  std::uint32_t counts[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(counts), usable);
  for (const std::uint32_t count : counts) sums->usable += count;
  sums->total = total;
  gather_lattice_row_portable(z, mask, step, k, columns, out_z, out_ok, sums);
}
#endif  // SCARSCOPE_X86_KERNELS

void gather_lattice_row(const float* z, const std::uint8_t* mask, std::size_t nx, std::size_t step, std::size_t columns,
                        float* out_z, std::uint8_t* out_ok, LatticeSums* sums) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return gather_lattice_row_avx2(z, mask, nx, step, columns, out_z, out_ok, sums);
#endif
  gather_lattice_row_portable(z, mask, step, 0, columns, out_z, out_ok, sums);
}

// The extremes of the residuals z[k] - offset - form[k] at the points where ok[k] != 0, k < n,
// merged into low / high (a NaN residual is never taken, as with std::min / std::max, but sets
// any_nan).
struct ResidualExtremes {
  double low = std::numeric_limits<double>::infinity(), high = -std::numeric_limits<double>::infinity();
  bool any_nan = false;
};

void residual_extremes_portable(const float* z, const std::uint8_t* ok, const double* form, std::size_t start,
                                std::size_t n, double offset, ResidualExtremes* out) {
  double low = out->low, high = out->high;
  bool any_nan = false;
  for (std::size_t k = start; k < n; ++k) {
    if (!ok[k]) continue;
    const double residual = z[k] - offset - form[k];
    low = std::min(low, residual);
    high = std::max(high, residual);
    any_nan |= std::isnan(residual);
  }
  out->low = low;
  out->high = high;
  out->any_nan = out->any_nan || any_nan;
}

#if SCARSCOPE_X86_KERNELS
// Four points a step, extremes per lane. The same values as the portable code; only where +0 and
// -0 tie for an extreme may the other zero be kept, which no use of the extremes can tell apart
// (they are compared and added to non-zero bounds).
__attribute__((target("avx2"))) void residual_extremes_avx2(const float* z, const std::uint8_t* ok, const double* form,
                                                            std::size_t n, double offset, ResidualExtremes* out) {
  const __m256d plus_inf = _mm256_set1_pd(std::numeric_limits<double>::infinity());
  const __m256d minus_inf = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
  const __m256d offset4 = _mm256_set1_pd(offset);
  __m256d low = plus_inf, high = minus_inf, nan = _mm256_setzero_pd();
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    std::int32_t word;
    std::memcpy(&word, ok + k, sizeof word);
    const __m256d keep = _mm256_castsi256_pd(
        _mm256_cmpgt_epi64(_mm256_cvtepu8_epi64(_mm_cvtsi32_si128(word)), _mm256_setzero_si256()));
    const __m256d residual =
        _mm256_sub_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(z + k)), offset4), _mm256_loadu_pd(form + k));
    // (min_pd / max_pd return the second operand when the first is NaN: the NaN is not taken.)
    low = _mm256_min_pd(_mm256_blendv_pd(plus_inf, residual, keep), low);
    high = _mm256_max_pd(_mm256_blendv_pd(minus_inf, residual, keep), high);
    nan = _mm256_or_pd(nan, _mm256_and_pd(keep, _mm256_cmp_pd(residual, residual, _CMP_UNORD_Q)));
  }
  double lows[4], highs[4];
  _mm256_storeu_pd(lows, low);
  _mm256_storeu_pd(highs, high);
  for (int lane = 0; lane < 4; ++lane) {
    out->low = std::min(out->low, lows[lane]);
    out->high = std::max(out->high, highs[lane]);
  }
  out->any_nan = out->any_nan || !_mm256_testz_pd(nan, nan);
  residual_extremes_portable(z, ok, form, k, n, offset, out);
}
#endif  // SCARSCOPE_X86_KERNELS

void residual_extremes(const float* z, const std::uint8_t* ok, const double* form, std::size_t n, double offset,
                       ResidualExtremes* out) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return residual_extremes_avx2(z, ok, form, n, offset, out);
#endif
  residual_extremes_portable(z, ok, form, 0, n, offset, out);
}

// The lowest and highest values of a + b u + c u^2 over -1 <= u <= 1.
std::pair<double, double> quadratic_range(double a, double b, double c) {
  const double left = a - b + c, right = a + b + c;
  double low = std::min(left, right), high = std::max(left, right);
  if (c != 0.0 && std::fabs(b) < 2.0 * std::fabs(c)) {  // the vertex lies inside
    const double vertex = a - b * b / (4.0 * c);
    low = std::min(low, vertex);
    high = std::max(high, vertex);
  }
  return {low, high};
}

// The valid height furthest from zero beyond kMaxHeightUm, refused.
void check_height_magnitude(const HeightMap& map) {
  // A branch-free pass first (heights are normally far within range; not finite counts as out).
  bool any_out = false;
  // (In float: 1e6 is one exactly, so the comparison is the same and vectorises.)
  constexpr auto limit = static_cast<float>(kMaxHeightUm);
  static_assert(static_cast<double>(limit) == kMaxHeightUm);
  for (std::size_t i = 0; i < map.size(); ++i) any_out |= (map.mask()[i] != 0) & !(std::fabs(map.heights()[i]) <= limit);
  if (!any_out) return;
  double worst = kMaxHeightUm;
  std::size_t worst_at = map.size();
  for (std::size_t i = 0; i < map.size(); ++i) {
    const double magnitude = std::fabs(map.heights()[i]);
    if (map.mask()[i] && !(magnitude <= worst)) {
      worst = std::isfinite(magnitude) ? magnitude : std::numeric_limits<double>::infinity();
      worst_at = i;
    }
  }
  if (worst_at == map.size()) return;
  const std::string name = map.metadata.source_file.empty() ? "scan" : map.metadata.source_file;
  const auto row = worst_at / static_cast<std::size_t>(map.nx()), col = worst_at % static_cast<std::size_t>(map.nx());
  throw InputError(name + ": a height lies " + significant(worst / 1e6) + " m from zero at row " + std::to_string(row) +
                       ", column " + std::to_string(col) + "; heights are held to 0.06 um only within " +
                       significant(kMaxHeightUm / 1e6) +
                       " m of zero, and no skin scanner reports them further out (check the height unit, --units, or the file)",
                   ErrorCode::out_of_range, "heights");
}

// The relief about a quadratic form, refused beyond max_relief_um from its median. Sets
// `magnitude_checked` when it found every valid height within kMaxHeightUm of zero on the way.
void check_relief(const HeightMap& map, double max_relief_um, bool& magnitude_checked) {
  const std::size_t valid_points = map.valid_count();
  if (valid_points < 6) return;
  int step = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(valid_points) / kFittedPoints)));
  // The lattice's points; all of them when a sparse scan leaves too few on the lattice.
  Lattice sample = lattice(map, step);
  std::size_t sampled = 0;
  double sum = 0.0;
  // The lattice's heights and whether each is usable, gathered once into contiguous rows (the fit
  // and its residuals then read them, not the scan's strided rows).
  // (Not zero-filled first: every element is written.)
  std::vector<float, detail::DefaultInitAllocator<float>> lattice_z;
  std::vector<std::uint8_t, detail::DefaultInitAllocator<std::uint8_t>> lattice_ok;
  const auto gather = [&] {
    const std::size_t columns = sample.columns.size();
    lattice_z.resize(sample.rows.size() * columns);
    lattice_ok.resize(lattice_z.size());
    LatticeSums sums;
    for (std::size_t row = 0; row < sample.rows.size(); ++row) {
      // (Column k is k step, on a row of nx points.)
      gather_lattice_row(map.heights() + map.index(sample.rows[row], 0), map.mask() + map.index(sample.rows[row], 0),
                         static_cast<std::size_t>(map.nx()), static_cast<std::size_t>(step), columns,
                         lattice_z.data() + row * columns, lattice_ok.data() + row * columns, &sums);
    }
    sampled = sums.usable;
    sum = sums.total;
  };
  gather();
  if (sampled < 6 && step > 1) {
    step = 1;
    sample = lattice(map, step);
    gather();
  }
  if (sampled < 6) return;
  // Heights about their mean: a scanner's working distance (100 mm and more) costs no precision.
  const double offset = sum / static_cast<double>(sampled);
  const std::size_t columns = sample.columns.size();
  std::vector<std::uint8_t> keep(columns);
  std::vector<double> form_row(columns);
  std::vector<double> residuals;
  // The form and the median of the heights about it, over the lattice points `inside` accepts
  // (every usable one when `inside` is null). The median is only needed when the residuals spread
  // over more than max_relief_um: within that spread the median lies between the lowest and the
  // highest residual, which bound it as well (below), so the selection is skipped (`median_known`).
  PolynomialSurface form;
  double median = 0.0;
  bool median_known = false;
  double lowest = 0.0, highest = 0.0;  // the fitted points' residuals lie within [lowest, highest]
  bool all_within = false;  // every point fitted lies within max_relief_um of the form's median
  // The residuals of the fitted points about `form`: their extremes, and the median when `select`.
  // Returns whether the median is needed after all (not selected, and the extremes cannot settle
  // all_within).
  const auto measure_residuals = [&](auto&& inside, bool select) {
    residuals.resize(select ? sampled : 0);  // at least the points kept
    std::size_t count = 0;
    // (Extremes in locals: kept in the captured variables, each would go through memory per point.)
    double low = std::numeric_limits<double>::infinity(), high = -low;
    bool any_nan = false;
    for (std::size_t row = 0; row < sample.rows.size(); ++row) {
      const int r = sample.rows[row];
      const float* z = lattice_z.data() + row * columns;
      const std::uint8_t* ok = lattice_ok.data() + row * columns;
      form.evaluate_row(scaled_y(map, r), sample.u, form_row.data());
      if constexpr (std::is_same_v<std::decay_t<decltype(inside)>, std::nullptr_t>) {
        if (!select) {  // the usual call: the extremes alone, by a vectorised kernel
          ResidualExtremes extremes{low, high, any_nan};
          residual_extremes(z, ok, form_row.data(), columns, offset, &extremes);
          low = extremes.low;
          high = extremes.high;
          any_nan = extremes.any_nan;
          continue;
        }
      }
      for (std::size_t k = 0; k < columns; ++k) {
        if (!ok[k]) continue;
        if constexpr (!std::is_same_v<std::decay_t<decltype(inside)>, std::nullptr_t>) {
          if (!inside(r, k)) continue;
        }
        const double residual = z[k] - offset - form_row[k];
        if (select) residuals[count++] = residual;
        low = std::min(low, residual);
        high = std::max(high, residual);
        any_nan |= std::isnan(residual);
      }
    }
    lowest = low;
    highest = high;
    if (!select && !any_nan && highest - lowest <= max_relief_um) {
      // lowest <= median <= highest, so highest - median <= highest - lowest and median - lowest
      // too (rounding is monotone): every residual is within.
      median_known = false;
      all_within = true;
      return false;
    }
    if (!select) return true;
    residuals.resize(count);
    median_known = true;
    if (any_nan) {  // (a form that overflowed: no order, and no point within)
      const auto middle = residuals.begin() + static_cast<std::ptrdiff_t>(residuals.size() / 2);
      std::nth_element(residuals.begin(), middle, residuals.end());
      median = *middle;
      all_within = false;
      return false;
    }
    median = kth_smallest(residuals, residuals.size() / 2);  // nth_element's value, found faster
    // Every residual within: |((z - offset) - form) - median| <= max_relief_um, the arithmetic of
    // `within` below. Rounding is monotone, so the extremes decide.
    all_within = highest - median <= max_relief_um && median - lowest <= max_relief_um;
    return false;
  };
  const auto fit_form = [&](auto&& inside, bool select) {
    PolynomialFit fit(2, sample.u);
    for (std::size_t row = 0; row < sample.rows.size(); ++row) {
      const int r = sample.rows[row];
      const std::uint8_t* ok = lattice_ok.data() + row * columns;
      if constexpr (!std::is_same_v<std::decay_t<decltype(inside)>, std::nullptr_t>) {
        for (std::size_t k = 0; k < columns; ++k) keep[k] = ok[k] && inside(r, k) ? 1 : 0;
        ok = keep.data();
      }
      fit.add_row(scaled_y(map, r), lattice_z.data() + row * columns, ok, 1, offset);
    }
    if (fit.points() < 6) return false;
    form = fit.solve();
    if (measure_residuals(inside, select)) measure_residuals(inside, true);
    return true;
  };
  fit_form(nullptr, false);
  // Once more without the points the first fit puts out of range (a corrupt patch drags a least-squares
  // form towards itself), so that the distance reported is the patch's from the skin.
  const PolynomialSurface first = form;
  const double first_median = median;
  std::vector<double> first_row(sample.columns.size());
  int first_row_index = -1;
  const auto within = [&](int r, std::size_t k) {
    if (r != first_row_index) {
      first.evaluate_row(scaled_y(map, r), sample.u, first_row.data());
      first_row_index = r;
    }
    const double deviation = map.heights()[map.index(r, sample.columns[k])] - offset - first_row[k] - first_median;
    return std::fabs(deviation) <= max_relief_um;
  };
  // (With every point of the first fit within, `within` keeps them all: the same fit again, skipped.
  // The first fit's median is known whenever not every point is within.)
  if (!all_within && !fit_form(within, true)) {
    form = first;
    median = first_median;
    median_known = true;
  }

  // Every valid point against it; the farthest is named. Usually a bound settles it in one pass
  // over the heights alone, the magnitude's check with it: along a row the quadratic form is a
  // parabola in x (|x| <= 1 on the scaled grid), whose lowest and highest values are known, and a
  // height of the row within [low, high] is within max_relief_um of the median wherever it lies (the
  // margin is far above the rounding of either arithmetic). Only a scan that fails it gets the
  // exact pass.
  if (form.coefficients.size() == 6) {
    const std::vector<double>& k = form.coefficients;  // 1, x, y, x^2, xy, y^2
    double reach = 0.0;
    for (const double coefficient : k) reach += std::fabs(coefficient);
    // The median, or where the residuals put it (the bounds below then only tighten).
    const double median_low = median_known ? median : lowest, median_high = median_known ? median : highest;
    const double scale = std::fabs(offset) + reach + std::max(std::fabs(median_low), std::fabs(median_high)) + max_relief_um;
    const double margin = 2e-9 * scale + 1e-3;
    constexpr auto limit = static_cast<float>(kMaxHeightUm);
    bool settled = std::isfinite(scale);
    for (int r = 0; settled && r < map.ny(); ++r) {
      const double y = scaled_y(map, r);
      const auto [form_low, form_high] = quadratic_range(k[0] + k[2] * y + k[5] * y * y, k[1] + k[4] * y, k[3]);
      const double high = max_relief_um - margin + offset + form_low + median_low;
      const double low = -(max_relief_um - margin) + offset + form_high + median_high;
      // Float bounds inside the double ones.
      float high_f = static_cast<float>(std::min(high, static_cast<double>(limit)));
      if (static_cast<double>(high_f) > high) high_f = std::nextafter(high_f, -limit);
      float low_f = static_cast<float>(std::max(low, -static_cast<double>(limit)));
      if (static_cast<double>(low_f) < low) low_f = std::nextafter(low_f, limit);
      settled = low_f <= high_f && all_valid_within(map.heights() + map.index(r, 0), map.mask() + map.index(r, 0),
                                                    static_cast<std::size_t>(map.nx()), low_f, high_f);
    }
    if (settled) {
      magnitude_checked = true;
      return;
    }
  }
  if (!median_known) measure_residuals(nullptr, true);  // the first fit's (all_within: no second)
  const Lattice full = lattice(map, 1);
  form_row.resize(full.u.size());
  double worst = 0.0;
  int worst_row = -1, worst_col = -1;
  double worst_signed = 0.0;
  for (int r = 0; r < map.ny(); ++r) {
    form.evaluate_row(scaled_y(map, r), full.u, form_row.data());
    const float* row_z = map.heights() + map.index(r, 0);
    const std::uint8_t* row_valid = map.mask() + map.index(r, 0);
    // A branch-free pass first (the usual row has no point out of range); the points are named
    // only on a row that has one. Not finite counts as out of range, as below.
    bool out_of_range = false;
    for (int c = 0; c < map.nx(); ++c) {
      const double deviation = row_z[c] - offset - form_row[static_cast<std::size_t>(c)] - median;
      out_of_range |= (row_valid[c] != 0) & !(std::fabs(deviation) <= max_relief_um);
    }
    if (!out_of_range) continue;
    for (int c = 0; c < map.nx(); ++c) {
      if (!row_valid[c]) continue;
      const double deviation = row_z[c] - offset - form_row[static_cast<std::size_t>(c)] - median;
      // Not finite (an infinite height, or a fit that overflowed): as far out as can be.
      const double distance = std::isfinite(deviation) ? std::fabs(deviation) : std::numeric_limits<double>::infinity();
      if (distance > max_relief_um && distance > worst) {
        worst = distance;
        worst_signed = deviation;
        worst_row = r;
        worst_col = c;
      }
    }
  }
  if (worst_row < 0) return;
  const std::string name = map.metadata.source_file.empty() ? "scan" : map.metadata.source_file;
  const std::string where = "row " + std::to_string(worst_row) + ", column " + std::to_string(worst_col);
  const std::string how_far = std::isfinite(worst_signed)
                                  ? significant(std::fabs(worst_signed) / 1000.0) + " mm " + (worst_signed < 0 ? "below" : "above")
                                  : "infinitely far from";
  throw InputError(name + ": a height lies " + how_far + " the skin's median at " + where +
                       " (after a quadratic form is removed); skin relief stays within " +
                       significant(max_relief_um / 1000.0) +
                       " mm of it, so this is not a skin scan as read (check the height unit, --units, or the file)",
                   ErrorCode::out_of_range, "heights");
}

}  // namespace

void check_height_range(const HeightMap& map, double max_relief_um) {
  bool magnitude_checked = false;
  check_relief(map, max_relief_um, magnitude_checked);
  if (!magnitude_checked) check_height_magnitude(map);
}

}  // namespace scarscope
