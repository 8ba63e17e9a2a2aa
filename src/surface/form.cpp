// Least-squares polynomial form removal over the valid points.
//
// Numerics: the fit is done in coordinates centred on the grid and scaled to [-1, 1] per axis, so
// the normal matrix stays well conditioned up to degree 4; its entries are moments of the valid
// points, accumulated in double one row at a time (x depends only on the column, y only on the
// row, so sum u^a v^b = sum_rows v^b * sum_cols u^a). The small system is solved by SVD, which
// also gives the minimum-norm fit when the valid points do not determine every term (a single
// row of points, say). Coefficients are then converted to x, y in mm for FormFit.
#include "surface/form.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/error.h"

namespace scarscope {

namespace {

struct Term {
  int x_power;
  int y_power;
};

// Ordered by total degree, then by the power of x descending: 1, x, y, x^2, xy, y^2, ...
std::vector<Term> polynomial_terms(int degree) {
  std::vector<Term> terms;
  for (int total = 0; total <= degree; ++total) {
    for (int i = total; i >= 0; --i) terms.push_back({i, total - i});
  }
  return terms;
}

// Centre and half-extent of an axis of n points with spacing h (in the unit of h).
struct AxisScale {
  double centre_index;
  double half_extent;  // in index units, at least 1 so a one-point axis does not divide by zero
};

AxisScale axis_scale(int n) {
  AxisScale scale;
  scale.centre_index = 0.5 * (n - 1);
  scale.half_extent = n > 1 ? 0.5 * (n - 1) : 1.0;
  return scale;
}

}  // namespace

HeightMap remove_form(const HeightMap& map, int degree, FormFit* fit) {
  if (degree < 1 || degree > 4) {
    throw InputError("form removal: polynomial degree must be 1 to 4, got " + std::to_string(degree));
  }
  const std::vector<Term> terms = polynomial_terms(degree);
  const int term_count = static_cast<int>(terms.size());
  const std::size_t valid_points = map.valid_count();
  if (valid_points < static_cast<std::size_t>(term_count)) {
    throw InputError("form removal: a degree-" + std::to_string(degree) + " polynomial needs at least " +
                     std::to_string(term_count) + " valid points, the height map has " +
                     std::to_string(valid_points));
  }

  const int nx = map.nx();
  const int ny = map.ny();
  const AxisScale sx = axis_scale(nx);
  const AxisScale sy = axis_scale(ny);
  const int max_power = 2 * degree;

  // u^p per column, for p = 0..2*degree.
  std::vector<double> u_powers(static_cast<std::size_t>(nx) * (max_power + 1));
  for (int c = 0; c < nx; ++c) {
    const double u = (c - sx.centre_index) / sx.half_extent;
    double p = 1.0;
    for (int k = 0; k <= max_power; ++k, p *= u) u_powers[static_cast<std::size_t>(c) * (max_power + 1) + k] = p;
  }

  // Heights are fitted about their mean so large offsets do not eat the precision.
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();
  double z_sum = 0.0;
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (valid[i]) z_sum += z[i];
  }
  const double z_mean = z_sum / static_cast<double>(valid_points);

  // moments[b][a] = sum u^a v^b, rhs[b][a] = sum (z - mean) u^a v^b over valid points.
  std::vector<double> moments(static_cast<std::size_t>(max_power + 1) * (max_power + 1), 0.0);
  std::vector<double> rhs(static_cast<std::size_t>(degree + 1) * (degree + 1), 0.0);
  std::vector<double> row_moments(max_power + 1);
  std::vector<double> row_rhs(degree + 1);
  for (int r = 0; r < ny; ++r) {
    std::fill(row_moments.begin(), row_moments.end(), 0.0);
    std::fill(row_rhs.begin(), row_rhs.end(), 0.0);
    const std::size_t row_start = map.index(r, 0);
    for (int c = 0; c < nx; ++c) {
      if (!valid[row_start + c]) continue;
      const double* up = &u_powers[static_cast<std::size_t>(c) * (max_power + 1)];
      const double h = z[row_start + c] - z_mean;
      for (int k = 0; k <= max_power; ++k) row_moments[k] += up[k];
      for (int k = 0; k <= degree; ++k) row_rhs[k] += h * up[k];
    }
    const double v = (r - sy.centre_index) / sy.half_extent;
    double vp = 1.0;
    for (int b = 0; b <= max_power; ++b, vp *= v) {
      for (int a = 0; a <= max_power; ++a) moments[static_cast<std::size_t>(b) * (max_power + 1) + a] += vp * row_moments[a];
      if (b <= degree) {
        for (int a = 0; a <= degree; ++a) rhs[static_cast<std::size_t>(b) * (degree + 1) + a] += vp * row_rhs[a];
      }
    }
  }

  cv::Mat normal(term_count, term_count, CV_64F);
  cv::Mat right(term_count, 1, CV_64F);
  for (int i = 0; i < term_count; ++i) {
    for (int j = 0; j < term_count; ++j) {
      const int a = terms[i].x_power + terms[j].x_power;
      const int b = terms[i].y_power + terms[j].y_power;
      normal.at<double>(i, j) = moments[static_cast<std::size_t>(b) * (max_power + 1) + a];
    }
    right.at<double>(i) = rhs[static_cast<std::size_t>(terms[i].y_power) * (degree + 1) + terms[i].x_power];
  }
  cv::Mat scaled_coefficients;
  cv::solve(normal, right, scaled_coefficients, cv::DECOMP_SVD);

  // Evaluate row by row: P(u, v) = sum_i u^i * (sum_j a_ij v^j), Horner in u.
  HeightMap result = map.clone();
  float* out = result.heights();
  std::vector<double> row_poly(degree + 1);
  double residual_sum_sq = 0.0;
  for (int r = 0; r < ny; ++r) {
    const double v = (r - sy.centre_index) / sy.half_extent;
    std::fill(row_poly.begin(), row_poly.end(), 0.0);
    for (int t = 0; t < term_count; ++t) {
      row_poly[terms[t].x_power] += scaled_coefficients.at<double>(t) * std::pow(v, terms[t].y_power);
    }
    row_poly[0] += z_mean;
    const std::size_t row_start = map.index(r, 0);
    for (int c = 0; c < nx; ++c) {
      if (!valid[row_start + c]) continue;
      const double u = (c - sx.centre_index) / sx.half_extent;
      double form = row_poly[degree];
      for (int k = degree - 1; k >= 0; --k) form = form * u + row_poly[k];
      const double residual = z[row_start + c] - form;
      out[row_start + c] = static_cast<float>(residual);
      residual_sum_sq += residual * residual;
    }
  }

  if (fit != nullptr) {
    // u = x / (half_extent * dx), with x in mm centred on the grid, so a (u, v) coefficient
    // divides by the scale to the power of each variable.
    const double x_scale_mm = sx.half_extent * map.dx_um() / 1000.0;
    const double y_scale_mm = sy.half_extent * map.dy_um() / 1000.0;
    fit->degree = degree;
    fit->coefficients.assign(term_count, 0.0);
    for (int t = 0; t < term_count; ++t) {
      fit->coefficients[t] = scaled_coefficients.at<double>(t) / std::pow(x_scale_mm, terms[t].x_power) /
                             std::pow(y_scale_mm, terms[t].y_power);
    }
    fit->coefficients[0] += z_mean;
    fit->residual_rms_um = std::sqrt(residual_sum_sq / static_cast<double>(valid_points));
  }
  return result;
}

}  // namespace scarscope
