#include "scars/reference_surface.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "core/error.h"
#include "core/x86_kernels.h"
#include "core/saturating_cast.h"
#include "core/selection.h"
#include "surface/masked_low_pass.h"
#include "surface/polynomial_surface.h"

namespace scarscope {
namespace {

// sum[c] += z[c] and count[c] += 1 at the valid points of a row; the heights' bits are masked
// (a missing point adds +0), which the compiler vectorises, unlike a select on the mask.
// With `first`, the sums and counts start from 0 instead of their contents (the first row of a
// cell: 0 + the row, the same additions as clearing them first).
void accumulate_valid_portable(const float* __restrict z, const std::uint8_t* __restrict valid, float* __restrict sum,
                               std::uint32_t* __restrict count, std::size_t start, std::size_t n, bool first) {
  for (std::size_t c = start; c < n; ++c) {
    const std::uint32_t keep = 0u - static_cast<std::uint32_t>(valid[c] != 0);
    sum[c] = (first ? 0.0f : sum[c]) + std::bit_cast<float>(std::bit_cast<std::uint32_t>(z[c]) & keep);
    count[c] = (first ? 0u : count[c]) + (valid[c] != 0 ? 1u : 0u);
  }
}

// z[c] -= l0 + t[c] (l1 - l0), l0 = a0[c] + s d0[c], l1 = a1[c] + s d1[c] (missing points, NaN, stay NaN).
void subtract_interpolated_portable(float* __restrict z, const float* __restrict a0, const float* __restrict d0,
                                    const float* __restrict a1, const float* __restrict d1, const float* __restrict t,
                                    float s, std::size_t start, std::size_t n) {
  for (std::size_t c = start; c < n; ++c) {
    const float l0 = a0[c] + s * d0[c];
    const float l1 = a1[c] + s * d1[c];
    z[c] -= l0 + t[c] * (l1 - l0);
  }
}

#if SCARSCOPE_X86_KERNELS
// The same two passes eight points a step (each over every point of the scan), the same
// operations per point (no FMA): the same bits.
__attribute__((target("avx2"))) void accumulate_valid_avx2(const float* z, const std::uint8_t* valid, float* sum,
                                                           std::uint32_t* count, std::size_t n, bool first) {
  std::size_t c = 0;
  for (; c + 8 <= n; c += 8) {
    const __m256i keep = _mm256_cmpgt_epi32(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(valid + c))), _mm256_setzero_si256());
    const __m256 h = _mm256_and_ps(_mm256_loadu_ps(z + c), _mm256_castsi256_ps(keep));
    __m256i* counts = reinterpret_cast<__m256i*>(count + c);
    const __m256 prior_sum = first ? _mm256_setzero_ps() : _mm256_loadu_ps(sum + c);
    const __m256i prior_count = first ? _mm256_setzero_si256() : _mm256_loadu_si256(counts);
    _mm256_storeu_ps(sum + c, _mm256_add_ps(prior_sum, h));
    _mm256_storeu_si256(counts, _mm256_sub_epi32(prior_count, keep));
  }
  accumulate_valid_portable(z, valid, sum, count, c, n, first);
}

__attribute__((target("avx2"))) void subtract_interpolated_avx2(float* z, const float* a0, const float* d0, const float* a1,
                                                                const float* d1, const float* t, float s, std::size_t n) {
  const __m256 s8 = _mm256_set1_ps(s);
  std::size_t c = 0;
  for (; c + 8 <= n; c += 8) {
    const __m256 l0 = _mm256_add_ps(_mm256_loadu_ps(a0 + c), _mm256_mul_ps(s8, _mm256_loadu_ps(d0 + c)));
    const __m256 l1 = _mm256_add_ps(_mm256_loadu_ps(a1 + c), _mm256_mul_ps(s8, _mm256_loadu_ps(d1 + c)));
    const __m256 l = _mm256_add_ps(l0, _mm256_mul_ps(_mm256_loadu_ps(t + c), _mm256_sub_ps(l1, l0)));
    _mm256_storeu_ps(z + c, _mm256_sub_ps(_mm256_loadu_ps(z + c), l));
  }
  subtract_interpolated_portable(z, a0, d0, a1, d1, t, s, c, n);
}
#endif  // SCARSCOPE_X86_KERNELS

void accumulate_valid(const float* z, const std::uint8_t* valid, float* sum, std::uint32_t* count, std::size_t n,
                      bool first) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return accumulate_valid_avx2(z, valid, sum, count, n, first);
#endif
  accumulate_valid_portable(z, valid, sum, count, 0, n, first);
}

void subtract_interpolated(float* z, const float* a0, const float* d0, const float* a1, const float* d1, const float* t,
                           float s, std::size_t n) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return subtract_interpolated_avx2(z, a0, d0, a1, d1, t, s, n);
#endif
  subtract_interpolated_portable(z, a0, d0, a1, d1, t, s, 0, n);
}

// Block means of the valid points: the large-scale reference needs no finer grid, and this makes
// it cost the same whatever the scanner's resolution.
struct CoarseGrid {
  int fx = 1, fy = 1, nx = 0, ny = 0;
  cv::Mat value;   // CV_64F mean height of the valid points in the cell
  cv::Mat weight;  // CV_64F fraction of the cell's points that are valid
};

CoarseGrid block_average(const HeightMap& map, double cell_um) {
  CoarseGrid grid;
  // (At most 2^20 points a cell: n + fx stays an int whatever the settings say.)
  grid.fx = std::clamp(round_saturating<int>(cell_um / map.dx_um()), 1, 1 << 20);
  grid.fy = std::clamp(round_saturating<int>(cell_um / map.dy_um()), 1, 1 << 20);
  grid.nx = (map.nx() + grid.fx - 1) / grid.fx;
  grid.ny = (map.ny() + grid.fy - 1) / grid.fy;
  grid.value = cv::Mat::zeros(grid.ny, grid.nx, CV_64F);
  grid.weight = cv::Mat::zeros(grid.ny, grid.nx, CV_64F);
  // Each row of cells: first the sums of every column over the cell's rows (full-width passes
  // that vectorise: a missing point, NaN, is masked to +0 through its bits), then each cell's columns.
  // Row sums of at most a cell's height in float, as before each cell row's stretch was summed in float.
  const auto nx = static_cast<std::size_t>(map.nx());
  std::vector<float> column_sum(nx);
  std::vector<std::uint32_t> column_count(nx);
  for (int j = 0; j < grid.ny; ++j) {
    const int row_begin = j * grid.fy, row_end = std::min(map.ny(), row_begin + grid.fy);
    for (int row = row_begin; row < row_end; ++row) {  // (the first row starts the sums from 0)
      accumulate_valid(map.heights() + map.index(row, 0), map.mask() + map.index(row, 0), column_sum.data(),
                       column_count.data(), nx, row == row_begin);
    }
    double* value = grid.value.ptr<double>(j);
    double* weight = grid.weight.ptr<double>(j);
    const int rows_in_cell = row_end - row_begin;
    for (int i = 0; i < grid.nx; ++i) {
      const int begin = i * grid.fx, end = std::min(map.nx(), begin + grid.fx);
      double sum = 0.0;
      int n = 0;
      for (int col = begin; col < end; ++col) {
        sum += column_sum[static_cast<std::size_t>(col)];
        n += column_count[static_cast<std::size_t>(col)];
      }
      if (n <= 0) continue;
      value[i] = sum / n;
      weight[i] = n / static_cast<double>(rows_in_cell * (end - begin));
    }
  }
  return grid;
}

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

// The weighted least-squares polynomial of the cells (surface/polynomial_surface.h); returns its
// values on the grid.
cv::Mat fit_polynomial(const CoarseGrid& grid, const CellCoordinates& xy, int degree, const cv::Mat& weights,
                       std::vector<double>* coefficients_out) {
  PolynomialFit fit(degree, xy.x_mm);
  for (int j = 0; j < grid.ny; ++j)
    fit.add_row(xy.y_mm[static_cast<std::size_t>(j)], grid.value.ptr<double>(j), weights.ptr<double>(j));
  const PolynomialSurface surface = fit.solve();
  cv::Mat values(grid.ny, grid.nx, CV_64F);
  for (int j = 0; j < grid.ny; ++j) surface.evaluate_row(xy.y_mm[static_cast<std::size_t>(j)], xy.x_mm, values.ptr<double>(j));
  if (coefficients_out) *coefficients_out = surface.coefficients;
  return values;
}

// Mask-aware (normalised) Gaussian regression: missing cells neither contribute nor pull towards 0
// (surface/masked_low_pass.h). In float32: OpenCV vectorises its kernels in float, and float's 7
// digits are far finer than the skin's relief. Any weight at all within reach gives an estimate.
cv::Mat normalised_gaussian(const cv::Mat& values, const cv::Mat& weights, double sigma_x, double sigma_y) {
  cv::Mat weighted, weights32;
  cv::Mat(values.mul(weights)).convertTo(weighted, CV_32F);
  weights.convertTo(weights32, CV_32F);
  cv::Mat low(values.size(), CV_32F);
  masked_low_pass(weighted.ptr<float>(0), weights32.ptr<float>(0), values.cols, values.rows, sigma_x, sigma_y, 1e-6f,
                  low.ptr<float>(0));
  cv::Mat result;
  low.convertTo(result, CV_64F);
  return result;
}

// The upper median (element size / 2 in order); 0 for none. Reorders `values`. The values here are
// absolute deviations (no NaN, no -0), so std::nth_element and kth_smallest give the same value;
// below 64 Ki values (the reference's 200 um cells: ~16 K on a 25 mm scan) nth_element is the
// cheaper one (kth_smallest's 64 Ki counters cost ~1.6 M instructions a call, 58 M on six
// scar-heavy tuning scans).
double median_of(std::vector<double>& values) {
  if (values.empty()) return 0.0;
  const std::size_t k = values.size() / 2;
  if (values.size() >= (std::size_t{1} << 16)) return kth_smallest(values, k);
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(k);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

// Cells within this distance of an outlier (a cell the biweight gave no say) get none either: a
// scar's outer wall, shallower than the cutoff, is not skin. Without it the reference sagged into
// broad shallow rolling scars on skin with microrelief (whose large spread raises the cutoff to
// ~20 um), and they came out shallower and narrower (tuning suite, rolling scars under 120 um:
// diameter -5.8 % -> -4.2 %, volume -6.6 % -> -4.0 %; 2 mm gives the same). (A constant, not yet a
// ReferenceSettings field: that header is shared by the session's helpers.)
constexpr double kOutlierMarginMm = 1.0;

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
  while (degree > 0 && valid_cells < 4 * polynomial_term_count(degree)) --degree;
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
    for (int j = 0; j < grid.ny; ++j) {
      const double* w0 = grid.weight.ptr<double>(j);
      const double* value = grid.value.ptr<double>(j);
      const double* r = reference.ptr<double>(j);
      for (int i = 0; i < grid.nx; ++i)
        if (w0[i] > 0) deviations.push_back(std::abs(value[i] - r[i]));
    }
    const double sigma = std::max(0.5, 1.4826 * median_of(deviations));
    info.robust_sigma_um = sigma;
    if (iteration == settings.robust_iterations) break;
    const double cutoff = settings.biweight_cutoff * sigma;
    for (int j = 0; j < grid.ny; ++j) {
      const double* w0 = grid.weight.ptr<double>(j);
      const double* value = grid.value.ptr<double>(j);
      const double* r = reference.ptr<double>(j);
      double* w = robust.ptr<double>(j);
      for (int i = 0; i < grid.nx; ++i) {
        if (w0[i] <= 0) continue;
        const double u = (value[i] - r[i]) / cutoff;
        w[i] = std::abs(u) < 1 ? w0[i] * (1 - u * u) * (1 - u * u) : 0.0;
      }
    }
    // The cells around an outlier are no skin either (a scar's outer wall below the cutoff),
    // unless that would leave less than a quarter of the cells to say where the skin is.
    const double margin_mm = kOutlierMarginMm;
    const int rx = std::min(grid.nx, saturating_cast<int>(std::lround(margin_mm * 1000.0 / (grid.fx * map.dx_um()))));
    const int ry = std::min(grid.ny, saturating_cast<int>(std::lround(margin_mm * 1000.0 / (grid.fy * map.dy_um()))));
    if (rx > 0 || ry > 0) {
      const cv::Mat outlier = (robust == 0) & (grid.weight > 0);
      cv::Mat near_outlier;
      cv::dilate(outlier, near_outlier, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * rx + 1, 2 * ry + 1)));
      cv::Mat kept = robust.clone();
      kept.setTo(0.0, near_outlier);
      if (4 * cv::countNonZero(kept) >= valid_cells) robust = kept;
    }
  }

  // Bilinear interpolation of the coarse reference at every point, subtracted in place (no
  // full-resolution copy of the reference is ever held).
  cv::Mat reference32;
  reference.convertTo(reference32, CV_32F);
  detail::subtract_cell_bilinear(map, reference32.ptr<float>(0), grid.nx, grid.ny, grid.fx, grid.fy);
  info.coarse_nx = grid.nx;
  info.coarse_ny = grid.ny;
  info.coarse_dx_um = grid.fx * map.dx_um();
  info.coarse_dy_um = grid.fy * map.dy_um();
  info.valid_cells = valid_cells;
  return info;
}

namespace detail {

void reference_block_means(const HeightMap& map, double cell_um, int& nx, int& ny, std::vector<double>& mean,
                           std::vector<double>& valid_fraction) {
  const CoarseGrid grid = block_average(map, cell_um);
  nx = grid.nx;
  ny = grid.ny;
  mean.assign(grid.value.begin<double>(), grid.value.end<double>());
  valid_fraction.assign(grid.weight.begin<double>(), grid.weight.end<double>());
}

double upper_median(std::vector<double>& values) { return median_of(values); }

namespace {

// a0/a1 = r0 at columns col0/col1, d0/d1 = r1 minus r0 there, for columns [start, n).
void gather_corners_portable(const float* r0, const float* r1, const int* col0, const int* col1, std::size_t start,
                             std::size_t n, float* a0, float* a1, float* d0, float* d1) {
  for (std::size_t col = start; col < n; ++col) {
    const int i0 = col0[col], i1 = col1[col];
    a0[col] = r0[i0];
    a1[col] = r0[i1];
    d0[col] = r1[i0] - r0[i0];
    d1[col] = r1[i1] - r0[i1];
  }
}

#if SCARSCOPE_X86_KERNELS
// The same, eight columns a step by AVX2 gathers.
__attribute__((target("avx2"))) void gather_corners_avx2(const float* r0, const float* r1, const int* col0,
                                                         const int* col1, std::size_t n, float* a0, float* a1, float* d0,
                                                         float* d1) {
  std::size_t col = 0;
  for (; col + 8 <= n; col += 8) {
    const __m256i i0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col0 + col));
    const __m256i i1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col1 + col));
    const __m256 top0 = _mm256_i32gather_ps(r0, i0, 4), top1 = _mm256_i32gather_ps(r0, i1, 4);
    _mm256_storeu_ps(a0 + col, top0);
    _mm256_storeu_ps(a1 + col, top1);
    _mm256_storeu_ps(d0 + col, _mm256_sub_ps(_mm256_i32gather_ps(r1, i0, 4), top0));
    _mm256_storeu_ps(d1 + col, _mm256_sub_ps(_mm256_i32gather_ps(r1, i1, 4), top1));
  }
  gather_corners_portable(r0, r1, col0, col1, col, n, a0, a1, d0, d1);
}
#endif  // SCARSCOPE_X86_KERNELS

void gather_corners(const float* r0, const float* r1, const int* col0, const int* col1, std::size_t n, float* a0,
                    float* a1, float* d0, float* d1) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return gather_corners_avx2(r0, r1, col0, col1, n, a0, a1, d0, d1);
#endif
  gather_corners_portable(r0, r1, col0, col1, 0, n, a0, a1, d0, d1);
}

}  // namespace

void subtract_cell_bilinear(HeightMap& map, const float* reference, int cells_x, int cells_y, int fx, int fy) {
  // Along a row, point col lies between cells i0 and i1 = i0 + 1 of the two cell rows j0, j1
  // around it (held at the outer cells' centres beyond them). The four corner values of every
  // column (and the two differences along y) are gathered once per pair of cell rows, so the pass
  // over the points reads only contiguous arrays and vectorises; its arithmetic is that of
  // interpolating along y first (the cell row at s), then along x (at t).
  const auto nx = static_cast<std::size_t>(map.nx());
  std::vector<int> col0(nx), col1(nx);
  std::vector<float> col_t(nx);
  for (int col = 0; col < map.nx(); ++col) {
    double u = (col - (fx - 1) / 2.0) / fx;
    u = std::clamp(u, 0.0, static_cast<double>(cells_x - 1));
    const int i0 = std::min(static_cast<int>(u), std::max(0, cells_x - 2));
    col0[static_cast<std::size_t>(col)] = i0;
    col1[static_cast<std::size_t>(col)] = std::min(i0 + 1, cells_x - 1);
    col_t[static_cast<std::size_t>(col)] = cells_x > 1 ? static_cast<float>(u - i0) : 0.0f;
  }
  // a0/a1: row j0 at i0/i1; d0/d1: row j1 minus row j0 there.
  std::vector<float> a0(nx), a1(nx), d0(nx), d1(nx);
  int gathered = -1;
  for (int row = 0; row < map.ny(); ++row) {
    double v = (row - (fy - 1) / 2.0) / fy;
    v = std::clamp(v, 0.0, static_cast<double>(cells_y - 1));
    const int j0 = std::min(static_cast<int>(v), std::max(0, cells_y - 2));
    const int j1 = std::min(j0 + 1, cells_y - 1);
    const float s = cells_y > 1 ? static_cast<float>(v - j0) : 0.0f;
    if (j0 != gathered) {
      const float* r0 = reference + static_cast<std::size_t>(j0) * static_cast<std::size_t>(cells_x);
      const float* r1 = reference + static_cast<std::size_t>(j1) * static_cast<std::size_t>(cells_x);
      gather_corners(r0, r1, col0.data(), col1.data(), nx, a0.data(), a1.data(), d0.data(), d1.data());
      gathered = j0;
    }
    subtract_interpolated(map.heights() + map.index(row, 0), a0.data(), d0.data(), a1.data(), d1.data(), col_t.data(), s, nx);
  }
}

}  // namespace detail
}  // namespace scarscope
