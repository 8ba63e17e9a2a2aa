// A follow-up scan taken from a new pose, with scars that changed, registers onto its baseline:
// the pose comes back in the DESIGN convention, and a scan of other skin is recognised as such.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "followup/registration.h"
#include "synthetic_pair.h"

namespace scarscope {
namespace {

test::PairSpec spec_with_changed_scars() {
  test::PairSpec spec;
  spec.scars = {{{3.0, 3.5}, 0.9, 120.0, 0.5},
                {{8.0, 4.0}, 1.2, 200.0, 0.6},
                {{5.5, 8.5}, 0.7, 300.0, 1.0},
                {{9.0, 9.0}, 1.5, 150.0, 0.0}};
  return spec;
}

// The in-plane pose comes back as the pair was made (0.2 deg, 0.05 mm: issue 7's targets are looser).
void expect_pose_recovered(const Registration& reg, const test::PairSpec& spec) {
  EXPECT_NEAR(reg.transform.rotation_deg, spec.rotation_deg, 0.2);
  EXPECT_NEAR(reg.transform.shift_mm[0], spec.shift_mm[0], 0.05);
  EXPECT_NEAR(reg.transform.shift_mm[1], spec.shift_mm[1], 0.05);
}

TEST(Registration, RecoversRotationShiftAndHeightPoseDespiteChangedScars) {
  const test::PairSpec spec = spec_with_changed_scars();
  const test::Pair pair = test::make_pair(spec);
  const Registration reg = register_followup(pair.baseline, pair.followup);

  ASSERT_TRUE(reg.registered) << reg.problem;
  EXPECT_GT(reg.texture_correlation, 0.8);
  EXPECT_NEAR(reg.transform.rotation_deg, spec.rotation_deg, 0.2);
  // The pose is reported about the baseline's centre, as DESIGN.md says.
  EXPECT_NEAR(reg.transform.center_mm[0], pair.center_mm[0], 1e-9);
  EXPECT_NEAR(reg.transform.shift_mm[0], spec.shift_mm[0], 0.05);
  EXPECT_NEAR(reg.transform.shift_mm[1], spec.shift_mm[1], 0.05);
  // A point maps as the pair was made: rotate about the centre, then shift.
  const auto mapped = reg.transform.to_followup({2.0, 3.0});
  const auto back = reg.transform.to_baseline(mapped);
  EXPECT_NEAR(back[0], 2.0, 1e-9);
  EXPECT_NEAR(back[1], 3.0, 1e-9);

  // Height pose, expressed about the baseline centre: offset, tilt, curvature.
  const Quadratic& h = reg.height_pose;
  const double cx = pair.center_mm[0], cy = pair.center_mm[1];
  EXPECT_NEAR(h.at(cx, cy), spec.offset_um, 3.0);
  EXPECT_NEAR(h.at(cx + 1.0, cy) - h.at(cx - 1.0, cy), 2.0 * spec.tilt_x_um_per_mm, 1.0);
  EXPECT_NEAR(h.at(cx, cy + 1.0) - h.at(cx, cy - 1.0), 2.0 * spec.tilt_y_um_per_mm, 1.0);
  EXPECT_NEAR(h.c[3], spec.curvature_um_per_mm2, 0.2);

  // The residual on unchanged skin is measurement noise (√2 × 1 µm), not skin texture (8+ µm).
  EXPECT_LT(reg.residual_um, 2.5);
  EXPECT_GT(reg.residual_um, 0.8);
  EXPECT_GT(reg.overlap_fraction, 0.75);
  EXPECT_LT(reg.overlap_fraction, 0.98);

  // The resolved scar shows up in the difference map as a rise of about its depth.
  const int row = static_cast<int>(std::lround(9.0 / 0.04)), col = row;
  ASSERT_TRUE(reg.difference.valid(row, col));
  EXPECT_NEAR(reg.difference.height(row, col), 150.0, 20.0);
  EXPECT_FALSE(reg.unchanged_skin[reg.difference.index(row, col)]);
}

TEST(Registration, UsesScarOutlinesWhenGiven) {
  test::PairSpec spec = spec_with_changed_scars();
  spec.rotation_deg = -6.5;
  spec.shift_mm = {-1.1, 0.7};
  const test::Pair pair = test::make_pair(spec);
  RegistrationOptions options;
  for (const auto& scar : spec.scars) {
    options.baseline_scars.push_back(test::circle_outline(scar.centre_mm, scar.radius_mm));
  }
  const Registration reg = register_followup(pair.baseline, pair.followup, options);
  ASSERT_TRUE(reg.registered) << reg.problem;
  expect_pose_recovered(reg, spec);
}

TEST(Registration, ResamplesAFollowUpScannedAtAnotherSpacing) {
  test::PairSpec spec = spec_with_changed_scars();
  spec.followup_spacing_um = 30.0;
  const test::Pair pair = test::make_pair(spec);
  const Registration reg = register_followup(pair.baseline, pair.followup);
  ASSERT_TRUE(reg.registered) << reg.problem;
  expect_pose_recovered(reg, spec);
  // The outputs live on the baseline's grid.
  EXPECT_EQ(reg.difference.nx(), pair.baseline.nx());
  EXPECT_DOUBLE_EQ(reg.difference.dx_um(), 40.0);
}

TEST(Registration, SaysSoWhenTheScansShowDifferentSkin) {
  test::PairSpec spec = spec_with_changed_scars();
  spec.followup_skin_seed = 99;
  const test::Pair pair = test::make_pair(spec);
  const Registration reg = register_followup(pair.baseline, pair.followup);
  EXPECT_FALSE(reg.registered) << "correlation " << reg.correlation << ", residual " << reg.residual_um
                               << ", roughness " << reg.roughness_um << ", texture " << reg.texture_correlation << ", unchanged " << reg.unchanged_fraction;
  EXPECT_NE(reg.problem.find("do not show the same skin"), std::string::npos) << reg.problem;
  EXPECT_NE(reg.problem.find("residual"), std::string::npos);
  EXPECT_GT(reg.residual_um, 5.0);
}

// A scan of the same skin from a new angle: the follow-up's form tilts by 14 deg and bends more
// (what `synth --preset hard` draws for each visit), and each scan has dropouts at other places.
// The fine texture must still correlate: a texture measure that follows the form into the holes'
// edges (a normalised blur of a steep slope is off by slope x offset there) refused such pairs.
test::PairSpec spec_with_steep_form_and_dropouts() {
  test::PairSpec spec = spec_with_changed_scars();
  spec.tilt_x_um_per_mm = 200.0;
  spec.tilt_y_um_per_mm = -150.0;
  spec.curvature_um_per_mm2 = 10.0;
  spec.baseline_dropouts = {{1.5, 9.5, 0.5}, {6.0, 1.5, 0.4}, {10.5, 6.5, 0.6}, {2.5, 6.5, 0.3}, {11.0, 1.5, 0.4}};
  spec.followup_dropouts = {{4.0, 11.0, 0.5}, {1.2, 3.0, 0.4}, {6.5, 5.5, 0.5}, {10.0, 11.2, 0.35}, {9.5, 2.2, 0.45}};
  return spec;
}

TEST(Registration, SameSkinUnderASteepNewTiltWithDropoutsStillCorrelates) {
  const test::PairSpec spec = spec_with_steep_form_and_dropouts();
  const test::Pair pair = test::make_pair(spec);
  const Registration reg = register_followup(pair.baseline, pair.followup);
  ASSERT_TRUE(reg.registered) << reg.problem;
  EXPECT_GT(reg.texture_correlation, 0.8);
  expect_pose_recovered(reg, spec);
}

TEST(Registration, DifferentSkinUnderASteepNewTiltWithDropoutsIsRefused) {
  test::PairSpec spec = spec_with_steep_form_and_dropouts();
  spec.followup_skin_seed = 99;
  const test::Pair pair = test::make_pair(spec);
  // The scars' outlines, as compare passes them from the analyses: the scars (the same bowls on
  // both skins here) are left out, so only the skin's texture is compared.
  RegistrationOptions options;
  for (const auto& scar : spec.scars) options.baseline_scars.push_back(test::circle_outline(scar.centre_mm, scar.radius_mm));
  const Registration reg = register_followup(pair.baseline, pair.followup, options);
  EXPECT_FALSE(reg.registered) << "texture " << reg.texture_correlation << ", residual " << reg.residual_um;
  EXPECT_LT(reg.texture_correlation, 0.3);
  EXPECT_NE(reg.problem.find("do not show the same skin"), std::string::npos) << reg.problem;
}

TEST(Registration, RejectsAnEmptyScan) {
  const test::Pair pair = test::make_pair(spec_with_changed_scars());
  HeightMap empty(40, 40, 40.0, 40.0);
  for (int r = 0; r < 40; ++r)
    for (int c = 0; c < 40; ++c) empty.set_missing(r, c);
  EXPECT_THROW(register_followup(pair.baseline, empty), InputError);
}

}  // namespace
}  // namespace scarscope
