// A rolling scar is tethered normal skin: its floor and walls carry the pores, furrows and roughness
// of the skin around it (issue 17). A user who scans one expects its diameter, volume and depth as
// the scar's own shape has them, shallow or deep, not shortened by the microrelief around its rim.
//
// The truth is defined as the synthetic suites define it (README, "Truth definitions"): the full
// extent is where the scar's own depth is at least 2 % of its deepest point (diameter: the extent's
// equivalent-area diameter), the volume is the integral of the scar's depth over its whole support,
// and the depth is its deepest point, without the microrelief on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include "analytic_skin.h"
#include "core/random.h"
#include "scars/analysis.h"

namespace scarscope {
namespace {

using test::AnalyticScar;
using test::Shape;

// Skin microrelief added everywhere, scar floors and walls included (a model independent of the
// synthetic-skin generator, with the ranges DESIGN.md gives skin): furrows in three directions
// 0.45 mm apart, 60 um wide at half depth and up to 45 um deep, each fading in and out along its
// length over about 1.5 mm; pores 0.05-0.25 mm wide and 15-60 um deep, 40 per cm2; and roughness at
// the pore scale, a sum of 24 random waves of 0.04-0.3 mm wavelength, 3 um rms.
void add_microrelief(HeightMap& map, std::uint64_t seed) {
  Random random(seed);
  constexpr double spacing_mm = 0.45, width_mm = 0.060, fade_mm = 1.5;
  const double k = 4.0 * std::numbers::ln2 / (width_mm * width_mm);
  struct Direction {
    double angle, phase;
  };
  std::vector<Direction> directions;
  for (const double angle : {0.3, 1.35, 2.4}) directions.push_back({angle, random.uniform(0.0, 100.0)});
  struct Wave {
    double kx, ky, phase;
  };
  std::vector<Wave> waves;
  for (int w = 0; w < 24; ++w) {
    const double wavelength = 0.04 * std::pow(7.5, random.uniform());
    const double angle = random.uniform(0.0, std::numbers::pi);
    const double kk = 2.0 * std::numbers::pi / wavelength;
    waves.push_back({kk * std::cos(angle), kk * std::sin(angle), random.uniform(0.0, 2.0 * std::numbers::pi)});
  }
  const double wave_amplitude = 3.0 * std::sqrt(2.0 / static_cast<double>(waves.size()));
  const double width = map.nx() * map.dx_um() / 1000.0, height = map.ny() * map.dy_um() / 1000.0;
  std::vector<AnalyticScar> pores;
  for (int p = 0; p < static_cast<int>(0.40 * width * height); ++p) {
    pores.push_back({Shape::pore, random.uniform() * width, random.uniform() * height, random.uniform(0.05, 0.25),
                     random.uniform(15.0, 60.0)});
  }
  for (int row = 0; row < map.ny(); ++row) {
    for (int col = 0; col < map.nx(); ++col) {
      const double x = col * map.dx_um() / 1000.0, y = row * map.dy_um() / 1000.0;
      double z = 0.0;
      for (const Direction& d : directions) {
        const double across = x * std::cos(d.angle) + y * std::sin(d.angle);
        const double along = -x * std::sin(d.angle) + y * std::cos(d.angle);
        const double line = std::round(across / spacing_mm);
        const double off = across - line * spacing_mm;
        // Each furrow fades in and out along its length, with its own phase.
        const double fade = std::clamp(0.3 + std::sin(along / fade_mm + 7.3 * line + d.phase), 0.0, 1.0);
        z -= 45.0 * fade * std::exp(-k * off * off);
      }
      for (const Wave& w : waves) z += wave_amplitude * std::sin(w.kx * x + w.ky * y + w.phase);
      for (const AnalyticScar& p : pores) {
        const double r = std::hypot(x - p.x_mm, y - p.y_mm);
        if (r < p.diameter_mm / 2.0) z -= test::analytic_depth(p, r);
      }
      map.set(row, col, map.height(row, col) + static_cast<float>(z));
    }
  }
}

// Diameter (mm) of the extent where the scar's depth is at least 2 % of its deepest point.
double diameter_at_two_percent(const AnalyticScar& s) {
  double low = 0.0, high = s.diameter_mm / 2.0;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (low + high);
    (test::analytic_depth(s, mid) >= 0.02 * s.depth_um ? low : high) = mid;
  }
  return 2.0 * low;
}

struct Measured {
  double depth_um, diameter_mm, volume_mm3;
};

// A 6 mm rolling bowl (full extent) in the middle of a 12 x 12 mm scan at 20 um, microrelief over
// all of it; the scar the analysis reports there (a failure if none).
Measured measure_bowl(double depth_um, std::uint64_t seed) {
  const AnalyticScar bowl{Shape::bowl, 6.0, 6.0, 6.0, depth_um};
  HeightMap map = test::analytic_skin(600, 600, 20.0, {bowl}, 2.0, 0, static_cast<unsigned>(seed));
  add_microrelief(map, seed);
  const ScanAnalysis analysis = analyze_height_map(std::move(map));
  const Scar* scar = test::nearest(analysis.inventory, 6.0, 6.0, 1.0);
  EXPECT_NE(scar, nullptr) << "no scar found at the bowl's centre (microrelief seed " << seed << ")";
  if (scar == nullptr) return {0.0, 0.0, 0.0};
  EXPECT_EQ(scar->type, ScarType::rolling) << scar->reason;
  return {scar->depth_um, scar->diameter_mm, scar->volume_mm3};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// The targets are medians over many scars: the bowl is measured under five different
// microreliefs and the median errors are checked.
struct Errors {
  std::vector<double> depth, diameter, volume;  // relative, signed
};

Errors bowl_errors(double depth) {
  const AnalyticScar bowl{Shape::bowl, 6.0, 6.0, 6.0, depth};
  const double diameter = diameter_at_two_percent(bowl), volume = test::analytic_volume_mm3(bowl);
  Errors e;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Measured m = measure_bowl(depth, seed);
    e.depth.push_back(m.depth_um / depth - 1.0);
    e.diameter.push_back(m.diameter_mm / diameter - 1.0);
    e.volume.push_back(m.volume_mm3 / volume - 1.0);
  }
  return e;
}

std::vector<double> absolute(std::vector<double> values) {
  for (double& v : values) v = std::abs(v);
  return values;
}

TEST(RollingSize, ADeepBowlWithMicroreliefMeasuresItsTrueDiameterVolumeAndDepth) {
  // 300 um deep: before, the rim was traced against a fill lifted by the closing and the skin was
  // filled in from the 2 % rim, so every such bowl came out 5-7 % narrow and 3-10 % small.
  const Errors e = bowl_errors(300.0);
  EXPECT_LE(median(absolute(e.diameter)), 0.05) << "median diameter error";
  EXPECT_LE(median(absolute(e.volume)), 0.05) << "median volume error";
  EXPECT_LE(median(absolute(e.depth)), 0.05) << "median depth error";
  EXPECT_NEAR(median(e.depth), 0.0, 0.03) << "signed median depth error";
}

TEST(RollingSize, AShallowBowlWithMicroreliefMeasuresItsTrueDepth) {
  // 80 um deep, the microrelief's furrows up to 45 um: before, the depth came out 7-24 % short
  // (the rim lay on the wall, the fill was lifted), or, with a pore at the closed relief's small
  // deepest patch, nearly twice as deep (the ice-pick tip rule applied to a broad bowl).
  const Errors e = bowl_errors(80.0);
  EXPECT_LE(median(absolute(e.depth)), 0.10) << "median depth error (scars under 120 um)";
  for (const double d : e.depth) EXPECT_LT(std::abs(d), 0.25) << "a single bowl's depth";
}

TEST(RollingSize, TheSkinReferencePassesUnderAShallowBowl) {
  // The reference skin surface (form and waviness) must not sag into a broad shallow scar: with
  // microrelief the skin's robust spread is large, and the outer wall of an 80 um bowl (less than
  // ~20 um deep) counted as skin. Half-way out, the bowl's wall lies as deep below the skin around
  // it as the bowl's shape has it (medians over rings average the microrelief out), over five
  // microreliefs: 0.0 um off on average (before: 2.3 um too shallow, up to 3.8).
  double sum = 0.0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const AnalyticScar bowl{Shape::bowl, 6.0, 6.0, 6.0, 80.0};
    HeightMap map = test::analytic_skin(600, 600, 20.0, {bowl}, 2.0, 0, static_cast<unsigned>(seed));
    add_microrelief(map, seed);
    HeightMap relief;
    analyze_height_map(std::move(map), {}, &relief);
    std::vector<double> wall, skin;
    for (int row = 0; row < relief.ny(); ++row)
      for (int col = 0; col < relief.nx(); ++col) {
        if (!relief.valid(row, col)) continue;
        const double r = std::hypot(col * 0.02 - 6.0, row * 0.02 - 6.0);
        if (r >= 1.4 && r < 1.6) wall.push_back(relief.height(row, col));
        if (r >= 3.3 && r < 4.5) skin.push_back(relief.height(row, col));
      }
    const double measured = median(skin) - median(wall);
    const double expected = test::analytic_depth(bowl, 1.5);
    sum += measured - expected;
  }
  EXPECT_NEAR(sum / 5.0, 0.0, 1.5) << "mean error of the wall's depth (um)";
}

}  // namespace
}  // namespace scarscope
