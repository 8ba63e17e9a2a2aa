// Least-squares polynomial form removal over the valid points (surface/polynomial_surface.h).
//
// Numerics: the fit is done in coordinates centred on the grid and scaled to [-1, 1] per axis, so
// the normal matrix stays well conditioned up to degree 4, with heights about their mean; the
// coefficients are then converted to x, y in mm for FormFit.
#include "surface/form.h"

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "core/error.h"
#include "surface/polynomial_surface.h"

namespace scarscope {

namespace {

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
  const std::vector<PolynomialTerm> terms = polynomial_terms(degree);
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
  std::vector<double> u(static_cast<std::size_t>(nx));
  for (int c = 0; c < nx; ++c) u[static_cast<std::size_t>(c)] = (c - sx.centre_index) / sx.half_extent;

  // Heights are fitted about their mean so large offsets do not eat the precision.
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();
  double z_sum = 0.0;
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (valid[i]) z_sum += z[i];
  }
  const double z_mean = z_sum / static_cast<double>(valid_points);

  PolynomialFit fitter(degree, u);
  for (int r = 0; r < ny; ++r) {
    fitter.add_row((r - sy.centre_index) / sy.half_extent, z + map.index(r, 0), valid + map.index(r, 0), 1, z_mean);
  }
  const PolynomialSurface surface = fitter.solve();

  HeightMap result = map.clone();
  float* out = result.heights();
  std::vector<double> form(static_cast<std::size_t>(nx));
  double residual_sum_sq = 0.0;
  for (int r = 0; r < ny; ++r) {
    surface.evaluate_row((r - sy.centre_index) / sy.half_extent, u, form.data());
    const std::size_t row_start = map.index(r, 0);
    for (int c = 0; c < nx; ++c) {
      if (!valid[row_start + c]) continue;
      const double residual = (z[row_start + c] - z_mean) - form[static_cast<std::size_t>(c)];
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
      fit->coefficients[t] = surface.coefficients[static_cast<std::size_t>(t)] / std::pow(x_scale_mm, terms[t].x_power) /
                             std::pow(y_scale_mm, terms[t].y_power);
    }
    fit->coefficients[0] += z_mean;
    fit->residual_rms_um = std::sqrt(residual_sum_sq / static_cast<double>(valid_points));
  }
  return result;
}

}  // namespace scarscope
