// The one weighted least-squares polynomial surface of ScarScope (total degree 0-4) over points on
// a grid: form removal, the analysis' reference form, the follow-up's height pose and the reliefs
// of its footprints all fit it. The points lie on rows that share their columns, so every sum of the
// normal equations, sum w x^(i+k) y^(j+l), is sum_rows y^(j+l) sum_cols w x^(i+k): each row's
// moments are gathered in one pass (a few multiply-adds per point, not one per pair of terms).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace scarscope {

constexpr int kMaxPolynomialDegree = 4;

// Terms ordered by total degree, then by the power of x descending: 1, x, y, x², xy, y², x³, ...
struct PolynomialTerm {
  int x_power;
  int y_power;
};
std::vector<PolynomialTerm> polynomial_terms(int degree);
int polynomial_term_count(int degree);

struct PolynomialSurface {
  int degree = 0;
  std::vector<double> coefficients;  // one per term, in the order above

  double at(double x, double y) const;
  // The values at x[0..n) on the row at y, as every user of a fit evaluates it: the polynomial in x
  // of that row (its coefficients summed over the terms in order, powers of y by multiplication),
  // then the sum of its terms in ascending powers of x.
  void evaluate_row(double y, std::span<const double> x, double* out) const;
};

// Gathers the normal equations row by row, then solves them (SVD: the minimum-norm fit when the
// points do not determine every term, a single row of points say).
class PolynomialFit {
 public:
  // `x`: the coordinate of each column a row holds (the same for every row). Throws
  // std::invalid_argument for a degree outside 0-4 (a caller's bug, not the user's input).
  PolynomialFit(int degree, std::span<const double> x);

  // Adds the points of a row at `y`: z[c] with weight w[c] for each column c (a weight of 0 leaves
  // the point out).
  void add_row(double y, const double* z, const double* w);
  // Adds the points of a row at `y` where keep[c * stride] != 0 (weight 1), with height
  // z[c * stride] - z_offset (fitting about an offset such as the mean keeps precision).
  void add_row(double y, const float* z, const std::uint8_t* keep, std::size_t stride = 1, double z_offset = 0.0);

  // Points added with a non-zero weight.
  std::size_t points() const { return points_; }
  int degree() const { return degree_; }
  PolynomialSurface solve() const;

 private:
  void add_row_moments(double y, const double* row_w, const double* row_z);
  int degree_ = 0;
  int powers_ = 1;                  // 2 degree + 1
  std::vector<double> x_powers_;    // kPaddedPowers per column
  std::vector<double> moments_;     // [p * powers + q] = sum w x^p y^q
  std::vector<double> data_;        // [p * powers + q] = sum w z x^p y^q
  std::size_t points_ = 0;
  // The sums of x^p over every column, as add_row (weight 1) gathers them for a row that keeps all
  // its points: the same for every such row, so taken once (complete_row_w_[0] < 0: not yet).
  double complete_row_w_[2 * kMaxPolynomialDegree + 2] = {-1.0};
};

}  // namespace scarscope
