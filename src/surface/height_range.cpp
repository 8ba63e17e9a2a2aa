#include "surface/height_range.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
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
  std::vector<float> lattice_z;
  std::vector<std::uint8_t> lattice_ok;
  const auto gather = [&] {
    sampled = 0;
    sum = 0.0;
    const std::size_t columns = sample.columns.size();
    lattice_z.resize(sample.rows.size() * columns);
    lattice_ok.resize(lattice_z.size());
    for (std::size_t row = 0; row < sample.rows.size(); ++row) {
      const float* z = map.heights() + map.index(sample.rows[row], 0);
      const std::uint8_t* mask = map.mask() + map.index(sample.rows[row], 0);
      float* out_z = lattice_z.data() + row * columns;
      std::uint8_t* out_ok = lattice_ok.data() + row * columns;
      for (std::size_t k = 0; k < columns; ++k) {
        const int c = sample.columns[k];
        out_z[k] = z[c];
        out_ok[k] = mask[c] != 0 && std::isfinite(z[c]) ? 1 : 0;
        if (!out_ok[k]) continue;
        ++sampled;
        sum += z[c];
      }
    }
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
