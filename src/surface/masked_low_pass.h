// The one mask-weighted Gaussian low-pass (normalised convolution) behind every slow surface
// ScarScope estimates from incomplete data: the analysis' reference skin (its waviness) and the
// follow-up's slow pose residual. low = G * (w z) / G * w, everything outside the grid missing (a
// zero weight: the edge is estimated from the points that exist, neither mirrored nor pulled to
// zero); where the weight within reach is below a floor there is no estimate and the low-pass is 0.
// A wide Gaussian runs on a grid coarser by an integer factor (area means down, the Gaussian
// there, bilinear back), which costs about 1/factor^3 of a blur at full resolution.
// (surface/gaussian_filter.h is the ISO 16610-61 filter of a HeightMap, with its exact transmission.)
#pragma once
#include <cstddef>
#include <vector>

namespace scarscope {

// How a low-pass of sigma (in grid points) is computed on a nx x ny grid.
struct LowPassGrid {
  int nx = 0, ny = 0;
  int factor = 1;                    // max(1, min(sigma_x, sigma_y) / 4): at least 4 coarse cells per sigma
  int coarse_nx = 0, coarse_ny = 0;  // ceil(n / factor)
  double coarse_sigma_x = 0.0, coarse_sigma_y = 0.0;  // sigma / factor
};
LowPassGrid plan_masked_low_pass(int nx, int ny, double sigma_x, double sigma_y);

// Writes the low-pass of every point to `out` (nx x ny, row-major). `weighted` holds w z and
// `weights` w >= 0 (the caller forms the products in the precision it holds its values in).
// min_weight: the smallest blurred weight (as a fraction of a neighbourhood with every weight 1)
// that gives an estimate; below it the low-pass is 0.
void masked_low_pass(const float* weighted, const float* weights, int nx, int ny, double sigma_x, double sigma_y,
                     float min_weight, float* out);

// The same low-pass redone many times with a few points taken out each time (the follow-up's
// noise patches are held out of it as a scar is): the coarse sums of w z and w are kept, a point
// taken out changes only them, and the low-pass is read back point by point. Up to float rounding
// it equals masked_low_pass of the data without those points (the coarse cells share each point
// exactly as masked_low_pass's area means do, and sample() interpolates as it does).
class MaskedLowPassSums {
 public:
  MaskedLowPassSums() = default;
  explicit MaskedLowPassSums(const LowPassGrid& grid);
  const LowPassGrid& grid() const { return grid_; }
  bool empty() const { return num_.empty(); }

  // Adds w z and w of the point at (row, col); negative values take a point out again.
  void add(int row, int col, float weighted, float weight);
  // The low-pass on the coarse grid for the current sums (see masked_low_pass's min_weight).
  std::vector<float> coarse_low_pass(float min_weight) const;
  // The low-pass at (row, col) of the full grid, from a coarse_low_pass result.
  float sample(const std::vector<float>& coarse, int row, int col) const;

 private:
  struct Share {
    int cell = 0;
    float fraction = 0.0f;
  };
  LowPassGrid grid_;
  std::vector<float> num_, den_;           // coarse_nx x coarse_ny
  std::vector<Share> x_shares_, y_shares_;  // two per point of each axis (the second may be 0)
};

}  // namespace scarscope
