// ISO 25178-2 parameters pinned on analytic surfaces against their closed forms: what `scarscope
// info` reports for a surface must be what the textbook says that surface has.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/random.h"
#include "core/error.h"
#include "surface/form.h"
#include "surface/height_map.h"
#include "surface/parameters.h"

using scarscope::Random;
using scarscope::compute_surface_parameters;
using scarscope::HeightMap;
using scarscope::InputError;
using scarscope::SurfaceParameters;

namespace {

constexpr double kPi = std::numbers::pi;

// z = A sin(2 pi x / wavelength), x = column * dx, over whole periods.
HeightMap sine_map(double amplitude, int samples_per_period, int periods, int rows, double dx) {
  HeightMap map(samples_per_period * periods, rows, dx, dx);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      map.set(r, c, static_cast<float>(amplitude * std::sin(2.0 * kPi * c / samples_per_period)));
    }
  }
  return map;
}

// Developed area ratio of the sine in %, (1/L) * integral of sqrt(1 + z'(x)^2) dx - 1, by
// composite Simpson quadrature over one period (the integrand is smooth and periodic).
double sine_sdr_pct(double amplitude, double wavelength) {
  const int intervals = 20000;
  const double h = wavelength / intervals;
  const double k = 2.0 * kPi / wavelength;
  auto integrand = [&](double x) {
    const double slope = amplitude * k * std::cos(k * x);
    return std::sqrt(1.0 + slope * slope);
  };
  double sum = integrand(0.0) + integrand(wavelength);
  for (int i = 1; i < intervals; ++i) sum += integrand(i * h) * (i % 2 ? 4.0 : 2.0);
  return 100.0 * (sum * h / 3.0 / wavelength - 1.0);
}

}  // namespace

TEST(SurfaceParameters, SineOverWholePeriodsMatchesClosedForms) {
  const double amplitude = 20.0;  // um
  const double dx = 2.0;          // um
  const int samples = 100;        // per period, wavelength 200 um
  const double wavelength = samples * dx;
  const HeightMap map = sine_map(amplitude, samples, 4, 40, dx);
  const SurfaceParameters p = compute_surface_parameters(map);

  // Mean |sin| over 100 samples differs from 2/pi by (pi/100)^2 / 3 = 3.3e-4 relative.
  EXPECT_NEAR(p.Sa_um, 2.0 * amplitude / kPi, 1e-3 * amplitude);
  // The sampled sums of sin^2 and sin^4 over whole periods equal the integrals exactly.
  EXPECT_NEAR(p.Sq_um, amplitude / std::sqrt(2.0), 1e-5 * amplitude);
  EXPECT_NEAR(p.Sp_um, amplitude, 1e-5 * amplitude);  // sample 25 of each period is the crest
  EXPECT_NEAR(p.Sv_um, amplitude, 1e-5 * amplitude);
  EXPECT_NEAR(p.Sz_um, 2.0 * amplitude, 2e-5 * amplitude);
  EXPECT_NEAR(p.Ssk, 0.0, 1e-5);
  EXPECT_NEAR(p.Sku, 1.5, 1e-5);

  // Sdq = rms of A k cos(kx) = A k / sqrt 2. Central differences see sin(k dx)/(k dx) of it
  // (0.99934 at 100 samples per period); the two edge columns use one-sided differences.
  const double k = 2.0 * kPi / wavelength;
  const double sdq = amplitude * k / std::sqrt(2.0);
  EXPECT_NEAR(p.Sdq, sdq, 2e-3 * sdq) << "closed form " << sdq;  // measured: -6.7e-4

  // Sdr is summed over cells, so the cells (not the points) must span whole periods: one more
  // column. The developed area of the sampled sine is that of its polygon, whose secant slopes
  // fall short of the curve's by about (k dx)^2 / 24: 3e-4 of Sdr here; asserted to 1e-3.
  HeightMap cells_over_periods(map.nx() + 1, map.ny(), dx, dx);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < cells_over_periods.nx(); ++c) {
      cells_over_periods.set(r, c, static_cast<float>(amplitude * std::sin(2.0 * kPi * c / samples)));
    }
  }
  const double sdr = sine_sdr_pct(amplitude, wavelength);
  EXPECT_GT(sdr, 5.0) << "the test surface must be steep enough for Sdr to mean something";
  EXPECT_NEAR(compute_surface_parameters(cells_over_periods).Sdr_pct, sdr, 1e-3 * sdr) << "closed form " << sdr << " %";
}

TEST(SurfaceParameters, TiltedPlaneHasExactSlopeAndAreaAndNothingAfterLevelling) {
  // z = 0.3 x + 0.4 y (x, y in um): gradient 0.5, area factor sqrt(1.25).
  HeightMap map(80, 60, 5.0, 10.0);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) map.set(r, c, static_cast<float>(0.3 * c * 5.0 + 0.4 * r * 10.0));
  }
  const SurfaceParameters tilted = compute_surface_parameters(map);
  EXPECT_NEAR(tilted.Sdq, 0.5, 1e-5);
  EXPECT_NEAR(tilted.Sdr_pct, 100.0 * (std::sqrt(1.25) - 1.0), 1e-4);

  const SurfaceParameters level = compute_surface_parameters(scarscope::remove_plane(map));
  EXPECT_LT(level.Sa_um, 1e-4);
  EXPECT_LT(level.Sq_um, 1e-4);
  EXPECT_LT(level.Sz_um, 1e-3);
  EXPECT_LT(level.Sdq, 1e-4) << "float rounding of 360 um heights over 5 um steps";
  EXPECT_LT(level.Sdr_pct, 1e-6);
}

TEST(SurfaceParameters, GaussianPitHasItsDepthAndVolume) {
  // z = -D exp(-r^2 / (2 s^2)) centred on a grid point, well inside a 201 x 201 map.
  const double depth = 150.0;  // um
  const double s_px = 10.0;
  const double dx = 10.0;  // um
  HeightMap map(201, 201, dx, dx);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      const double r2 = (c - 100.0) * (c - 100.0) + (r - 100.0) * (r - 100.0);
      map.set(r, c, static_cast<float>(-depth * std::exp(-r2 / (2.0 * s_px * s_px))));
    }
  }
  const SurfaceParameters p = compute_surface_parameters(map);
  // Heights are about the mean, which the pit's volume 2 pi s^2 D lowers by volume / area.
  const double s_um = s_px * dx;
  const double volume = 2.0 * kPi * s_um * s_um * depth;  // um^3
  const double area = 201.0 * dx * 201.0 * dx;            // um^2, one cell per point
  const double mean = -volume / area;
  EXPECT_NEAR(p.Sp_um, -mean, 1e-4 * depth);
  EXPECT_NEAR(p.Sv_um, depth + mean, 1e-4 * depth);
  EXPECT_NEAR(p.Sz_um, depth, 1e-4 * depth);
  EXPECT_LT(p.Ssk, -3.0) << "a lone pit is strongly negatively skewed";
  EXPECT_GT(p.Sku, 10.0) << "and strongly peaked";
}

TEST(SurfaceParameters, MaskedPointsDoNotCount) {
  HeightMap map(50, 40, 1.0, 1.0);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) map.set(r, c, 3.0f);
  }
  // Spikes whose heights are still in memory but flagged invalid, and a NaN hole.
  for (int k = 0; k < 30; ++k) {
    const std::size_t i = map.index(k, k);
    map.heights()[i] = 1e5f;
    map.mask()[i] = 0;
  }
  map.set_missing(20, 5);
  const SurfaceParameters p = compute_surface_parameters(map);
  EXPECT_EQ(p.Sa_um, 0.0);
  EXPECT_EQ(p.Sz_um, 0.0);
  EXPECT_EQ(p.Ssk, 0.0) << "undefined on a flat surface: reported as 0, not NaN";
  EXPECT_EQ(p.Sdq, 0.0);
  EXPECT_EQ(p.Sdr_pct, 0.0);
}

TEST(SurfaceParameters, SlopeAroundHolesUsesOneSidedDifferences) {
  // A plane z = 0.2 x with scattered missing points: one-sided differences are exact on a plane.
  HeightMap map(60, 60, 4.0, 4.0);
  Random random(11);
  const auto drop = [&] { return random.chance(0.2); };
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (drop()) {
        map.set_missing(r, c);
      } else {
        map.set(r, c, static_cast<float>(0.2 * c * 4.0));
      }
    }
  }
  const SurfaceParameters p = compute_surface_parameters(map);
  EXPECT_NEAR(p.Sdq, 0.2, 1e-5);
  EXPECT_NEAR(p.Sdr_pct, 100.0 * (std::sqrt(1.04) - 1.0), 1e-4);
}

TEST(SurfaceParameters, NoValidPointIsAnInputError) {
  HeightMap map(3, 3, 1.0, 1.0);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) map.set_missing(r, c);
  }
  EXPECT_THROW(compute_surface_parameters(map), InputError);
}

TEST(SurfaceParameters, JsonCarriesEveryParameterWithItsUnitInTheName) {
  SurfaceParameters p;
  p.Sa_um = 1.5;
  p.Sdr_pct = 2.25;
  p.Sku = 3.0;
  const nlohmann::json json = scarscope::surface_parameters_json(p);
  for (const char* key : {"Sa_um", "Sq_um", "Sp_um", "Sv_um", "Sz_um", "Ssk", "Sku", "Sdq", "Sdr_pct"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json.size(), 9u);
  EXPECT_DOUBLE_EQ(json["Sa_um"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(json["Sdr_pct"].get<double>(), 2.25);
  EXPECT_DOUBLE_EQ(json["Sku"].get<double>(), 3.0);
}
