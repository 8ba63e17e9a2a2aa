#include "surface/polynomial_surface.h"

#include <algorithm>
#include <cstring>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "core/x86_kernels.h"

namespace scarscope {
namespace {

// Powers of each column's x, padded to a fixed count so that a row's sums stay in registers (the
// padding's products are never used); each sum still adds its points in the same order.
constexpr int kPaddedPowers = 2 * kMaxPolynomialDegree + 2;  // >= 2 * 4 + 1
constexpr int kDataPowers = kMaxPolynomialDegree + 2;        // >= 4 + 1

// out[i] = sum over p of in_x[p] x[i]^p, the powers as running products, added from p = 0: with
// the degree known to the compiler the loop over the points vectorises (the height check
// evaluates a form at every point of a scan), each point's arithmetic unchanged.
template <int Degree>
[[gnu::always_inline]] inline void evaluate_in_x_loop(const double* in_x, std::span<const double> x, double* out) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    double power = 1.0, sum = 0.0;
    for (int p = 0; p <= Degree; ++p, power *= x[i]) sum += in_x[p] * power;
    out[i] = sum;
  }
}

#if SCARSCOPE_X86_KERNELS
// The same loop compiled for AVX2 (four points a vector instead of two; no FMA: the same bits).
template <int Degree>
__attribute__((target("avx2"))) void evaluate_in_x_avx2(const double* in_x, std::span<const double> x, double* out) {
  evaluate_in_x_loop<Degree>(in_x, x, out);
}
#endif

template <int Degree>
void evaluate_in_x(const double* in_x, std::span<const double> x, double* out) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return evaluate_in_x_avx2<Degree>(in_x, x, out);
#endif
  evaluate_in_x_loop<Degree>(in_x, x, out);
}

// row_z[p] = sum over the columns of (z[i] - z_offset) x^p, p <= Degree, every column counted: the
// data sums of a complete row, added in the columns' order as row_sums adds them.
template <int Degree>
void row_data_sums_portable(const double* x_powers, std::size_t columns, const float* z, double z_offset, double* row_z) {
  double sum_z[Degree + 1] = {};
  for (std::size_t i = 0; i < columns; ++i) {
    const double wz = z[i] - z_offset;
    const double* xp = x_powers + i * kPaddedPowers;
    for (int p = 0; p <= Degree; ++p) sum_z[p] += wz * xp[p];
  }
  std::copy(sum_z, sum_z + Degree + 1, row_z);
}

#if SCARSCOPE_X86_KERNELS
// The same for a degree up to 3, the four sums x^0..x^3 in one register's lanes (the same product
// and sum per lane, no FMA: the same bits; the lanes beyond the degree are dropped).
template <int Degree>
__attribute__((target("avx2"))) void row_data_sums_avx2(const double* x_powers, std::size_t columns, const float* z,
                                                        double z_offset, double* row_z) {
  static_assert(Degree <= 3 && kPaddedPowers >= 4 && kDataPowers >= 4);
  __m256d sum = _mm256_setzero_pd();
  for (std::size_t i = 0; i < columns; ++i) {
    const __m256d wz = _mm256_set1_pd(z[i] - z_offset);
    sum = _mm256_add_pd(sum, _mm256_mul_pd(wz, _mm256_loadu_pd(x_powers + i * kPaddedPowers)));
  }
  _mm256_storeu_pd(row_z, sum);  // (row_z holds at least four; add_row_moments reads none beyond the degree)
}
#endif  // SCARSCOPE_X86_KERNELS

template <int Degree>
void row_data_sums(const double* x_powers, std::size_t columns, const float* z, double z_offset, double* row_z) {
#if SCARSCOPE_X86_KERNELS
  if constexpr (Degree <= 3) {
    if (cpu_has_avx2()) return row_data_sums_avx2<Degree>(x_powers, columns, z, z_offset, row_z);
  }
#endif
  row_data_sums_portable<Degree>(x_powers, columns, z, z_offset, row_z);
}

// A row's sums over its points: row_w[p] += w x^p for the 2 Degree + 1 powers the moments use,
// row_z[p] += (w z) x^p for the Degree + 1 the data use, each added in the points' order (the
// powers beyond stay 0: add_row_moments never reads them). `point(i, w, wz)` says whether column i
// counts and gives w and w z; w stays 1 when it does not set it. Returns the points counted.
template <int Degree, class Point>
std::size_t row_sums(const double* x_powers, std::size_t columns, double* row_w, double* row_z, Point&& point) {
  double sum_w[2 * Degree + 1] = {}, sum_z[Degree + 1] = {};
  std::size_t points = 0;
  for (std::size_t i = 0; i < columns; ++i) {
    double w = 1.0, wz = 0.0;
    if (!point(i, w, wz)) continue;
    const double* xp = x_powers + i * kPaddedPowers;
    for (int p = 0; p < 2 * Degree + 1; ++p) sum_w[p] += w * xp[p];
    for (int p = 0; p <= Degree; ++p) sum_z[p] += wz * xp[p];
    ++points;
  }
  std::copy(sum_w, sum_w + 2 * Degree + 1, row_w);
  std::copy(sum_z, sum_z + Degree + 1, row_z);
  return points;
}

#if SCARSCOPE_X86_KERNELS
// row_sums of add_row (weight 1, heights z[i] - z_offset where keep[i] != 0) for a degree up to 2:
// the weights' sums of x^0..x^3 in one register's lanes (1 x = x: the same sums) and x^4 beside
// it, the data's sums in another register's lanes; each point added in order, no FMA: the same
// bits as row_sums. Lanes beyond the degree's powers are dropped.
template <int Degree>
__attribute__((target("avx2"))) std::size_t kept_row_sums_avx2(const double* x_powers, std::size_t columns,
                                                               const float* z, const std::uint8_t* keep, double z_offset,
                                                               double* row_w, double* row_z) {
  static_assert(Degree <= 2 && kPaddedPowers >= 5 && kDataPowers >= 4);
  __m256d sum_w = _mm256_setzero_pd(), sum_z = _mm256_setzero_pd();
  double sum_w4 = 0.0;
  std::size_t points = 0;
  const double* xp = x_powers;
  for (std::size_t i = 0; i < columns; ++i, xp += kPaddedPowers) {
    if (keep[i]) {
      const __m256d x = _mm256_loadu_pd(xp);
      sum_w = _mm256_add_pd(sum_w, x);
      if constexpr (Degree == 2) sum_w4 += xp[4];
      sum_z = _mm256_add_pd(sum_z, _mm256_mul_pd(_mm256_set1_pd(z[i] - z_offset), x));
      ++points;
    }
  }
  // (All four lanes stored: row_w and row_z hold at least four, and add_row_moments reads none
  // beyond the degree's powers.)
  _mm256_storeu_pd(row_w, sum_w);
  if constexpr (Degree == 2) row_w[4] = sum_w4;
  _mm256_storeu_pd(row_z, sum_z);
  return points;
}

// row_sums of add_row with weights (w[i] > 0 counts, as w[i] and w[i] z[i]) for a degree up to 3:
// the weights' sums of x^0..x^7 in two registers' lanes, the data's x^0..x^3 in a third; each
// point's products and sums as row_sums takes them, in order, no FMA: the same bits.
template <int Degree>
__attribute__((target("avx2"))) std::size_t weighted_row_sums_avx2(const double* x_powers, std::size_t columns,
                                                                   const double* z, const double* w, double* row_w,
                                                                   double* row_z) {
  static_assert(Degree <= 3 && kPaddedPowers >= 8 && kDataPowers >= 4);
  __m256d sum_w_low = _mm256_setzero_pd(), sum_w_high = _mm256_setzero_pd(), sum_z = _mm256_setzero_pd();
  std::size_t points = 0;
  const double* xp = x_powers;
  for (std::size_t i = 0; i < columns; ++i, xp += kPaddedPowers) {
    if (w[i] <= 0) continue;
    const __m256d weight = _mm256_set1_pd(w[i]);
    const __m256d x_low = _mm256_loadu_pd(xp);
    sum_w_low = _mm256_add_pd(sum_w_low, _mm256_mul_pd(weight, x_low));
    if constexpr (Degree >= 2) sum_w_high = _mm256_add_pd(sum_w_high, _mm256_mul_pd(weight, _mm256_loadu_pd(xp + 4)));
    sum_z = _mm256_add_pd(sum_z, _mm256_mul_pd(_mm256_set1_pd(w[i] * z[i]), x_low));
    ++points;
  }
  // (All lanes stored: row_w and row_z hold at least eight and four, and add_row_moments reads
  // none beyond the degree's powers.)
  _mm256_storeu_pd(row_w, sum_w_low);
  if constexpr (Degree >= 2) _mm256_storeu_pd(row_w + 4, sum_w_high);
  _mm256_storeu_pd(row_z, sum_z);
  return points;
}
#endif  // SCARSCOPE_X86_KERNELS

// f(std::integral_constant<int, degree>) for a degree of 0..kMaxPolynomialDegree.
template <class F>
auto with_degree(int degree, F&& f) {
  switch (degree) {
    case 0: return f(std::integral_constant<int, 0>{});
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    default: return f(std::integral_constant<int, kMaxPolynomialDegree>{});
  }
}

}  // namespace

std::vector<PolynomialTerm> polynomial_terms(int degree) {
  std::vector<PolynomialTerm> terms;
  for (int total = 0; total <= degree; ++total)
    for (int i = total; i >= 0; --i) terms.push_back({i, total - i});
  return terms;
}

int polynomial_term_count(int degree) { return (degree + 1) * (degree + 2) / 2; }

void PolynomialSurface::evaluate_row(double y, std::span<const double> x, double* out) const {
  const std::vector<PolynomialTerm> terms = polynomial_terms(degree);
  // The polynomial's coefficients in x on this row.
  double in_x[kMaxPolynomialDegree + 1] = {};
  double y_power[kMaxPolynomialDegree + 1] = {1.0};
  for (int q = 1; q <= degree; ++q) y_power[q] = y_power[q - 1] * y;
  for (std::size_t a = 0; a < terms.size() && a < coefficients.size(); ++a)
    in_x[terms[a].x_power] += coefficients[a] * y_power[terms[a].y_power];
  with_degree(degree, [&](auto known) { evaluate_in_x<decltype(known)::value>(in_x, x, out); });
}

double PolynomialSurface::at(double x, double y) const {
  double value = 0.0;
  evaluate_row(y, std::span<const double>(&x, 1), &value);
  return value;
}

PolynomialFit::PolynomialFit(int degree, std::span<const double> x)
    : degree_(degree), powers_(2 * degree + 1) {
  if (degree < 0 || degree > kMaxPolynomialDegree) {
    throw std::invalid_argument("polynomial surface: degree " + std::to_string(degree) + " is outside 0-" +
                                std::to_string(kMaxPolynomialDegree));
  }
  x_powers_.assign(x.size() * kPaddedPowers, 0.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    double v = 1.0;
    for (int p = 0; p < powers_; ++p, v *= x[i]) x_powers_[i * kPaddedPowers + static_cast<std::size_t>(p)] = v;
  }
  moments_.assign(static_cast<std::size_t>(powers_ * powers_), 0.0);
  data_.assign(moments_.size(), 0.0);
}

void PolynomialFit::add_row_moments(double y, const double* row_w, const double* row_z) {
  double yq = 1.0;
  for (int q = 0; q < powers_; ++q, yq *= y)
    for (int p = 0; p < powers_; ++p) {
      moments_[static_cast<std::size_t>(p * powers_ + q)] += row_w[p] * yq;
      data_[static_cast<std::size_t>(p * powers_ + q)] += (p < kDataPowers && p <= degree_ ? row_z[p] : 0.0) * yq;
    }
}

void PolynomialFit::add_row(double y, const double* z, const double* w) {
  double row_w[kPaddedPowers] = {}, row_z[kDataPowers] = {};
  const std::size_t columns = x_powers_.size() / kPaddedPowers;
#if SCARSCOPE_X86_KERNELS
  if (degree_ <= 3 && cpu_has_avx2()) {
    points_ += with_degree(degree_, [&](auto degree) {
      if constexpr (decltype(degree)::value <= 3) {
        return weighted_row_sums_avx2<decltype(degree)::value>(x_powers_.data(), columns, z, w, row_w, row_z);
      } else {
        return std::size_t{0};  // (not reached)
      }
    });
    add_row_moments(y, row_w, row_z);
    return;
  }
#endif
  points_ += with_degree(degree_, [&](auto degree) {
    return row_sums<decltype(degree)::value>(x_powers_.data(), columns, row_w, row_z, [&](std::size_t i, double& weight, double& height) {
      if (w[i] <= 0) return false;
      weight = w[i];
      height = w[i] * z[i];
      return true;
    });
  });
  add_row_moments(y, row_w, row_z);
}

void PolynomialFit::add_row(double y, const float* z, const std::uint8_t* keep, std::size_t stride, double z_offset) {
  double row_w[kPaddedPowers] = {}, row_z[kDataPowers] = {};
  const std::size_t columns = x_powers_.size() / kPaddedPowers;
  if (stride == 1 && columns > 0 && std::memchr(keep, 0, columns) == nullptr) {
    // Every point kept (the usual row): the weights' sums are those of every complete row, taken
    // once by the general code; the data's by a kernel that needs no mask. Same sums, same order.
    static_assert(sizeof complete_row_w_ / sizeof complete_row_w_[0] == kPaddedPowers);
    if (complete_row_w_[0] < 0.0) {
      double unused[kDataPowers] = {};
      with_degree(degree_, [&](auto degree) {
        return row_sums<decltype(degree)::value>(x_powers_.data(), columns, complete_row_w_, unused,
                                                 [](std::size_t, double&, double&) { return true; });
      });
    }
    std::copy(complete_row_w_, complete_row_w_ + kPaddedPowers, row_w);
    with_degree(degree_, [&](auto degree) {
      row_data_sums<decltype(degree)::value>(x_powers_.data(), columns, z, z_offset, row_z);
    });
    points_ += columns;
    add_row_moments(y, row_w, row_z);
    return;
  }
#if SCARSCOPE_X86_KERNELS
  if (stride == 1 && degree_ <= 2 && cpu_has_avx2()) {
    points_ += with_degree(degree_, [&](auto degree) {
      if constexpr (decltype(degree)::value <= 2) {
        return kept_row_sums_avx2<decltype(degree)::value>(x_powers_.data(), columns, z, keep, z_offset, row_w, row_z);
      } else {
        return std::size_t{0};  // (not reached)
      }
    });
    add_row_moments(y, row_w, row_z);
    return;
  }
#endif
  points_ += with_degree(degree_, [&](auto degree) {
    return row_sums<decltype(degree)::value>(x_powers_.data(), columns, row_w, row_z, [&](std::size_t i, double&, double& height) {
      if (!keep[i * stride]) return false;
      height = z[i * stride] - z_offset;
      return true;
    });
  });
  add_row_moments(y, row_w, row_z);
}

PolynomialSurface PolynomialFit::solve() const {
  const std::vector<PolynomialTerm> terms = polynomial_terms(degree_);
  const int count = static_cast<int>(terms.size());
  cv::Mat normal(count, count, CV_64F);
  cv::Mat rhs(count, 1, CV_64F);
  for (int a = 0; a < count; ++a) {
    const PolynomialTerm& ta = terms[static_cast<std::size_t>(a)];
    rhs.at<double>(a) = data_[static_cast<std::size_t>(ta.x_power * powers_ + ta.y_power)];
    for (int b = 0; b < count; ++b) {
      const PolynomialTerm& tb = terms[static_cast<std::size_t>(b)];
      normal.at<double>(a, b) =
          moments_[static_cast<std::size_t>((ta.x_power + tb.x_power) * powers_ + ta.y_power + tb.y_power)];
    }
  }
  cv::Mat solution;
  cv::solve(normal, rhs, solution, cv::DECOMP_SVD);
  PolynomialSurface surface;
  surface.degree = degree_;
  surface.coefficients.assign(solution.begin<double>(), solution.end<double>());
  return surface;
}

}  // namespace scarscope
