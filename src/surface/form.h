// Form removal: least-squares polynomial surfaces (degree 1 = plane, up to 4) fitted to the
// valid points only, and subtracted.
#pragma once
#include <vector>

#include "surface/height_map.h"

namespace scarscope {

struct FormFit {
  int degree = 1;
  // Coefficients of x^i y^j (x, y in mm, centred on the grid), ordered by total degree, then by i descending.
  std::vector<double> coefficients;
  double residual_rms_um = 0.0;
};

// Returns heights minus the fitted polynomial of `degree` (1–4); missing points stay missing.
// Throws InputError for a degree outside 1–4 or too few valid points to fit.
HeightMap remove_form(const HeightMap& map, int degree, FormFit* fit = nullptr);
inline HeightMap remove_plane(const HeightMap& map) { return remove_form(map, 1); }

}  // namespace scarscope
