// ISO 16610-61 areal Gaussian filter, mask-aware (normalised convolution: missing points neither
// contribute nor pull the result towards zero).
#pragma once
#include "surface/height_map.h"

namespace scarscope {

// sigma = cutoff * sqrt(ln 2 / 2) / pi, so that the filter transmits 50 % at the cutoff wavelength.
double gaussian_sigma_um(double cutoff_um);

// The low-pass (waviness/form) surface for the given cutoff wavelength in micrometres.
// Points with no valid neighbour within reach stay missing.
HeightMap gaussian_filter(const HeightMap& map, double cutoff_um);

}  // namespace scarscope
