// Scoring against synthetic truth: a perfect result scores 1.0, and shifted, mislabelled, missed
// or invented scars cost exactly what they should.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "synth/evaluation.h"
#include "synth/synthetic_skin.h"
#include "synth/truth.h"
#include "test_support.h"

namespace scarscope::synth {
namespace {

using nlohmann::json;

// A small hand-written truth: four scars, one per type, on a 20 x 20 mm scan.
json hand_truth(const std::string& preset = "cheek") {
  json truth;
  truth["scan"] = {{"nx", 1000}, {"ny", 1000}, {"dx_um", 20.0}, {"dy_um", 20.0}};
  truth["generator"] = {{"preset", preset}, {"seed", 1}};
  truth["scars"] = json::array({
      {{"id", 1}, {"type", "ice_pick"}, {"centroid_mm", {3.0, 3.0}}, {"diameter_mm", 1.0}, {"depth_um", 800.0},
       {"depth_is_lower_bound", true}, {"volume_mm3", 0.1}},
      {{"id", 2}, {"type", "boxcar"}, {"centroid_mm", {10.0, 3.0}}, {"diameter_mm", 3.0}, {"depth_um", 300.0},
       {"depth_is_lower_bound", false}, {"volume_mm3", 1.5}},
      {{"id", 3}, {"type", "rolling"}, {"centroid_mm", {10.0, 12.0}}, {"diameter_mm", 6.0}, {"depth_um", 150.0},
       {"depth_is_lower_bound", false}, {"volume_mm3", 2.0}},
      {{"id", 4}, {"type", "boxcar"}, {"centroid_mm", {17.0, 17.0}}, {"diameter_mm", 1.8}, {"depth_um", 200.0},
       {"depth_is_lower_bound", false}, {"volume_mm3", 0.4}},
  });
  return truth;
}

TEST(Evaluation, PerfectResultScoresOne) {
  const json truth = hand_truth();
  const json report = evaluate_analysis(truth, truth);
  EXPECT_EQ(report["precision"], 1.0);
  EXPECT_EQ(report["recall"], 1.0);
  EXPECT_EQ(report["f1"], 1.0);
  EXPECT_EQ(report["type_accuracy"], 1.0);
  EXPECT_EQ(report["errors"]["volume"]["median_pct"], 0.0);
  EXPECT_EQ(report["errors"]["diameter"]["p90_pct"], 0.0);
  // Depth is scored only where the truth saw the floor: not the occluded ice pick.
  EXPECT_EQ(report["errors"]["depth"]["n"], 3);
  EXPECT_EQ(report["confusion"]["boxcar"]["boxcar"], 2);
}

TEST(Evaluation, SmallShiftStillMatchesLargeShiftMatchesNothing) {
  const json truth = hand_truth();
  json result = truth;
  for (auto& s : result["scars"]) s["centroid_mm"][0] = s["centroid_mm"][0].get<double>() + 0.4;
  EXPECT_EQ(evaluate_analysis(truth, result)["f1"], 1.0);
  // Beyond max(0.6 mm, half the diameter): the small scars are lost, the 6 mm rolling one is not.
  for (auto& s : result["scars"]) s["centroid_mm"][0] = s["centroid_mm"][0].get<double>() + 0.6;
  const json shifted = evaluate_analysis(truth, result);
  EXPECT_EQ(shifted["matched"], 2);  // boxcar 3 mm (radius 1.5) and rolling 6 mm (radius 3)
  EXPECT_EQ(shifted["false_positives"], 2);
  EXPECT_EQ(shifted["missed"], 2);
  EXPECT_EQ(shifted["precision"], 0.5);
  EXPECT_EQ(shifted["recall"], 0.5);
  for (auto& s : result["scars"]) s["centroid_mm"][1] = s["centroid_mm"][1].get<double>() + 30.0;
  const json lost = evaluate_analysis(truth, result);
  EXPECT_EQ(lost["matched"], 0);
  EXPECT_EQ(lost["f1"], 0.0);
}

TEST(Evaluation, MislabelledScarsShowInTheConfusionOfTheirWidthBand) {
  const json truth = hand_truth();
  json result = truth;
  result["scars"][3]["type"] = "ice_pick";  // the 1.8 mm boxcar, in the ice pick / boxcar overlap band
  const json report = evaluate_analysis(truth, result);
  EXPECT_EQ(report["f1"], 1.0);
  EXPECT_EQ(report["type_accuracy"], 0.75);
  EXPECT_EQ(report["confusion"]["boxcar"]["ice_pick"], 1);
  EXPECT_EQ(report["confusion_by_band"]["1.5-2"]["boxcar"]["ice_pick"], 1);
  EXPECT_EQ(report["confusion_by_band"]["2-4"]["boxcar"]["boxcar"], 1);
}

TEST(Evaluation, MissedAndInventedScarsAndMeasurementErrors) {
  const json truth = hand_truth();
  json result = truth;
  result["scars"].erase(0);                         // the ice pick is missed
  result["scars"][0]["volume_mm3"] = 1.8;           // boxcar volume 20 % high
  result["scars"][0]["depth_um"] = 270.0;           // and 10 % shallow
  result["scars"].push_back({{"id", 9}, {"type", "rolling"}, {"centroid_mm", {2.0, 17.0}}});
  const json report = evaluate_analysis(truth, result);
  EXPECT_EQ(report["matched"], 3);
  EXPECT_EQ(report["missed"], 1);
  EXPECT_EQ(report["false_positives"], 1);
  EXPECT_EQ(report["confusion"]["ice_pick"]["missed"], 1);
  EXPECT_EQ(report["false_positive_types"]["rolling"], 1);
  EXPECT_NEAR(report["precision"].get<double>(), 0.75, 1e-9);
  EXPECT_NEAR(report["recall"].get<double>(), 0.75, 1e-9);
  // Volume errors 20, 0, 0 %: the median is 0, the 90th percentile 16 % (linear interpolation).
  EXPECT_NEAR(report["errors"]["volume"]["median_pct"].get<double>(), 0.0, 1e-9);
  EXPECT_NEAR(report["errors"]["volume"]["p90_pct"].get<double>(), 16.0, 1e-6);
  EXPECT_NEAR(report["errors"]["depth"]["median_signed_pct"].get<double>(), 0.0, 1e-9);
  // 1 false positive on 4 cm2.
  EXPECT_NEAR(report["false_positives_per_cm2"].get<double>(), 0.25, 1e-9);
}

TEST(Evaluation, FalsePositivesOnClearSkinArePerSquareCentimetre) {
  json truth = hand_truth("clear");
  truth["scars"] = json::array();
  json result = truth;
  result["scars"].push_back({{"id", 1}, {"type", "boxcar"}, {"centroid_mm", {5.0, 5.0}}});
  result["scars"].push_back({{"id", 2}, {"type", "ice_pick"}, {"centroid_mm", {8.0, 5.0}}});
  const json report = evaluate_analysis(truth, result);
  EXPECT_NEAR(report["false_positives_per_cm2_clear"].get<double>(), 0.5, 1e-9);
  EXPECT_EQ(report["recall"], 1.0);  // nothing to find
  EXPECT_EQ(report["precision"], 0.0);
  EXPECT_EQ(evaluate_analysis(truth, truth)["f1"], 1.0);
}

TEST(Evaluation, WidthBandsSplitAtTheOverlaps) {
  EXPECT_EQ(width_band(1.49), "<1.5");
  EXPECT_EQ(width_band(1.5), "1.5-2");
  EXPECT_EQ(width_band(1.99), "1.5-2");
  EXPECT_EQ(width_band(2.0), "2-4");
  EXPECT_EQ(width_band(4.5), "4-5");
  EXPECT_EQ(width_band(5.0), ">=5");
}

TEST(Evaluation, MalformedResultsAreInputErrors) {
  EXPECT_THROW(evaluate_analysis(hand_truth(), json{{"no_scars", 1}}), InputError);
  json bad = hand_truth();
  bad["scars"][0]["centroid_mm"] = "here";
  EXPECT_THROW(evaluate_analysis(hand_truth(), bad), InputError);
  EXPECT_THROW(evaluate_followup(hand_truth(), json::object()), InputError);
}

// A follow-up truth made by the generator, and a comparison built from it.
struct FollowupCase {
  json baseline;
  json followup;
};

FollowupCase make_followup_case() {
  SynthRequest request;
  request.preset = "cheek";
  request.seed = 6;
  request.width_mm = request.height_mm = 16.0;
  request.spacing_um = 40.0;  // 400 x 400 points
  request.scar_count = 5;
  FollowupCase c;
  const SyntheticScan baseline = generate_scan(request);
  c.baseline = truth_json(baseline, "base.x3p");
  // The scar nearest the centre stays in view of the new pose; it did not respond.
  int unchanged = baseline.truth.front().id;
  double best = 1e9;
  for (const ScarTruth& t : baseline.truth) {
    const double d = std::hypot(t.centroid_x_mm - 8.0, t.centroid_y_mm - 8.0);
    if (d < best) {
      best = d;
      unchanged = t.id;
    }
  }
  FollowupRequest visit;
  visit.seed = 2;
  visit.global_response = 0.6;
  visit.per_scar[unchanged] = 1.0;
  visit.pose = Pose{0.4, -0.3, 1.5, 8.0, 8.0};
  c.followup = truth_json(generate_followup(request, visit), "follow.x3p", &c.baseline);
  return c;
}

json perfect_compare(const json& followup_truth) {
  json compare;
  compare["registration"] = followup_truth["pose"];
  compare["scars"] = json::array();
  for (const auto& s : followup_truth["scars"]) {
    const double change = s["expected"]["volume_change_pct"].get<double>();
    compare["scars"].push_back({{"baseline_id", s["id"]},
                                {"followup_id", s["id"]},
                                {"baseline_centroid_mm", s["baseline_centroid_mm"]},
                                {"followup_centroid_mm", s["centroid_mm"]},
                                {"volume_change_pct", change},
                                {"status", change < -10 ? "improved" : "stable"}});
  }
  compare["global"] = {{"volume_change_pct", followup_truth["expected_global"]["volume_change_pct"]}};
  return compare;
}

TEST(FollowupEvaluation, TheTruePoseAndChangesScorePerfectly) {
  const FollowupCase c = make_followup_case();
  const json report = evaluate_followup(c.followup, perfect_compare(c.followup));
  EXPECT_NEAR(report["registration"]["max_error_mm"].get<double>(), 0.0, 1e-9);
  EXPECT_EQ(report["match_rate"], 1.0);
  EXPECT_NEAR(report["volume_change_error_pp"]["p90"].get<double>(), 0.0, 1e-9);
  EXPECT_NEAR(report["global_change_error_pp"]["max"].get<double>(), 0.0, 1e-9);
  EXPECT_EQ(report["unchanged_reported_changed"], 0);
}

TEST(FollowupEvaluation, AWrongRotationAndFalseChangesAreCounted) {
  const FollowupCase c = make_followup_case();
  json compare = perfect_compare(c.followup);
  const double rotation = compare["registration"]["rotation_deg"].get<double>();
  compare["registration"]["rotation_deg"] = rotation + 1.0;
  for (auto& s : compare["scars"]) {
    s["status"] = "improved";  // also on the scar that did not change
    s["volume_change_pct"] = s["volume_change_pct"].get<double>() - 5.0;
  }
  const json report = evaluate_followup(c.followup, compare);
  EXPECT_NEAR(report["registration"]["median_rotation_error_deg"].get<double>(), 1.0, 1e-9);
  EXPECT_GT(report["registration"]["max_error_mm"].get<double>(), 0.01);
  EXPECT_NEAR(report["volume_change_error_pp"]["median"].get<double>(), 5.0, 1e-6);
  EXPECT_EQ(report["unchanged_scars"], 1);
  EXPECT_EQ(report["unchanged_reported_changed"], 1);
  EXPECT_EQ(report["false_change_rate"], 1.0);
}

TEST(SuiteEvaluation, AggregatesScansPerPresetAndListsMissingResults) {
  test::TempDir dir;
  const json cheek = hand_truth("cheek");
  json clear = hand_truth("clear");
  clear["scars"] = json::array();
  std::ofstream(dir / "a.truth.json") << cheek.dump();
  std::ofstream(dir / "a.analysis.json") << cheek.dump();
  std::ofstream(dir / "b.truth.json") << clear.dump();
  json fp = clear;
  fp["scars"].push_back({{"id", 1}, {"type", "boxcar"}, {"centroid_mm", {5.0, 5.0}}});
  std::ofstream(dir / "b.analysis.json") << fp.dump();
  std::ofstream(dir / "c.truth.json") << cheek.dump();  // no analysis
  const json report = evaluate_suite(dir.path());
  EXPECT_EQ(report["truth_files"], 3);
  EXPECT_EQ(report["scored_scans"], 2);
  EXPECT_EQ(report["missing_results"], json::array({"c.analysis.json"}));
  EXPECT_EQ(report["by_preset"]["cheek"]["f1"], 1.0);
  EXPECT_NEAR(report["by_preset"]["clear"]["false_positives_per_cm2_clear"].get<double>(), 0.25, 1e-9);
  EXPECT_EQ(report["overall"]["matched"], 4);
  EXPECT_EQ(report["overall"]["false_positives"], 1);
  EXPECT_FALSE(evaluation_text(report).empty());
}

}  // namespace
}  // namespace scarscope::synth
