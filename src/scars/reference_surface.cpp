#include "scars/reference_surface.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "core/error.h"

namespace scarscope {
namespace {

// Block means of the valid points: the large-scale reference needs no finer grid, and this makes
// it cost the same whatever the scanner's resolution.
struct CoarseGrid {
  int fx = 1, fy = 1, nx = 0, ny = 0;
  cv::Mat value;   // CV_64F mean height of the valid points in the cell
  cv::Mat weight;  // CV_64F fraction of the cell's points that are valid
};

CoarseGrid block_average(const HeightMap& map, double cell_um) {
  CoarseGrid grid;
  grid.fx = std::max(1, static_cast<int>(std::lround(cell_um / map.dx_um())));
  grid.fy = std::max(1, static_cast<int>(std::lround(cell_um / map.dy_um())));
  grid.nx = (map.nx() + grid.fx - 1) / grid.fx;
  grid.ny = (map.ny() + grid.fy - 1) / grid.fy;
  cv::Mat sum = cv::Mat::zeros(grid.ny, grid.nx, CV_64F);
  cv::Mat count = cv::Mat::zeros(grid.ny, grid.nx, CV_64F);
  for (int row = 0; row < map.ny(); ++row) {
    const float* z = map.heights() + map.index(row, 0);
    const std::uint8_t* valid = map.mask() + map.index(row, 0);
    double* sum_row = sum.ptr<double>(row / grid.fy);
    double* count_row = count.ptr<double>(row / grid.fy);
    for (int i = 0; i < grid.nx; ++i) {
      // One cell's stretch of the row: a branch-free sum the compiler vectorises (missing
      // points are NaN, so they are selected out, not multiplied by 0).
      const int begin = i * grid.fx, end = std::min(map.nx(), begin + grid.fx);
      float s = 0.0f;
      int n = 0;
      for (int col = begin; col < end; ++col) {
        s += valid[col] ? z[col] : 0.0f;
        n += valid[col] ? 1 : 0;
      }
      sum_row[i] += s;
      count_row[i] += n;
    }
  }
  grid.value = cv::Mat::zeros(grid.ny, grid.nx, CV_64F);
  grid.weight = cv::Mat::zeros(grid.ny, grid.nx, CV_64F);
  for (int j = 0; j < grid.ny; ++j) {
    const int rows_in_cell = std::min(grid.fy, map.ny() - j * grid.fy);
    for (int i = 0; i < grid.nx; ++i) {
      const int cols_in_cell = std::min(grid.fx, map.nx() - i * grid.fx);
      const double n = count.at<double>(j, i);
      if (n <= 0) continue;
      grid.value.at<double>(j, i) = sum.at<double>(j, i) / n;
      grid.weight.at<double>(j, i) = n / static_cast<double>(rows_in_cell * cols_in_cell);
    }
  }
  return grid;
}

int polynomial_terms(int degree) { return (degree + 1) * (degree + 2) / 2; }

struct CellCoordinates {
  std::vector<double> x_mm, y_mm;  // cell centres, centred on the grid
};

CellCoordinates cell_coordinates(const CoarseGrid& grid, const HeightMap& map) {
  CellCoordinates c;
  const double x_centre = (map.nx() - 1) * map.dx_um() / 2000.0;
  const double y_centre = (map.ny() - 1) * map.dy_um() / 2000.0;
  for (int i = 0; i < grid.nx; ++i) {
    const double col = i * grid.fx + (std::min(grid.fx, map.nx() - i * grid.fx) - 1) / 2.0;
    c.x_mm.push_back(col * map.dx_um() / 1000.0 - x_centre);
  }
  for (int j = 0; j < grid.ny; ++j) {
    const double row = j * grid.fy + (std::min(grid.fy, map.ny() - j * grid.fy) - 1) / 2.0;
    c.y_mm.push_back(row * map.dy_um() / 1000.0 - y_centre);
  }
  return c;
}

// Weighted least-squares polynomial; returns its values on the grid. The cells lie on a tensor
// grid, so every sum of the normal equations, sum w x^(i+k) y^(j+l), is a moment
// sum_rows y^q sum_cols w x^p: one pass gathers the moments of each row (a few multiply-adds
// per cell instead of one per pair of terms), and the values are a polynomial in x per row.
cv::Mat fit_polynomial(const CoarseGrid& grid, const CellCoordinates& xy, int degree, const cv::Mat& weights,
                       std::vector<double>* coefficients_out) {
  const int terms = polynomial_terms(degree);
  const int powers = 2 * degree + 1;  // x^0 .. x^(2 degree)
  std::vector<int> px, py;            // exponents of x and y of each term, by total degree, then x's descending
  for (int total = 0; total <= degree; ++total)
    for (int i = total; i >= 0; --i) {
      px.push_back(i);
      py.push_back(total - i);
    }
  std::vector<double> xpow(static_cast<std::size_t>(grid.nx) * static_cast<std::size_t>(powers));
  for (int i = 0; i < grid.nx; ++i) {
    double v = 1.0;
    for (int p = 0; p < powers; ++p, v *= xy.x_mm[static_cast<std::size_t>(i)])
      xpow[static_cast<std::size_t>(i) * static_cast<std::size_t>(powers) + static_cast<std::size_t>(p)] = v;
  }
  // moments[p][q] = sum w x^p y^q, p, q <= 2 degree; data[p][q] = sum w z x^p y^q, p, q <= degree.
  std::vector<double> moments(static_cast<std::size_t>(powers * powers), 0.0);
  std::vector<double> data(static_cast<std::size_t>(powers * powers), 0.0);
  std::vector<double> row_w(static_cast<std::size_t>(powers)), row_z(static_cast<std::size_t>(powers));
  for (int j = 0; j < grid.ny; ++j) {
    std::fill(row_w.begin(), row_w.end(), 0.0);
    std::fill(row_z.begin(), row_z.end(), 0.0);
    const double* w = weights.ptr<double>(j);
    const double* z = grid.value.ptr<double>(j);
    for (int i = 0; i < grid.nx; ++i) {
      if (w[i] <= 0) continue;
      const double* xp = xpow.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(powers);
      const double wz = w[i] * z[i];
      for (int p = 0; p < powers; ++p) row_w[static_cast<std::size_t>(p)] += w[i] * xp[p];
      for (int p = 0; p <= degree; ++p) row_z[static_cast<std::size_t>(p)] += wz * xp[p];
    }
    double yq = 1.0;
    for (int q = 0; q < powers; ++q, yq *= xy.y_mm[static_cast<std::size_t>(j)])
      for (int p = 0; p < powers; ++p) {
        moments[static_cast<std::size_t>(p * powers + q)] += row_w[static_cast<std::size_t>(p)] * yq;
        data[static_cast<std::size_t>(p * powers + q)] += row_z[static_cast<std::size_t>(p)] * yq;
      }
  }
  cv::Mat normal(terms, terms, CV_64F);
  cv::Mat rhs(terms, 1, CV_64F);
  for (int a = 0; a < terms; ++a) {
    const auto ua = static_cast<std::size_t>(a);
    rhs.at<double>(a) = data[static_cast<std::size_t>(px[ua] * powers + py[ua])];
    for (int b = 0; b < terms; ++b) {
      const auto ub = static_cast<std::size_t>(b);
      normal.at<double>(a, b) = moments[static_cast<std::size_t>((px[ua] + px[ub]) * powers + py[ua] + py[ub])];
    }
  }
  cv::Mat coefficients;
  cv::solve(normal, rhs, coefficients, cv::DECOMP_SVD);
  const double* c = coefficients.ptr<double>(0);
  cv::Mat values(grid.ny, grid.nx, CV_64F);
  std::vector<double> in_x(static_cast<std::size_t>(degree + 1));  // the polynomial's coefficients in x on this row
  for (int j = 0; j < grid.ny; ++j) {
    std::fill(in_x.begin(), in_x.end(), 0.0);
    for (int a = 0; a < terms; ++a)
      in_x[static_cast<std::size_t>(px[static_cast<std::size_t>(a)])] +=
          c[a] * std::pow(xy.y_mm[static_cast<std::size_t>(j)], py[static_cast<std::size_t>(a)]);
    double* v = values.ptr<double>(j);
    for (int i = 0; i < grid.nx; ++i) {
      const double* xp = xpow.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(powers);
      double sum = 0.0;
      for (int p = 0; p <= degree; ++p) sum += in_x[static_cast<std::size_t>(p)] * xp[p];
      v[i] = sum;
    }
  }
  if (coefficients_out) coefficients_out->assign(coefficients.begin<double>(), coefficients.end<double>());
  return values;
}

// Mask-aware (normalised) Gaussian regression: missing cells neither contribute nor pull towards 0.
cv::Mat normalised_gaussian(const cv::Mat& values, const cv::Mat& weights, double sigma_x, double sigma_y) {
  // A Gaussian this wide (sigma of many cells) needs no grid finer than sigma / 4: both terms are
  // block-averaged down by k, blurred there and their ratio interpolated back, which costs about
  // 1/k^3 of a blur on the full grid. In float32: OpenCV vectorises its kernels in float, and
  // float's 7 digits are far finer than the skin's relief.
  const int k = std::max(1, static_cast<int>(std::min(sigma_x, sigma_y) / 4.0));
  cv::Mat weighted, weights32;
  cv::Mat(values.mul(weights)).convertTo(weighted, CV_32F);
  weights.convertTo(weights32, CV_32F);
  if (k > 1) {
    const cv::Size small((values.cols + k - 1) / k, (values.rows + k - 1) / k);
    cv::resize(weighted, weighted, small, 0, 0, cv::INTER_AREA);
    cv::resize(weights32, weights32, small, 0, 0, cv::INTER_AREA);
  }
  cv::Mat numerator, denominator;
  cv::GaussianBlur(weighted, numerator, cv::Size(0, 0), sigma_x / k, sigma_y / k, cv::BORDER_CONSTANT);
  cv::GaussianBlur(weights32, denominator, cv::Size(0, 0), sigma_x / k, sigma_y / k, cv::BORDER_CONSTANT);
  cv::Mat ratio(numerator.size(), CV_32F);
  for (int j = 0; j < ratio.rows; ++j) {
    for (int i = 0; i < ratio.cols; ++i) {
      const float d = denominator.at<float>(j, i);
      ratio.at<float>(j, i) = d > 1e-6f ? numerator.at<float>(j, i) / d : 0.0f;
    }
  }
  if (k > 1) cv::resize(ratio, ratio, values.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat result;
  ratio.convertTo(result, CV_64F);
  return result;
}

double median_of(std::vector<double>& values) {
  if (values.empty()) return 0.0;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

ReferenceInfo subtract_reference_surface(HeightMap& map, const ReferenceSettings& settings) {
  if (settings.form_degree < 0 || settings.form_degree > 4) {
    throw InputError("reference form degree " + std::to_string(settings.form_degree) + " is outside 0-4");
  }
  const CoarseGrid grid = block_average(map, settings.cell_um);
  const CellCoordinates xy = cell_coordinates(grid, map);
  int valid_cells = cv::countNonZero(grid.weight > 0);
  // A polynomial of the requested degree needs several cells per coefficient; with fewer, use
  // the highest degree the data supports (a tiny scan gets a plane or a constant).
  int degree = settings.form_degree;
  // A polynomial can bend within about (scan size / degree); on a small scan a high degree would
  // bend into a wide scar. Keep one degree per 10 mm of the scan's shorter side (at least 2: the face is curved).
  const double shorter_mm = std::min(map.nx() * map.dx_um(), map.ny() * map.dy_um()) / 1000.0;
  degree = std::min(degree, std::max(2, static_cast<int>(shorter_mm / 10.0)));
  while (degree > 0 && valid_cells < 4 * polynomial_terms(degree)) --degree;
  if (valid_cells < 1) throw InputError(map.metadata.source_file + ": no valid points to fit a skin surface to");

  const double sigma_x = settings.gaussian_sigma_mm * 1000.0 / (grid.fx * map.dx_um());
  const double sigma_y = settings.gaussian_sigma_mm * 1000.0 / (grid.fy * map.dy_um());

  cv::Mat robust = grid.weight.clone();
  cv::Mat reference;
  ReferenceInfo info;
  for (int iteration = 0; iteration <= settings.robust_iterations; ++iteration) {
    const cv::Mat form = fit_polynomial(grid, xy, degree, robust, &info.form_coefficients);
    const cv::Mat waviness = normalised_gaussian(grid.value - form, robust, sigma_x, sigma_y);
    reference = form + waviness;
    // Robust scale of the skin around the reference, then Tukey biweights: scars and bumps far
    // from the skin get no say in where the skin is.
    std::vector<double> deviations;
    deviations.reserve(static_cast<std::size_t>(valid_cells));
    for (int j = 0; j < grid.ny; ++j)
      for (int i = 0; i < grid.nx; ++i)
        if (grid.weight.at<double>(j, i) > 0)
          deviations.push_back(std::abs(grid.value.at<double>(j, i) - reference.at<double>(j, i)));
    const double sigma = std::max(0.5, 1.4826 * median_of(deviations));
    info.robust_sigma_um = sigma;
    if (iteration == settings.robust_iterations) break;
    const double cutoff = settings.biweight_cutoff * sigma;
    for (int j = 0; j < grid.ny; ++j) {
      for (int i = 0; i < grid.nx; ++i) {
        const double w0 = grid.weight.at<double>(j, i);
        if (w0 <= 0) continue;
        const double u = (grid.value.at<double>(j, i) - reference.at<double>(j, i)) / cutoff;
        robust.at<double>(j, i) = std::abs(u) < 1 ? w0 * (1 - u * u) * (1 - u * u) : 0.0;
      }
    }
  }

  // Bilinear interpolation of the coarse reference at every point, subtracted in place (no
  // full-resolution copy of the reference is ever held).
  std::vector<int> col0(static_cast<std::size_t>(map.nx()));
  std::vector<float> col_t(static_cast<std::size_t>(map.nx()));
  for (int col = 0; col < map.nx(); ++col) {
    double u = (col - (grid.fx - 1) / 2.0) / grid.fx;
    u = std::clamp(u, 0.0, static_cast<double>(grid.nx - 1));
    const int i0 = std::min(static_cast<int>(u), std::max(0, grid.nx - 2));
    col0[static_cast<std::size_t>(col)] = i0;
    col_t[static_cast<std::size_t>(col)] = grid.nx > 1 ? static_cast<float>(u - i0) : 0.0f;
  }
  cv::Mat reference32;
  reference.convertTo(reference32, CV_32F);
  std::vector<float> line(static_cast<std::size_t>(grid.nx));
  for (int row = 0; row < map.ny(); ++row) {
    double v = (row - (grid.fy - 1) / 2.0) / grid.fy;
    v = std::clamp(v, 0.0, static_cast<double>(grid.ny - 1));
    const int j0 = std::min(static_cast<int>(v), std::max(0, grid.ny - 2));
    const int j1 = std::min(j0 + 1, grid.ny - 1);
    const float s = grid.ny > 1 ? static_cast<float>(v - j0) : 0.0f;
    const float* r0 = reference32.ptr<float>(j0);
    const float* r1 = reference32.ptr<float>(j1);
    for (int i = 0; i < grid.nx; ++i) line[static_cast<std::size_t>(i)] = r0[i] + s * (r1[i] - r0[i]);
    float* z = map.heights() + map.index(row, 0);
    for (int col = 0; col < map.nx(); ++col) {
      // Missing points are NaN and stay NaN.
      const int i0 = col0[static_cast<std::size_t>(col)];
      const int i1 = std::min(i0 + 1, grid.nx - 1);
      const float t = col_t[static_cast<std::size_t>(col)];
      z[col] -= line[static_cast<std::size_t>(i0)] + t * (line[static_cast<std::size_t>(i1)] - line[static_cast<std::size_t>(i0)]);
    }
  }
  info.coarse_nx = grid.nx;
  info.coarse_ny = grid.ny;
  info.coarse_dx_um = grid.fx * map.dx_um();
  info.coarse_dy_um = grid.fy * map.dy_um();
  info.valid_cells = valid_cells;
  return info;
}

}  // namespace scarscope
