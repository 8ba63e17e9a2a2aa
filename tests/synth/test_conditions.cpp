// The generator's conditions (issue 17): real skin's microrelief continues over scar floors, ice
// picks come with sharp and rounded tips, boxcars touch and overlap, single points go missing at
// random; plain keeps what the generator made before.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "synth/scar_shape.h"
#include "synth/skin_parameters.h"
#include "synth/synthetic_skin.h"

namespace scarscope::synth {
namespace {

SynthRequest request_for(const std::string& preset, const std::string& condition, std::uint64_t seed, double size_mm) {
  SynthRequest r;
  r.preset = preset;
  r.condition = condition;
  r.seed = seed;
  r.width_mm = r.height_mm = size_mm;
  r.spacing_um = 25.0;
  return r;
}

TEST(SynthConditions, UnknownConditionIsRefusedByName) {
  SkinParameters p = preset_parameters("cheek");
  try {
    apply_condition(p, "wet");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("wet"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("real"), std::string::npos);
  }
}

TEST(SynthConditions, TouchingBoxcarsTouchOrOverlapByAtMostAFifthOfTheirRadii) {
  const SyntheticScan scan = generate_scan(request_for("severe", "touching", 17, 30.0));
  std::map<int, const ScarShape*> by_id;
  for (const ScarShape& s : scan.scars) by_id[s.id] = &s;
  int pairs = 0;
  for (const ScarShape& s : scan.scars) {
    for (const int other_id : s.touching) {
      const ScarShape& o = *by_id.at(other_id);
      EXPECT_NE(std::find(o.touching.begin(), o.touching.end(), s.id), o.touching.end());  // symmetric
      if (s.type != ScarType::boxcar || o.type != ScarType::boxcar || o.id < s.id) continue;
      ++pairs;
      const double direction = std::atan2(o.y_mm - s.y_mm, o.x_mm - s.x_mm);
      const double a = extent_radius_mm(s, direction);
      const double b = extent_radius_mm(o, direction + M_PI);
      const double overlap = a + b - std::hypot(o.x_mm - s.x_mm, o.y_mm - s.y_mm);
      EXPECT_GE(overlap, -0.06) << s.id << "-" << o.id;  // they meet...
      EXPECT_LE(overlap, 0.2 * std::min(a, b) + 0.06) << s.id << "-" << o.id;  // ...by at most 20 % of a radius
    }
  }
  EXPECT_GE(pairs, 3);
  // Each scar's truth is its own shape's depth, whatever its partner adds.
  for (const ScarTruth& t : scan.truth) {
    if (t.type == ScarType::boxcar && t.fully_in_view) {
      EXPECT_NEAR(t.depth_um, by_id.at(t.id)->depth_um, 0.1 * by_id.at(t.id)->depth_um);
    }
  }
}

TEST(SynthConditions, IcePicksComeSharpAndRoundedWithTheirDepthAtTheCentre) {
  const SyntheticScan scan = generate_scan(request_for("cheek", "relief", 23, 40.0));
  int sharp = 0, rounded = 0;
  for (const ScarShape& s : scan.scars) {
    if (s.type != ScarType::ice_pick) continue;
    (s.tip_rounding > 0.0 ? rounded : sharp) += 1;
    // The profile is 1 at the centre and falls steadily to the rim, rounded or not.
    EXPECT_NEAR(base_profile(s, 0.0), 1.0, 1e-12);
    double last = 1.0;
    for (double u = 0.01; u < 1.0; u += 0.01) {
      const double p = base_profile(s, u);
      EXPECT_LE(p, last + 1e-12) << s.id << " at " << u;
      last = p;
    }
    if (s.tip_rounding > 0.0) {
      // Rounded: flat at the centre (the slope over the first 1 % of the radius is small).
      EXPECT_LT((1.0 - base_profile(s, 0.01)) / 0.01, 0.5);
    } else {
      EXPECT_GT((1.0 - base_profile(s, 0.01)) / 0.01, 0.5);  // sharp: the V's slope up to the tip
    }
  }
  EXPECT_GE(sharp, 1);
  EXPECT_GE(rounded, 1);
}

TEST(SynthConditions, ScatteredMissingPointsAreSinglePointsInTheDrawnShare) {
  SynthRequest request = request_for("clear", "missing", 5, 10.0);
  SyntheticScan scan = generate_scan(request);
  EXPECT_GE(scan.scattered_missing_share, 0.01);
  EXPECT_LE(scan.scattered_missing_share, 0.02);
  // Against the same scan without them (plain keeps the dropout blobs and walls): the extra missing
  // points are the drawn share, give or take points that were missing anyway.
  SkinParameters without = preset_parameters("clear");
  apply_condition(without, "missing");
  without.realism.scattered_missing_max = 0.0;
  request.parameters = without;
  const SyntheticScan reference = generate_scan(request);
  const double extra = static_cast<double>(reference.map.valid_count() - scan.map.valid_count()) /
                       static_cast<double>(scan.map.size());
  EXPECT_NEAR(extra, scan.scattered_missing_share, 0.1 * scan.scattered_missing_share);
}

TEST(SynthConditions, RollingFloorsCarryTheSkinsMicroreliefUnderReliefNotUnderPlain) {
  // The same skin (same seed) rendered without scars and with them, without instrument effects:
  // on a rolling scar's floor (its deepest 50 %, away from other scars) the scan minus the scar's
  // own shape is the skin itself under relief (tethered normal skin keeps its pores and furrows),
  // and the skin's microrelief damped by scar_smoothing under plain.
  const auto floor_residuals = [](const std::string& condition) {
    SkinParameters p = preset_parameters("cheek");
    apply_condition(p, condition);
    p.instrument.noise_um = 0.0;
    p.instrument.dropout_blobs_per_cm2 = 0.0;
    p.instrument.steep_wall_missing_deg = 90.0;
    p.instrument.ice_pick_occluded_fraction = 0.0;
    p.realism.scattered_missing_max = 0.0;
    SynthRequest r = request_for("cheek", condition, 31, 30.0);
    r.parameters = p;
    const SyntheticScan scan = generate_scan(r);
    r.scar_count = 0;  // the same skin: scars draw from their own random stream
    const SyntheticScan skin = generate_scan(r);
    double residual = 0.0, microrelief = 0.0, n = 0.0;
    for (int row = 0; row < scan.map.ny(); ++row)
      for (int col = 0; col < scan.map.nx(); ++col) {
        const double x = col * scan.map.dx_um() / 1000.0, y = row * scan.map.dy_um() / 1000.0;
        double z = 0.0, rolling_profile = 0.0, other_profile = 0.0;
        for (const ScarShape& s : scan.scars) {
          double profile = 0.0;
          const double c = scar_contribution_um(s, x, y, &profile);
          z = std::min(z, c);
          (s.type == ScarType::rolling ? rolling_profile : other_profile) = std::max(
              s.type == ScarType::rolling ? rolling_profile : other_profile, profile);
        }
        if (rolling_profile < 0.5 || other_profile > 0.0) continue;
        // The skin's microrelief there: the scar-free scan minus its local form (a 5 x 5 mean).
        double around = 0.0;
        for (int dr = -2; dr <= 2; ++dr)
          for (int dc = -2; dc <= 2; ++dc)
            around += skin.map.height(std::clamp(row + dr, 0, scan.map.ny() - 1), std::clamp(col + dc, 0, scan.map.nx() - 1));
        residual += std::abs(scan.map.height(row, col) - z - skin.map.height(row, col));
        microrelief += std::abs(skin.map.height(row, col) - around / 25.0);
        n += 1;
      }
    EXPECT_GT(n, 500.0) << condition;
    return std::pair{residual / n, microrelief / n};
  };
  const auto [relief_residual, relief_micro] = floor_residuals("relief");
  const auto [plain_residual, plain_micro] = floor_residuals("plain");
  EXPECT_LT(relief_residual, 0.01);           // the floor is the skin, to float rounding
  EXPECT_GT(plain_residual, 0.2 * plain_micro);  // plain damps the microrelief there
  EXPECT_GT(relief_micro, 1.0);               // and there is microrelief to damp
}

}  // namespace
}  // namespace scarscope::synth
