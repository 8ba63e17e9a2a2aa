// A clinician compares a follow-up with its baseline: each scar keeps its identity, its change is
// measured and called improved or worse only beyond its own measurement noise; resolved, new and
// out-of-view scars are named as such; a pair with no change shows (almost) no change.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/progress.h"
#include "followup/comparison.h"
#include "synthetic_pair.h"

namespace scarscope {
namespace {

Scar scar_from(int id, const test::BowlScar& bowl, double factor, const RigidTransform* to_followup) {
  Scar scar;
  scar.id = id;
  scar.type = bowl.radius_mm < 1.0 ? ScarType::ice_pick : ScarType::boxcar;
  scar.centroid_mm = to_followup ? to_followup->to_followup(bowl.centre_mm) : bowl.centre_mm;
  scar.diameter_mm = 2.0 * bowl.radius_mm;
  scar.area_mm2 = 3.14159265358979323846 * bowl.radius_mm * bowl.radius_mm;
  scar.depth_um = bowl.depth_um * factor;
  scar.volume_mm3 = test::bowl_volume_mm3(bowl.radius_mm, bowl.depth_um * factor);
  scar.outline_mm = test::circle_outline(scar.centroid_mm, bowl.radius_mm);
  return scar;
}

struct Visits {
  test::Pair pair;
  ScarInventory baseline, followup;
  std::map<int, double> factor_of_baseline_id;
};

// Baseline inventory: every scar present at baseline that the baseline scan sees; follow-up inventory:
// every scar with depth left that the follow-up sees (ids in another order, as a new analysis would).
Visits make_visits(const test::PairSpec& spec) {
  Visits v;
  v.pair = test::make_pair(spec);
  RigidTransform truth;
  truth.rotation_deg = spec.rotation_deg;
  truth.shift_mm = spec.shift_mm;
  truth.center_mm = v.pair.center_mm;
  const double fw = v.pair.followup.nx() * spec.followup_spacing_um / 1000.0;
  int id = 1;
  for (const auto& bowl : spec.scars) {
    if (bowl.new_at_followup) continue;
    v.baseline.scars.push_back(scar_from(id, bowl, 1.0, nullptr));
    v.factor_of_baseline_id[id++] = bowl.followup_factor;
  }
  id = 100;
  for (auto it = spec.scars.rbegin(); it != spec.scars.rend(); ++it) {
    if (it->followup_factor <= 0.0) continue;
    const auto c = truth.to_followup(it->centre_mm);
    if (c[0] - it->radius_mm < 0 || c[1] - it->radius_mm < 0 || c[0] + it->radius_mm > fw || c[1] + it->radius_mm > fw) {
      continue;  // out of the follow-up's view
    }
    v.followup.scars.push_back(scar_from(id++, *it, it->followup_factor, &truth));
  }
  return v;
}

const ScarChange* by_baseline_id(const VisitComparison& c, int id) {
  for (const auto& s : c.scars)
    if (s.baseline_id && *s.baseline_id == id) return &s;
  return nullptr;
}

TEST(Comparison, MeasuresEachScarsChangeAgainstItsOwnNoise) {
  test::PairSpec spec;
  spec.scars = {{{3.0, 3.5}, 0.9, 120.0, 0.5},
                {{8.0, 4.0}, 1.2, 200.0, 0.6},
                {{5.5, 8.5}, 0.7, 300.0, 1.0},
                {{9.0, 9.0}, 1.5, 150.0, 0.0},
                {{11.5, 6.0}, 0.4, 150.0, 1.0},                // leaves the follow-up's view
                {{3.0, 9.5}, 0.8, 150.0, 1.0, true}};           // appears at follow-up
  const Visits v = make_visits(spec);
  const VisitComparison c = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup);
  ASSERT_TRUE(c.registration.registered) << c.registration.problem;

  const ScarChange* halved = by_baseline_id(c, 1);
  ASSERT_NE(halved, nullptr);
  ASSERT_TRUE(halved->followup_id.has_value());
  EXPECT_EQ(*halved->followup_id, 103);  // the same scar, under the follow-up's own id
  EXPECT_EQ(halved->status, ChangeStatus::improved);
  // The change measured in the registered difference is the true one (half the bowl's volume).
  EXPECT_NEAR(halved->measured_volume_change_mm3, -0.5 * halved->volume_mm3[0], 0.03 * halved->volume_mm3[0]);
  // The percentage is that change as a share of the baseline relief over the footprint, which on
  // this test's very rough skin (8 um texture and 16 um at 0.6 mm around a 120 um bowl 1.8 mm wide)
  // the quadratic through the ring cannot pin down: over skins 1-10 it comes out -30 to -100 % for
  // the true -50 % (median -50), the measured change within 1 % every time. On real analyses (which
  // measure wide shallow scars short) the share is far better: tuning suite global error max 3.5 ->
  // 3.0 pp, per-scar p90 14 -> 6 pp. Here: an improvement, clearly, and no more than the scar.
  EXPECT_LT(halved->volume_change_pct, -25.0);
  EXPECT_GE(halved->volume_change_pct, -100.0);
  EXPECT_GT(halved->volume_mdc_mm3, 0.0);
  EXPECT_LT(halved->volume_mdc_mm3, 0.2 * halved->volume_mm3[0]);
  EXPECT_NE(describe_change(*halved).find("% less volume, beyond measurement noise"), std::string::npos)
      << describe_change(*halved);

  const ScarChange* forty = by_baseline_id(c, 2);
  ASSERT_NE(forty, nullptr);
  EXPECT_EQ(forty->status, ChangeStatus::improved);
  EXPECT_NEAR(forty->volume_change_pct, -40.0, 6.0);
  EXPECT_NEAR(forty->depth_change_pct, -40.0, 1e-6);  // from the two analyses

  const ScarChange* unchanged = by_baseline_id(c, 3);
  ASSERT_NE(unchanged, nullptr);
  EXPECT_EQ(unchanged->status, ChangeStatus::stable);
  EXPECT_LT(std::fabs(unchanged->measured_volume_change_mm3), unchanged->volume_mdc_mm3);
  EXPECT_NE(unchanged->note.find("within measurement noise"), std::string::npos) << unchanged->note;

  const ScarChange* gone = by_baseline_id(c, 4);
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->status, ChangeStatus::resolved);
  EXPECT_FALSE(gone->followup_id.has_value());

  const ScarChange* away = by_baseline_id(c, 5);
  ASSERT_NE(away, nullptr);
  EXPECT_EQ(away->status, ChangeStatus::not_found);

  int new_scars = 0;
  for (const auto& s : c.scars) {
    if (s.status != ChangeStatus::new_scar) continue;
    ++new_scars;
    EXPECT_FALSE(s.baseline_id.has_value());
    EXPECT_NE(s.note.find("acne activity"), std::string::npos);
  }
  EXPECT_EQ(new_scars, 1);

  // Global: depressions both scans see, before and after (the new scar adds volume).
  const double before = test::bowl_volume_mm3(0.9, 120) + test::bowl_volume_mm3(1.2, 200) +
                        test::bowl_volume_mm3(0.7, 300) + test::bowl_volume_mm3(1.5, 150);
  const double after = 0.5 * test::bowl_volume_mm3(0.9, 120) + 0.6 * test::bowl_volume_mm3(1.2, 200) +
                       test::bowl_volume_mm3(0.7, 300) + test::bowl_volume_mm3(0.8, 150);
  EXPECT_NEAR(c.global.volume_change_pct, 100.0 * (after - before) / before, 4.0);
  EXPECT_EQ(c.global.count_baseline, 5);
  EXPECT_EQ(c.global.count_followup, 4);

  // The JSON of DESIGN.md.
  const nlohmann::json j = comparison_to_json(c);
  for (const char* key : {"shift_mm", "rotation_deg", "center_mm", "residual_um", "overlap_fraction"}) {
    EXPECT_TRUE(j["registration"].contains(key)) << key;
  }
  const nlohmann::json& first = j["scars"][0];
  for (const char* key : {"baseline_id", "followup_id", "baseline_centroid_mm", "followup_centroid_mm", "volume_mm3",
                          "volume_change_pct", "volume_mdc_mm3", "depth_um", "depth_change_pct", "depth_mdc_um",
                          "area_change_pct", "status"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(j["scars"][0]["volume_mm3"].size(), 2u);
  EXPECT_LT(j["scars"][0]["volume_change_pct"].get<double>(), 0.0);  // signed
  EXPECT_EQ(j["global"]["count_baseline"], 5);
}

TEST(Comparison, APairWithoutChangeCallsAlmostNothingChanged) {
  test::PairSpec spec;
  spec.seed = 21;
  spec.noise_um = 1.5;
  spec.rotation_deg = -2.0;
  spec.shift_mm = {0.3, 0.5};
  spec.scars = {{{2.5, 2.5}, 0.6, 150.0}, {{6.0, 2.5}, 1.0, 120.0}, {{9.0, 3.0}, 0.8, 250.0},
                {{2.5, 6.0}, 1.3, 90.0},  {{6.0, 6.5}, 0.5, 300.0}, {{9.0, 7.0}, 1.1, 100.0},
                {{3.0, 9.5}, 0.9, 180.0}, {{7.0, 9.5}, 0.7, 200.0}};
  const Visits v = make_visits(spec);
  const VisitComparison c = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup);
  ASSERT_TRUE(c.registration.registered) << c.registration.problem;
  int called = 0, matched = 0;
  for (const auto& s : c.scars) {
    if (s.status == ChangeStatus::improved || s.status == ChangeStatus::worse) ++called;
    if (s.baseline_id && s.followup_id) ++matched;
    EXPECT_NE(s.status, ChangeStatus::new_scar);
    EXPECT_NE(s.status, ChangeStatus::resolved);
  }
  EXPECT_EQ(matched, 8);
  EXPECT_LE(called, 1);
}

// A pit whose floor the scanner cannot see (hidden floors, steep walls) is measured on the points both
// visits show, and its change is extrapolated over the rest: white noise then weighs more than on a
// fully seen patch of skin. Its MDC patches are measured on the same points, so its MDC is larger;
// scars seen whole keep the MDC they had.
TEST(Comparison, APitSeenOnlyInPartHasItsMdcMeasuredOnTheSamePoints) {
  test::PairSpec spec;
  spec.seed = 33;
  spec.noise_um = 4.0;
  spec.scars = {{{3.0, 3.0}, 1.0, 200.0}, {{8.0, 3.5}, 1.0, 200.0}, {{5.5, 8.0}, 0.8, 150.0}};
  Visits v = make_visits(spec);
  // The floor of the first pit (the inner 0.75 mm) is missing in the baseline.
  const double s = spec.spacing_um / 1000.0;
  for (int r = 0; r < v.pair.baseline.ny(); ++r)
    for (int c = 0; c < v.pair.baseline.nx(); ++c)
      if (std::hypot(c * s - 3.0, r * s - 3.0) < 0.75) v.pair.baseline.set_missing(r, c);
  // An MDC is itself estimated from random patches (its spread about 1 / sqrt(2 x patches)): 600
  // patches keep that near 3 %, so the two runs differ by the points they measure on, not by the draw.
  CompareOptions seen_patches;
  seen_patches.mdc_patches = 600;
  CompareOptions whole_patches = seen_patches;
  whole_patches.mdc_patches_as_scar_seen = false;
  const VisitComparison same_points = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup, seen_patches);
  const VisitComparison all_points = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup, whole_patches);
  ASSERT_TRUE(same_points.registration.registered) << same_points.registration.problem;
  const ScarChange* hidden = by_baseline_id(same_points, 1);
  const ScarChange* hidden_before = by_baseline_id(all_points, 1);
  ASSERT_NE(hidden, nullptr);
  ASSERT_NE(hidden_before, nullptr);
  EXPECT_LT(hidden->seen_fraction, 0.6);
  // White noise over the seen fraction f, scaled to the whole footprint: about 1/sqrt(f) the spread
  // (1.36 here); with the skin's texture, which does not average out so, 1.17-1.32 over skins 33-38.
  EXPECT_GT(hidden->volume_mdc_mm3, 1.1 * hidden_before->volume_mdc_mm3);
  EXPECT_EQ(hidden->status, ChangeStatus::stable);
  EXPECT_LT(std::fabs(hidden->measured_volume_change_mm3), hidden->volume_mdc_mm3);
  for (int id : {2, 3}) {
    const ScarChange* whole = by_baseline_id(same_points, id);
    const ScarChange* whole_before = by_baseline_id(all_points, id);
    ASSERT_NE(whole, nullptr);
    ASSERT_NE(whole_before, nullptr);
    EXPECT_GT(whole->seen_fraction, 0.99);
    EXPECT_NEAR(whole->volume_mdc_mm3, whole_before->volume_mdc_mm3, 0.05 * whole_before->volume_mdc_mm3) << id;
  }
  const nlohmann::json j = comparison_to_json(same_points);
  EXPECT_TRUE(j["scars"][0].contains("footprint_seen_fraction"));
}

// A scar large for its scan leaves room for only a few patches of skin its size that do not overlap:
// its SD rests on those few, so its 95 % limit is Student's t on them, not 1.96. A small scar, with
// room for all its patches, keeps about 1.96.
TEST(Comparison, AScarLargeForItsScanHasAnMdcFromFewIndependentPatches) {
  test::PairSpec spec;
  spec.seed = 41;
  spec.noise_um = 3.0;
  spec.scars = {{{4.0, 4.5}, 2.0, 120.0}, {{9.5, 9.0}, 0.5, 150.0}};
  const Visits v = make_visits(spec);
  CompareOptions normal_quantile;
  normal_quantile.student_t_mdc = false;
  const VisitComparison t = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup);
  const VisitComparison z = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup, normal_quantile);
  ASSERT_TRUE(t.registration.registered) << t.registration.problem;
  const ScarChange* large = by_baseline_id(t, 1);
  const ScarChange* large_z = by_baseline_id(z, 1);
  const ScarChange* small = by_baseline_id(t, 2);
  const ScarChange* small_z = by_baseline_id(z, 2);
  ASSERT_TRUE(large && large_z && small && small_z);
  ASSERT_GE(large->mdc_patches, 20);
  // About 110 mm2 of skin around a 13 mm2 footprint: fewer than 20 independent places.
  EXPECT_LT(large->mdc_independent_patches, 20.0);
  EXPECT_GT(large->mdc_independent_patches, 3.0);
  EXPECT_GT(large->volume_mdc_mm3, 1.1 * large_z->volume_mdc_mm3);
  EXPECT_LT(large->volume_mdc_mm3, 2.0 * large_z->volume_mdc_mm3);
  EXPECT_EQ(large->status, ChangeStatus::stable);
  EXPECT_NEAR(small->volume_mdc_mm3, small_z->volume_mdc_mm3, 0.03 * small_z->volume_mdc_mm3);
  EXPECT_EQ(small->status, ChangeStatus::stable);
}

TEST(Comparison, ScansOfDifferentSkinReportNoChange) {
  test::PairSpec spec;
  spec.followup_skin_seed = 5;
  spec.scars = {{{3.0, 3.5}, 0.9, 120.0, 0.5}};
  const Visits v = make_visits(spec);
  const VisitComparison c = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup);
  EXPECT_FALSE(c.registration.registered);
  EXPECT_TRUE(c.scars.empty());
  const nlohmann::json j = comparison_to_json(c);
  EXPECT_FALSE(j["registration"]["registered"].get<bool>());
  EXPECT_NE(j["registration"]["problem"].get<std::string>().find("residual"), std::string::npos);
}

test::PairSpec two_scars() {
  test::PairSpec spec;
  spec.scars = {{{3.0, 3.5}, 0.9, 120.0, 0.5}, {{8.0, 7.0}, 1.2, 200.0, 1.0}};
  return spec;
}

TEST(Comparison, ReportsProgressRisingToOneAndStopsWhenCancelled) {
  const Visits v = make_visits(two_scars());
  std::vector<std::pair<std::string, double>> reports;
  Progress progress;
  progress.report = [&](std::string_view stage, double fraction) { reports.emplace_back(std::string(stage), fraction); };
  const VisitComparison c = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup, {}, &progress);
  ASSERT_TRUE(c.registration.registered) << c.registration.problem;
  ASSERT_GE(reports.size(), 8u);
  EXPECT_EQ(reports.front().second, 0.0);
  EXPECT_EQ(reports.back().second, 1.0);
  for (std::size_t i = 1; i < reports.size(); ++i) EXPECT_GE(reports[i].second, reports[i - 1].second) << reports[i].first;

  // Cancelled (as another thread would) once the registration reached its rotation search: no
  // further report, and CancelledError instead of a result.
  std::atomic<bool> cancel{false};
  std::vector<std::string> stages;
  progress.cancel = &cancel;
  progress.report = [&](std::string_view stage, double) {
    stages.emplace_back(stage);
    if (stage == "registration: rotation search") cancel = true;
  };
  EXPECT_THROW((void)compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup, {}, &progress),
               CancelledError);
  ASSERT_FALSE(stages.empty());
  EXPECT_EQ(stages.back(), "registration: rotation search");
}

TEST(Comparison, AnInventoryWithAbsurdNumbersIsMeasuredWithoutRunningAway) {
  // An analysis file can hold anything: an outline a kilometre off, a diameter of 1e30 mm, NaN.
  Visits v = make_visits(two_scars());
  Scar far = v.baseline.scars[0];
  far.id = 3;
  far.outline_mm = {{1e6, 1e6}, {1e30, 2e6}, {std::nan(""), 5.0}, {-1e30, 1e30}};
  v.baseline.scars.push_back(far);
  Scar huge = v.followup.scars[0];
  huge.id = 150;
  huge.outline_mm.clear();
  huge.diameter_mm = 1e30;
  huge.centroid_mm = {std::nan(""), 1e300};
  v.followup.scars.push_back(huge);
  const VisitComparison c = compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup);
  ASSERT_TRUE(c.registration.registered) << c.registration.problem;
  EXPECT_EQ(c.scars.size(), 4u);  // two matched pairs, the far scar, the huge one
  for (const ScarChange& change : c.scars) EXPECT_FALSE(change.note.empty()) << change_status_name(change.status);
}

TEST(Comparison, HeightsNoSkinHasAreRefused) {
  Visits v = make_visits(two_scars());
  for (int r = 100; r < 110; ++r)
    for (int c = 100; c < 110; ++c) v.pair.followup.set(r, c, -1e9f);
  try {
    (void)compare_visits(v.pair.baseline, v.baseline, v.pair.followup, v.followup);
    FAIL() << "compared a follow-up with a patch 1 km deep";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::out_of_range);
    EXPECT_EQ(error.field(), "heights");
  }
}

TEST(Matching, PairsEachScarOnceWithinASizeBasedTolerance) {
  ScarInventory baseline, followup;
  auto add = [](ScarInventory& inv, int id, double x, double y, double diameter) {
    Scar s;
    s.id = id;
    s.centroid_mm = {x, y};
    s.diameter_mm = diameter;
    inv.scars.push_back(s);
  };
  add(baseline, 1, 5.0, 5.0, 1.0);
  add(baseline, 2, 5.8, 5.0, 1.0);   // close neighbour: must not steal scar 1's partner
  add(baseline, 3, 20.0, 20.0, 4.0);  // large: a 2 mm offset still matches
  add(baseline, 4, 40.0, 40.0, 1.0);  // gone
  RigidTransform shift;
  shift.shift_mm = {1.0, 0.0};
  add(followup, 11, 6.85, 5.0, 1.0);  // scar 2 moved by the shift (+0.05)
  add(followup, 12, 6.05, 5.0, 1.0);  // scar 1
  add(followup, 13, 22.5, 20.5, 4.0);
  add(followup, 14, 10.0, 30.0, 1.0);  // new
  const auto pairs = match_scars(baseline, followup, shift);
  ASSERT_EQ(pairs.size(), 5u);
  EXPECT_EQ(pairs[0].followup_index, 1);
  EXPECT_EQ(pairs[1].followup_index, 0);
  EXPECT_EQ(pairs[2].followup_index, 2);
  EXPECT_EQ(pairs[3].followup_index, -1);
  EXPECT_EQ(pairs[4].baseline_index, -1);
  EXPECT_EQ(pairs[4].followup_index, 3);
}

}  // namespace
}  // namespace scarscope
