// Hole filling by harmonic (Laplace) interpolation: each filled point is the weighted mean of its
// four neighbours, so the filled surface is the smoothest one that meets its surroundings (a plane
// or any harmonic function such as x^2 - y^2 is reproduced exactly). Scar depth and volume are
// measured against the skin surface rebuilt this way from the scar's rim (STYLE.md, Gwyddion).
//
// The discrete equation uses the physical spacing (weights 1/dx^2 and 1/dy^2). Known points are
// fixed; across the edge of the grid (or of the working box) nothing flows (zero normal slope).
// The solver is multigrid (full-multigrid start over a pyramid of 2 x 2 block means, then
// W-cycles of red-black Gauss-Seidel) and stops when a sweep changes no point by more than 1e-6
// of the range of the known heights. 2000 x 2000 with 10 % missing: about 0.3 s on one core.
#pragma once
#include <cstdint>
#include <vector>

#include "surface/height_map.h"

namespace scarscope {

// Fills every missing point of `map` from the valid points around it and marks it valid.
// Throws InputError if the map has no valid point to fill from.
void fill_missing(HeightMap& map);

// Fills the points of `region` from the points around it, in place.
//   heights: nx * ny heights, row-major (row 0 first); NaN or infinity = missing.
//   region:  nx * ny flags, nonzero = replace this point (a scar, say), whatever its height.
//   dx_um, dy_um: lateral spacing (only their ratio matters).
// Only the bounding box of the region grown by one point is touched: region points, and missing
// points inside that box, receive the harmonic interpolant of the known points in the box (the
// rim around the region is the boundary). Points outside the box are not read nor written.
// Does nothing if the region is empty. Throws InputError if sizes or spacings are not positive, or
// if the box holds no known point to fill from (the region covers the whole map, say).
void harmonic_fill(float* heights, const std::uint8_t* region, int nx, int ny, double dx_um = 1.0,
                   double dy_um = 1.0);

// As above on a copy: returns the nx * ny heights with the region filled.
std::vector<float> harmonic_filled(const float* heights, const std::uint8_t* region, int nx, int ny,
                                   double dx_um = 1.0, double dy_um = 1.0);

}  // namespace scarscope
