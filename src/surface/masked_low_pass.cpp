#include "surface/masked_low_pass.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/saturating_cast.h"

namespace scarscope {
namespace {

// The coarse low-pass: both planes blurred (outside the grid: weight 0), their ratio where the
// weight carries at least min_weight.
cv::Mat coarse_ratio(const cv::Mat& num, const cv::Mat& den, const LowPassGrid& grid, float min_weight) {
  cv::Mat numerator, denominator;
  cv::GaussianBlur(num, numerator, cv::Size(0, 0), grid.coarse_sigma_x, grid.coarse_sigma_y, cv::BORDER_CONSTANT);
  cv::GaussianBlur(den, denominator, cv::Size(0, 0), grid.coarse_sigma_x, grid.coarse_sigma_y, cv::BORDER_CONSTANT);
  cv::Mat ratio(numerator.size(), CV_32F);
  for (int j = 0; j < ratio.rows; ++j) {
    const float* n = numerator.ptr<float>(j);
    const float* d = denominator.ptr<float>(j);
    float* r = ratio.ptr<float>(j);
    for (int i = 0; i < ratio.cols; ++i) r[i] = d[i] > min_weight ? n[i] / d[i] : 0.0f;
  }
  return ratio;
}

// Where each of `size` points goes when `size` points are averaged into `cells` (cv::resize's
// INTER_AREA: cell c covers [c s, (c + 1) s), s = size / cells, and each point counts with the
// share of it that lies in the cell, over the cell's width), two shares per point.
template <class Share>
std::vector<Share> area_shares(int size, int cells) {
  std::vector<Share> shares(static_cast<std::size_t>(size) * 2);
  std::vector<int> used(static_cast<std::size_t>(size), 0);
  const auto put = [&](int point, int cell, double fraction) {
    int& n = used[static_cast<std::size_t>(point)];
    if (n >= 2) return;  // cannot happen for cells no narrower than a point
    shares[static_cast<std::size_t>(point) * 2 + static_cast<std::size_t>(n++)] = {cell, static_cast<float>(fraction)};
  };
  if (cells == size) {
    for (int i = 0; i < size; ++i) put(i, i, 1.0);
    return shares;
  }
  const double scale = static_cast<double>(size) / cells;
  for (int cell = 0; cell < cells; ++cell) {
    const double from = cell * scale, to = from + scale;
    const double width = std::min(scale, size - from);
    int first = static_cast<int>(std::ceil(from)), last = static_cast<int>(std::floor(to));
    last = std::min(last, size - 1);
    first = std::min(first, last);
    if (first - from > 1e-3) put(first - 1, cell, (first - from) / width);
    for (int point = first; point < last; ++point) put(point, cell, 1.0 / width);
    if (to - last > 1e-3) put(last, cell, std::min(std::min(to - last, 1.0), width) / width);
  }
  return shares;
}

// cv::resize's INTER_LINEAR from `cells` back to `size` points along one axis: the lower cell and
// the weight of the upper one, held at the outer cells.
void linear_position(int point, int size, int cells, int& cell, float& weight) {
  weight = static_cast<float>((point + 0.5) * (static_cast<double>(cells) / size) - 0.5);
  cell = static_cast<int>(std::floor(weight));
  weight -= static_cast<float>(cell);
  if (cell < 0) {
    cell = 0;
    weight = 0.0f;
  }
  if (cell >= cells - 1) {
    cell = cells - 1;
    weight = 0.0f;
  }
}

}  // namespace

LowPassGrid plan_masked_low_pass(int nx, int ny, double sigma_x, double sigma_y) {
  LowPassGrid grid;
  grid.nx = nx;
  grid.ny = ny;
  // (At most 2^20: a wider sigma needs no finer grid than one cell, and n + factor stays an int.)
  grid.factor = std::clamp(saturating_cast<int>(std::min(sigma_x, sigma_y) / 4.0), 1, 1 << 20);
  grid.coarse_nx = (nx + grid.factor - 1) / grid.factor;
  grid.coarse_ny = (ny + grid.factor - 1) / grid.factor;
  grid.coarse_sigma_x = sigma_x / grid.factor;
  grid.coarse_sigma_y = sigma_y / grid.factor;
  return grid;
}

void masked_low_pass(const float* weighted, const float* weights, int nx, int ny, double sigma_x, double sigma_y,
                     float min_weight, float* out) {
  const LowPassGrid grid = plan_masked_low_pass(nx, ny, sigma_x, sigma_y);
  cv::Mat num(ny, nx, CV_32F, const_cast<float*>(weighted));
  cv::Mat den(ny, nx, CV_32F, const_cast<float*>(weights));
  cv::Mat result(ny, nx, CV_32F, out);
  if (grid.factor > 1) {
    const cv::Size small(grid.coarse_nx, grid.coarse_ny);
    cv::Mat small_num, small_den;
    cv::resize(num, small_num, small, 0, 0, cv::INTER_AREA);
    cv::resize(den, small_den, small, 0, 0, cv::INTER_AREA);
    cv::resize(coarse_ratio(small_num, small_den, grid, min_weight), result, result.size(), 0, 0, cv::INTER_LINEAR);
  } else {
    coarse_ratio(num, den, grid, min_weight).copyTo(result);
  }
}

MaskedLowPassSums::MaskedLowPassSums(const LowPassGrid& grid) : grid_(grid) {
  const std::size_t cells = static_cast<std::size_t>(grid.coarse_nx) * static_cast<std::size_t>(grid.coarse_ny);
  num_.assign(cells, 0.0f);
  den_.assign(cells, 0.0f);
  x_shares_ = area_shares<Share>(grid.nx, grid.coarse_nx);
  y_shares_ = area_shares<Share>(grid.ny, grid.coarse_ny);
}

void MaskedLowPassSums::add(int row, int col, float weighted, float weight) {
  for (int a = 0; a < 2; ++a) {
    const Share& sy = y_shares_[static_cast<std::size_t>(row) * 2 + static_cast<std::size_t>(a)];
    if (sy.fraction == 0.0f) continue;
    for (int b = 0; b < 2; ++b) {
      const Share& sx = x_shares_[static_cast<std::size_t>(col) * 2 + static_cast<std::size_t>(b)];
      if (sx.fraction == 0.0f) continue;
      const float share = sy.fraction * sx.fraction;
      const std::size_t cell =
          static_cast<std::size_t>(sy.cell) * static_cast<std::size_t>(grid_.coarse_nx) + static_cast<std::size_t>(sx.cell);
      num_[cell] += share * weighted;
      den_[cell] += share * weight;
    }
  }
}

std::vector<float> MaskedLowPassSums::coarse_low_pass(float min_weight) const {
  if (num_.empty()) return {};
  const cv::Mat num(grid_.coarse_ny, grid_.coarse_nx, CV_32F, const_cast<float*>(num_.data()));
  const cv::Mat den(grid_.coarse_ny, grid_.coarse_nx, CV_32F, const_cast<float*>(den_.data()));
  const cv::Mat ratio = coarse_ratio(num, den, grid_, min_weight);
  return std::vector<float>(ratio.begin<float>(), ratio.end<float>());
}

float MaskedLowPassSums::sample(const std::vector<float>& coarse, int row, int col) const {
  const auto at = [&](int j, int i) {
    return coarse[static_cast<std::size_t>(j) * static_cast<std::size_t>(grid_.coarse_nx) + static_cast<std::size_t>(i)];
  };
  if (grid_.factor == 1) return at(row, col);
  int x0 = 0, y0 = 0;
  float tx = 0.0f, ty = 0.0f;
  linear_position(col, grid_.nx, grid_.coarse_nx, x0, tx);
  linear_position(row, grid_.ny, grid_.coarse_ny, y0, ty);
  const int x1 = std::min(x0 + 1, grid_.coarse_nx - 1), y1 = std::min(y0 + 1, grid_.coarse_ny - 1);
  const float top = at(y0, x0) * (1.0f - tx) + at(y0, x1) * tx;
  const float bottom = at(y1, x0) * (1.0f - tx) + at(y1, x1) * tx;
  return top * (1.0f - ty) + bottom * ty;
}

}  // namespace scarscope
