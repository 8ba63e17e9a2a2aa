// ISO 16610-61 areal Gaussian filter, mask-aware (normalised convolution: missing points neither
// contribute nor pull the result towards zero).
#pragma once
#include "surface/height_map.h"

namespace scarscope {

// sigma = cutoff * sqrt(ln 2 / 2) / pi, so that the filter transmits 50 % at the cutoff wavelength.
double gaussian_sigma_um(double cutoff_um);

// How the convolution is carried out. Both give the same filter (transmission within about 0.1 %
// of the ISO curve for wavelengths longer than the cutoff).
enum class GaussianFilterMethod {
  automatic,  // direct below about 6 px of sigma; otherwise block-average by f = sigma / 6 px per
              // axis, filter the coarse grid, interpolate back (a 2000 x 2000 map at sigma 75 px:
              // tens of ms instead of about a second)
  direct,     // separable convolution at full resolution, kernel truncated at 4 sigma
};

// The low-pass (waviness/form) surface for the given cutoff wavelength in micrometres, computed as
// filter(z * valid) / filter(valid). The area outside the map counts as missing, so the edges are
// filtered with the points that exist (no reflection, no zero padding pulling the edge down).
// Valid points stay valid. Missing points are filled where the valid points within reach carry at
// least 0.1 % of the weight a fully valid neighbourhood would (kMinimumFillWeight); others stay missing.
// Throws InputError for a cutoff that is not finite and positive, or a map with no valid point.
HeightMap gaussian_filter(const HeightMap& map, double cutoff_um,
                          GaussianFilterMethod method = GaussianFilterMethod::automatic);

inline constexpr double kMinimumFillWeight = 1e-3;

}  // namespace scarscope
