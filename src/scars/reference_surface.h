// The reference skin surface: where the skin would be without its scars (the face's form and
// waviness), estimated robustly so that scars do not pull it towards themselves.
#pragma once
#include <vector>

#include "scars/analysis_settings.h"
#include "surface/height_map.h"

namespace scarscope {

struct ReferenceInfo {
  int coarse_nx = 0, coarse_ny = 0;   // grid the reference was computed on
  double coarse_dx_um = 0, coarse_dy_um = 0;
  std::vector<double> form_coefficients;  // polynomial, x and y in mm centred on the grid
  double robust_sigma_um = 0;         // robust spread of the skin around the reference (coarse cells)
  int valid_cells = 0;
};

// Replaces every valid height by its height above the reference skin surface (the "relief":
// negative in depressions, positive on elevations). Missing points stay missing. Throws InputError
// if there are too few valid points to fit a surface.
ReferenceInfo subtract_reference_surface(HeightMap& map, const ReferenceSettings& settings);

// The parts of subtract_reference_surface, exposed for tests.
namespace detail {
// Means of the valid points in cells of round(cell_um / spacing) points (the last row and column
// of cells may be partial) and the fraction of each cell's points that are valid; row-major,
// nx x ny cells. A cell with no valid point has mean 0 and fraction 0.
void reference_block_means(const HeightMap& map, double cell_um, int& nx, int& ny, std::vector<double>& mean,
                           std::vector<double>& valid_fraction);
// The element values.size() / 2 in order (the upper median) of non-negative numbers; reorders them.
double upper_median(std::vector<double>& values);
// Subtracts from every point the bilinear interpolation of `reference` (cells_x x cells_y, row
// major, cells of fx x fy points; cell (i, j) is centred at column i fx + (fx - 1) / 2, row
// j fy + (fy - 1) / 2, also a partial last cell; beyond the outer centres the value is held). Missing points (NaN) stay NaN.
void subtract_cell_bilinear(HeightMap& map, const float* reference, int cells_x, int cells_y, int fx, int fy);
}  // namespace detail

}  // namespace scarscope
