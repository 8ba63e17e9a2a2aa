// Mask-aware ISO 16610-61 Gaussian: filter(z * w) / filter(w), with OpenCV's separable filter.
//
// For a large sigma in pixels the two planes are block-averaged by an integer factor per axis,
// filtered on the coarse grid with a sigma reduced so that the block average, the coarse Gaussian
// and the linear interpolation back together have the variance of the requested Gaussian, and
// interpolated back. The low-pass result is smooth on the scale of sigma, so nothing visible is lost.
#include "surface/gaussian_filter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope {

namespace {

// Coarse-grid filtering keeps at least this many coarse pixels per sigma.
constexpr double kCoarsePixelsPerSigma = 6.0;
// Kernels are truncated at this many sigma (the weight beyond is below 3.4e-4 of the peak).
constexpr double kTruncationSigmas = 4.0;

cv::Mat gaussian_kernel(double sigma_px, int max_radius) {
  const int radius = std::max(1, std::min(max_radius, static_cast<int>(std::ceil(kTruncationSigmas * sigma_px))));
  cv::Mat kernel(2 * radius + 1, 1, CV_32F);
  double sum = 0.0;
  std::vector<double> weights(2 * radius + 1);
  for (int k = -radius; k <= radius; ++k) {
    const double t = k / sigma_px;
    weights[k + radius] = std::exp(-0.5 * t * t);
    sum += weights[k + radius];
  }
  for (int k = 0; k <= 2 * radius; ++k) kernel.at<float>(k) = static_cast<float>(weights[k] / sum);
  return kernel;
}

// Separable Gaussian with everything outside the image taken as zero (that is, as missing).
void blur(const cv::Mat& src, cv::Mat& dst, double sigma_x_px, double sigma_y_px) {
  const cv::Mat kx = gaussian_kernel(sigma_x_px, src.cols);
  const cv::Mat ky = gaussian_kernel(sigma_y_px, src.rows);
  cv::sepFilter2D(src, dst, CV_32F, kx, ky, cv::Point(-1, -1), 0.0, cv::BORDER_CONSTANT);
}

// Variance, in fine pixels, of an f-pixel block average (discrete uniform) and of the linear
// interpolation from a grid of spacing f (triangle of half-width f).
double block_average_variance(int f) { return (f * f - 1) / 12.0; }
double linear_interpolation_variance(int f) { return f > 1 ? f * f / 6.0 : 0.0; }

int coarse_factor(double sigma_px, GaussianFilterMethod method) {
  if (method == GaussianFilterMethod::direct) return 1;
  return std::max(1, static_cast<int>(std::floor(sigma_px / kCoarsePixelsPerSigma)));
}

}  // namespace

double gaussian_sigma_um(double cutoff_um) {
  return cutoff_um * std::sqrt(std::numbers::ln2 / 2.0) / std::numbers::pi;
}

HeightMap gaussian_filter(const HeightMap& map, double cutoff_um, GaussianFilterMethod method) {
  if (!std::isfinite(cutoff_um) || cutoff_um <= 0.0) {
    throw InputError("Gaussian filter: the cutoff wavelength must be finite and positive, got " +
                     formats::format_number(cutoff_um) + " um");
  }
  const std::size_t valid_points = map.valid_count();
  if (valid_points == 0) {
    throw InputError("Gaussian filter: the height map has no valid points");
  }
  const int nx = map.nx();
  const int ny = map.ny();
  const float* z = map.heights();
  const std::uint8_t* valid = map.mask();

  // Filter heights about their mean so a large offset does not cost float precision.
  double sum = 0.0;
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (valid[i]) sum += z[i];
  }
  const double mean = sum / static_cast<double>(valid_points);

  cv::Mat weighted(ny, nx, CV_32F);
  cv::Mat weight(ny, nx, CV_32F);
  {
    float* wz = weighted.ptr<float>(0);  // both continuous: one row after the other
    float* w = weight.ptr<float>(0);
    const float offset = static_cast<float>(mean);
    for (std::size_t i = 0; i < map.size(); ++i) {
      const bool ok = valid[i] != 0;
      w[i] = ok ? 1.0f : 0.0f;
      wz[i] = ok ? z[i] - offset : 0.0f;
    }
  }

  const double sigma_um = gaussian_sigma_um(cutoff_um);
  const double sigma_x = sigma_um / map.dx_um();
  const double sigma_y = sigma_um / map.dy_um();
  const int fx = std::min(coarse_factor(sigma_x, method), nx);
  const int fy = std::min(coarse_factor(sigma_y, method), ny);

  cv::Mat weighted_low, weight_low;
  if (fx == 1 && fy == 1) {
    blur(weighted, weighted_low, sigma_x, sigma_y);
    blur(weight, weight_low, sigma_x, sigma_y);
  } else {
    // Pad with missing points to whole blocks plus one block on every side, average the blocks,
    // filter, interpolate back. The outer blocks hold no data, but after filtering they hold the
    // low-pass planes there, so the interpolation reaches the map's edge without clamping.
    const int coarse_nx = (nx + fx - 1) / fx + 2;
    const int coarse_ny = (ny + fy - 1) / fy + 2;
    const int padded_nx = coarse_nx * fx;
    const int padded_ny = coarse_ny * fy;
    const double coarse_sigma_x =
        std::sqrt(std::max(0.25, sigma_x * sigma_x - block_average_variance(fx) - linear_interpolation_variance(fx))) / fx;
    const double coarse_sigma_y =
        std::sqrt(std::max(0.25, sigma_y * sigma_y - block_average_variance(fy) - linear_interpolation_variance(fy))) / fy;
    auto low_pass = [&](const cv::Mat& plane) {
      cv::Mat padded, coarse, coarse_low, fine;
      cv::copyMakeBorder(plane, padded, fy, padded_ny - ny - fy, fx, padded_nx - nx - fx, cv::BORDER_CONSTANT,
                         cv::Scalar(0));
      cv::resize(padded, coarse, cv::Size(coarse_nx, coarse_ny), 0, 0, cv::INTER_AREA);
      blur(coarse, coarse_low, coarse_sigma_x, coarse_sigma_y);
      cv::resize(coarse_low, fine, cv::Size(padded_nx, padded_ny), 0, 0, cv::INTER_LINEAR);
      return fine(cv::Rect(fx, fy, nx, ny)).clone();
    };
    weighted_low = low_pass(weighted);
    weight_low = low_pass(weight);
  }

  HeightMap result = map.clone();
  float* out = result.heights();
  std::uint8_t* out_valid = result.mask();
  const float* wz = weighted_low.ptr<float>(0);
  const float* w = weight_low.ptr<float>(0);
  const float offset = static_cast<float>(mean);
  const float minimum_fill_weight = static_cast<float>(kMinimumFillWeight);
  for (std::size_t i = 0; i < map.size(); ++i) {
    const bool keep = valid[i] ? w[i] > 0.0f : w[i] >= minimum_fill_weight;
    out[i] = keep ? wz[i] / w[i] + offset : std::numeric_limits<float>::quiet_NaN();
    out_valid[i] = keep ? 1 : 0;
  }
  return result;
}

}  // namespace scarscope
