// Sdq by either convention (surface/parameters.h: central differences, the default, or ISO
// 25178-2's two-point slope as Gwyddion reports it) against surfaces whose Sdq is known: a plane
// of known slope, and sinusoids whose sampled slopes have a closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "surface/height_map.h"
#include "surface/parameters.h"

namespace scarscope {
namespace {

constexpr double kSpacing = 10.0;  // um

HeightMap plane(double slope_x, double slope_y) {
  HeightMap map(41, 33, kSpacing, kSpacing);
  for (int r = 0; r < map.ny(); ++r)
    for (int c = 0; c < map.nx(); ++c) map.set(r, c, static_cast<float>(slope_x * c * kSpacing + slope_y * r * kSpacing));
  return map;
}

// z = amplitude sin(2 pi x / wavelength) over `periods` whole periods (the last point closes the
// last period, so the two-point pairs cover whole periods), 5 rows.
HeightMap sinusoid(double amplitude, double wavelength, int periods) {
  const int columns = static_cast<int>(std::lround(periods * wavelength / kSpacing)) + 1;
  HeightMap map(columns, 5, kSpacing, kSpacing);
  for (int r = 0; r < map.ny(); ++r)
    for (int c = 0; c < map.nx(); ++c) {
      map.set(r, c, static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * c * kSpacing / wavelength)));
    }
  return map;
}

TEST(SdqConventions, APlaneHasItsSlopeByBothConventions) {
  const HeightMap map = plane(0.3, -0.4);  // |gradient| 0.5
  EXPECT_NEAR(compute_surface_parameters(map, SdqMethod::two_point).Sdq, 0.5, 1e-5);
  EXPECT_NEAR(compute_surface_parameters(map, SdqMethod::central_differences).Sdq, 0.5, 1e-5);
  EXPECT_NEAR(two_point_sdq(map), 0.5, 1e-5);
}

TEST(SdqConventions, AFinelySampledSinusoidHasTheAnalyticSdq) {
  // Continuous: rms of A k cos(k x) = A k / sqrt(2), k = 2 pi / wavelength.
  const double amplitude = 20.0, wavelength = 1000.0;  // 100 points a period
  const double analytic = amplitude * 2.0 * std::numbers::pi / wavelength / std::sqrt(2.0);
  const HeightMap map = sinusoid(amplitude, wavelength, 4);
  EXPECT_NEAR(compute_surface_parameters(map, SdqMethod::two_point).Sdq, analytic, 1e-3 * analytic);
}

TEST(SdqConventions, OnACoarseSinusoidEachConventionGivesItsOwnSampledSlope) {
  // Eight points a period. Two-point: (z[i+1] - z[i]) / dx = (2A / dx) sin(k dx / 2) cos(...),
  // rms (2A / dx) sin(pi dx / wavelength) / sqrt(2), 2.5 % under the continuous value. Central
  // differences: (A / dx) sin(k dx) cos(...), rms (A / dx) sin(2 pi dx / wavelength) / sqrt(2),
  // 10 % under (the map's first and last columns take one-sided slopes: within 1 % here).
  const double amplitude = 5.0, wavelength = 8.0 * kSpacing;
  const HeightMap map = sinusoid(amplitude, wavelength, 40);
  const double two_point = 2.0 * amplitude / kSpacing * std::sin(std::numbers::pi * kSpacing / wavelength) / std::sqrt(2.0);
  const double central = amplitude / kSpacing * std::sin(2.0 * std::numbers::pi * kSpacing / wavelength) / std::sqrt(2.0);
  EXPECT_NEAR(compute_surface_parameters(map, SdqMethod::two_point).Sdq, two_point, 1e-5 * two_point);
  EXPECT_NEAR(compute_surface_parameters(map).Sdq, central, 1e-2 * central);
  EXPECT_GT(compute_surface_parameters(map, SdqMethod::two_point).Sdq, 1.05 * compute_surface_parameters(map).Sdq);
}

TEST(SdqConventions, TwoPointSlopesSkipPairsWithAMissingPoint) {
  // A plane with a hole: pairs touching the hole are left out (no NaN reaches the sum).
  HeightMap map = plane(0.3, -0.4);
  map.set_missing(10, 10);
  EXPECT_NEAR(two_point_sdq(map), 0.5, 1e-5);
  EXPECT_STREQ(sdq_method_name(SdqMethod::two_point), "two-point");
  EXPECT_STREQ(sdq_method_name(SdqMethod::central_differences), "central-differences");
}

}  // namespace
}  // namespace scarscope
