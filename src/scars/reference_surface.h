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

}  // namespace scarscope
