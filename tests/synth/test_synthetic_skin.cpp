// The synthetic skin generator: its truth agrees with the surface it renders, the presets produce
// the statistics they document, follow-ups keep the skin and scale the scars, and the same seed
// always gives the same bytes.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/progress.h"
#include "synth/scar_shape.h"
#include "synth/skin_parameters.h"
#include "synth/synthetic_skin.h"

namespace scarscope::synth {
namespace {

// Every instrument effect off, and no smoothing of the skin inside scars: the rendered surface is
// then exactly skin + scars, so the scars can be recovered by subtracting the scar-free skin.
SkinParameters clean_parameters(const std::string& preset) {
  SkinParameters p = preset_parameters(preset);
  p.instrument.noise_um = 0.0;
  p.instrument.dropout_blobs_per_cm2 = 0.0;
  p.instrument.steep_wall_missing_deg = 90.0;
  p.instrument.ice_pick_occluded_fraction = 0.0;
  p.instrument.spike_fraction = 0.0;
  p.scar_smoothing = 0.0;
  return p;
}

SynthRequest small_request(const std::string& preset, std::uint64_t seed, int scars = -1) {
  SynthRequest r;
  r.preset = preset;
  r.seed = seed;
  r.width_mm = 10.0;
  r.height_mm = 10.0;
  r.spacing_um = 25.0;  // 400 x 400 points
  r.scar_count = scars;
  return r;
}

const ScarShape& shape(const SyntheticScan& scan, int id) {
  for (const ScarShape& s : scan.scars) {
    if (s.id == id) return s;
  }
  throw std::runtime_error("no scar " + std::to_string(id));
}

std::string sha256_hex(const void* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char buffer[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", digest[i]);
    hex += buffer;
  }
  return hex;
}

TEST(SyntheticSkin, TruthEqualsTheScarsContributionToTheRenderedSurface) {
  SynthRequest with = small_request("cheek", 21, 6);
  with.parameters = clean_parameters("cheek");
  SynthRequest without = with;
  without.scar_count = 0;  // the same skin: scars draw from their own random stream
  const SyntheticScan scan = generate_scan(with);
  const SyntheticScan skin = generate_scan(without);
  ASSERT_GE(scan.truth.size(), 3u);
  ASSERT_EQ(skin.truth.size(), 0u);
  const HeightMap& map = scan.map;
  const double cell_mm2 = map.dx_um() * map.dy_um() * 1e-6;
  int checked = 0;
  for (const ScarTruth& truth : scan.truth) {
    const ScarShape& s = shape(scan, truth.id);
    // Only scars whose support touches no other scar's: there the difference is this scar alone.
    bool alone = true;
    for (const ScarShape& other : scan.scars) {
      if (other.id != s.id && std::hypot(other.x_mm - s.x_mm, other.y_mm - s.y_mm) <
                                  other.bounding_radius_mm + s.bounding_radius_mm + 0.1) {
        alone = false;
      }
    }
    if (!alone) continue;
    double volume_um_mm2 = 0.0;
    double extreme = 0.0;
    int extent_points = 0;
    std::vector<double> values;
    for (int row = 0; row < map.ny(); ++row) {
      for (int col = 0; col < map.nx(); ++col) {
        const double x = col * map.dx_um() / 1000.0;
        const double y = row * map.dy_um() / 1000.0;
        if (std::hypot(x - s.x_mm, y - s.y_mm) > s.bounding_radius_mm + 0.1) continue;
        const double d = static_cast<double>(map.height(row, col)) - skin.map.height(row, col);
        volume_um_mm2 += std::abs(d) * cell_mm2;
        extreme = std::max(extreme, std::abs(d));
        values.push_back(std::abs(d));
      }
    }
    for (const double v : values) {
      if (v >= kRimFraction * truth.depth_um) ++extent_points;
    }
    SCOPED_TRACE("scar " + std::to_string(truth.id) + " " + type_name(truth.type));
    EXPECT_NEAR(volume_um_mm2 / 1000.0, truth.volume_mm3, 1e-3 * truth.volume_mm3 + 1e-6);
    EXPECT_NEAR(extreme, truth.depth_um, 0.02);
    // The extent counts the same points, give or take float rounding right at the rim.
    EXPECT_NEAR(extent_points * cell_mm2, truth.area_mm2, 3 * cell_mm2);
    EXPECT_NEAR(truth.diameter_mm, std::sqrt(4.0 * truth.area_mm2 / M_PI), 1e-9);
    // A hypertrophic scar rises, every other kind sinks.
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

TEST(SyntheticSkin, ScarShapesFollowTheirTypesMorphology) {
  SynthRequest request = small_request("cheek", 5);
  request.width_mm = request.height_mm = 40.0;
  request.spacing_um = 40.0;  // 1000 x 1000, still quick
  request.parameters = clean_parameters("cheek");
  const SyntheticScan scan = generate_scan(request);
  ASSERT_GE(scan.truth.size(), 10u);
  for (const ScarTruth& t : scan.truth) {
    SCOPED_TRACE("scar " + std::to_string(t.id) + " " + type_name(t.type));
    EXPECT_GT(t.volume_mm3, 0.0);
    EXPECT_LE(t.minor_mm, t.major_mm);
    EXPECT_NEAR(t.centroid_x_mm, shape(scan, t.id).x_mm, 0.3);
    switch (t.type) {
      case ScarType::ice_pick:
        EXPECT_LT(t.diameter_mm, 2.1);
        EXPECT_GT(t.depth_um, 250.0);
        EXPECT_GT(t.depth_um / (1000.0 * t.diameter_mm), 0.15);  // deep for its width
        break;
      case ScarType::boxcar:
        EXPECT_GT(t.diameter_mm, 1.4);
        EXPECT_LT(t.diameter_mm, 5.1);
        EXPECT_GT(t.wall_slope_deg, 25.0);                 // steep walls
        EXPECT_GT(t.mean_depth_um / t.depth_um, 0.5);      // flat floor: most of the extent is deep
        break;
      case ScarType::rolling:
        EXPECT_GT(t.diameter_mm, 3.9);
        EXPECT_LT(t.depth_um, 400.0);
        EXPECT_LT(t.wall_slope_deg, 15.0);                 // sloping walls
        break;
      case ScarType::hypertrophic:
        EXPECT_GT(t.depth_um, 150.0);
        break;
    }
  }
}

TEST(SyntheticSkin, SameSeedSameBytesOtherSeedOtherSkin) {
  const SyntheticScan a = generate_scan(small_request("hard", 3));
  const SyntheticScan b = generate_scan(small_request("hard", 3));
  const SyntheticScan c = generate_scan(small_request("hard", 4));
  const std::size_t bytes = a.map.size() * sizeof(float);
  EXPECT_EQ(sha256_hex(a.map.heights(), bytes), sha256_hex(b.map.heights(), bytes));
  EXPECT_EQ(sha256_hex(a.map.mask(), a.map.size()), sha256_hex(b.map.mask(), b.map.size()));
  EXPECT_NE(sha256_hex(a.map.heights(), bytes), sha256_hex(c.map.heights(), bytes));
}

TEST(SyntheticSkin, PinnedBytesOfOneSmallScan) {
  // Same seed, same bytes on any machine: our own random numbers and fixed arithmetic. If this
  // changes, the generator changed, and every published benchmark figure with it.
  SynthRequest request = small_request("cheek", 1, 3);
  request.width_mm = request.height_mm = 6.0;
  request.spacing_um = 30.0;  // 200 x 200 points
  const SyntheticScan scan = generate_scan(request);
  std::vector<float> heights(scan.map.heights(), scan.map.heights() + scan.map.size());
  for (std::size_t i = 0; i < heights.size(); ++i) {
    if (!scan.map.mask()[i]) heights[i] = 0.0f;  // NaN payloads are not part of the contract
  }
  EXPECT_EQ(sha256_hex(heights.data(), heights.size() * sizeof(float)), "36e5f149c639126da7e41cc3e08e52174ae29043a804befbdee0955eb8aabf08");
}

TEST(SyntheticSkin, ReportsProgressToOneAndStopsWhenCancelled) {
  std::vector<double> fractions;
  Progress progress;
  progress.report = [&](std::string_view, double fraction) { fractions.push_back(fraction); };
  const SyntheticScan scan = generate_scan(small_request("severe", 5), &progress);
  EXPECT_FALSE(scan.truth.empty());
  ASSERT_GE(fractions.size(), scan.truth.size());  // at least one report per scar
  EXPECT_EQ(fractions.front(), 0.0);
  EXPECT_EQ(fractions.back(), 1.0);
  for (std::size_t i = 1; i < fractions.size(); ++i) EXPECT_GE(fractions[i], fractions[i - 1]);

  std::atomic<bool> cancel{false};
  int reports_after_cancel = 0;
  progress.cancel = &cancel;
  progress.report = [&](std::string_view stage, double) {
    if (cancel) ++reports_after_cancel;
    if (stage == "microrelief") cancel = true;
  };
  EXPECT_THROW((void)generate_followup(small_request("severe", 5), FollowupRequest{}, &progress), CancelledError);
  EXPECT_EQ(reports_after_cancel, 0);
}

TEST(SyntheticSkin, NoiseLevelIsTheDocumentedOne) {
  SkinParameters p = clean_parameters("clear");
  p.roughness.rms_um = 0.0;
  p.furrows.directions = 0;
  p.pores.density_per_cm2 = 0.0;
  p.instrument.noise_um = 3.0;
  SynthRequest request = small_request("clear", 9);
  request.parameters = p;
  const SyntheticScan scan = generate_scan(request);
  // The second difference removes the smooth form; its variance is 6 sigma^2.
  double sum = 0.0;
  double sum2 = 0.0;
  int n = 0;
  for (int row = 0; row < scan.map.ny(); ++row) {
    for (int col = 1; col + 1 < scan.map.nx(); ++col) {
      const double d = scan.map.height(row, col + 1) - 2.0 * scan.map.height(row, col) + scan.map.height(row, col - 1);
      sum += d;
      sum2 += d * d;
      ++n;
    }
  }
  const double sd = std::sqrt((sum2 - sum * sum / n) / n);
  EXPECT_NEAR(sd / std::sqrt(6.0), 3.0, 0.1);
}

TEST(SyntheticSkin, PresetsProduceTheirDocumentedScarCountsAndMix) {
  for (const std::string& preset : preset_names()) {
    SCOPED_TRACE(preset);
    SynthRequest request = small_request(preset, 17);
    request.width_mm = request.height_mm = 40.0;
    const std::vector<ScarShape> scars = generate_scars(request);
    const SkinParameters p = preset_parameters(preset);
    const double expected = p.scars.density_per_cm2 * 16.0;
    // Scars that do not fit are dropped, never more than a few.
    EXPECT_LE(static_cast<double>(scars.size()), std::round(expected));
    EXPECT_GE(static_cast<double>(scars.size()), std::round(expected) * 0.85 - 1.0);
    if (preset == "clear") {
      EXPECT_TRUE(scars.empty());
    }
    std::set<int> ids;
    for (const ScarShape& s : scars) ids.insert(s.id);
    EXPECT_EQ(ids.size(), scars.size());  // stable, unique ids
  }
  SynthRequest severe = small_request("severe", 17);
  severe.width_mm = severe.height_mm = 40.0;
  SynthRequest mild = severe;
  mild.preset = "mild";
  EXPECT_GT(generate_scars(severe).size(), 3 * generate_scars(mild).size());
}

TEST(SyntheticSkin, PoreDensityIsTheDocumentedOne) {
  SynthRequest request = small_request("cheek", 2);
  request.width_mm = request.height_mm = 20.0;
  request.spacing_um = 50.0;
  const SyntheticScan scan = generate_scan(request);
  const double area_cm2 = 4.0;
  const double expected = preset_parameters("cheek").pores.density_per_cm2 * area_cm2;
  EXPECT_NEAR(scan.pore_count_in_view, expected, 4.0 * std::sqrt(expected));  // Poisson, 4 sd
}

TEST(SyntheticSkin, ShareOfScarsSitsInTheWidthOverlapBands) {
  SkinParameters p = clean_parameters("cheek");
  p.scars.overlap_band_share = 1.0;
  SynthRequest request = small_request("cheek", 8, 30);
  request.width_mm = request.height_mm = 40.0;
  request.spacing_um = 40.0;
  request.parameters = p;
  const SyntheticScan scan = generate_scan(request);
  int in_band = 0;
  int atrophic = 0;
  for (const ScarTruth& t : scan.truth) {
    if (t.type == ScarType::hypertrophic) continue;
    ++atrophic;
    const bool low = t.diameter_mm > 1.35 && t.diameter_mm < 2.15;
    const bool high = t.diameter_mm > 3.85 && t.diameter_mm < 5.15;
    if (low || high) ++in_band;
  }
  ASSERT_GT(atrophic, 10);
  EXPECT_GE(in_band, atrophic * 8 / 10);
}

TEST(SyntheticSkin, OccludedIcePickFloorsAreMissingAndFlagged) {
  SkinParameters p = clean_parameters("cheek");
  p.scars.ice_pick.share = 1.0;
  p.scars.boxcar.share = p.scars.rolling.share = p.scars.hypertrophic.share = 0.0;
  p.instrument.ice_pick_occluded_fraction = 1.0;
  SynthRequest request = small_request("cheek", 4, 5);
  request.parameters = p;
  const SyntheticScan scan = generate_scan(request);
  ASSERT_GE(scan.truth.size(), 3u);
  for (const ScarTruth& t : scan.truth) {
    EXPECT_TRUE(t.depth_is_lower_bound);
    EXPECT_LT(t.visible_depth_um, 0.85 * t.depth_um);
    EXPECT_GT(t.visible_depth_um, 0.15 * t.depth_um);
  }
  EXPECT_LT(scan.map.valid_count(), scan.map.size());
}

TEST(SyntheticSkin, HardPresetLosesDataAndAddsSpikes) {
  SynthRequest request = small_request("hard", 12);
  request.width_mm = request.height_mm = 20.0;
  request.spacing_um = 50.0;
  const SyntheticScan hard = generate_scan(request);
  request.preset = "cheek";
  const SyntheticScan cheek = generate_scan(request);
  auto valid_fraction = [](const SyntheticScan& s) {
    return static_cast<double>(s.map.valid_count()) / static_cast<double>(s.map.size());
  };
  EXPECT_LT(valid_fraction(hard), valid_fraction(cheek));
  EXPECT_LT(valid_fraction(hard), 0.995);
  EXPECT_GT(valid_fraction(hard), 0.5);
  EXPECT_LE(hard.form.curvature_radius_x_mm, 60.0);
  EXPECT_LE(hard.form.curvature_radius_y_mm, 60.0);
}

TEST(SyntheticFollowup, SameSkinSamePoseNoResponseNoNoiseIsTheBaseline) {
  SkinParameters p = clean_parameters("cheek");
  p.form.curvature_radius_min_mm = p.form.curvature_radius_max_mm = 80.0;
  p.form.apex_offset_max_mm = 0.0;
  p.form.tilt_max_deg = 0.0;
  SynthRequest request = small_request("cheek", 31, 4);
  request.parameters = p;
  const SyntheticScan baseline = generate_scan(request);
  FollowupRequest visit;
  visit.seed = 99;
  visit.pose = Pose{0.0, 0.0, 0.0, 5.0, 5.0};
  const SyntheticScan followup = generate_followup(request, visit);
  ASSERT_EQ(baseline.map.size(), followup.map.size());
  for (std::size_t i = 0; i < baseline.map.size(); ++i) {
    ASSERT_EQ(baseline.map.heights()[i], followup.map.heights()[i]) << i;
  }
}

TEST(SyntheticFollowup, ResponseScalesEveryScarAndPoseMovesItsCentroid) {
  SynthRequest request = small_request("cheek", 41, 5);
  request.parameters = clean_parameters("cheek");
  const SyntheticScan baseline = generate_scan(request);
  FollowupRequest visit;
  visit.seed = 3;
  visit.global_response = 0.6;
  visit.per_scar[baseline.truth.front().id] = 1.0;  // one scar did not respond
  const SyntheticScan followup = generate_followup(request, visit);
  EXPECT_TRUE(followup.is_followup);
  EXPECT_LE(std::hypot(followup.pose.shift_x_mm, followup.pose.shift_y_mm), visit.max_shift_mm);
  EXPECT_LE(std::abs(followup.pose.rotation_deg), visit.max_rotation_deg);
  int compared = 0;
  for (const ScarTruth& f : followup.truth) {
    if (!f.fully_in_view) continue;
    for (const ScarTruth& b : baseline.truth) {
      if (b.id != f.id) continue;
      SCOPED_TRACE("scar " + std::to_string(b.id));
      const double factor = b.id == baseline.truth.front().id ? 1.0 : 0.6;
      EXPECT_EQ(f.response_factor, factor);
      // The grid samples the scar anew, so the ratio is exact only up to sampling.
      EXPECT_NEAR(f.volume_mm3 / b.volume_mm3, factor, 0.02 * factor);
      EXPECT_NEAR(f.depth_um / b.depth_um, factor, 0.08 * factor);
      double x = 0.0;
      double y = 0.0;
      pose_apply(followup.pose, b.centroid_x_mm, b.centroid_y_mm, x, y);
      EXPECT_NEAR(f.centroid_x_mm, x, 0.03);
      EXPECT_NEAR(f.centroid_y_mm, y, 0.03);
      ++compared;
    }
  }
  EXPECT_GE(compared, 2);
}

TEST(SyntheticFollowup, PoseHelpersInvertEachOther) {
  const Pose pose{1.5, -2.0, 3.0, 20.0, 20.0};
  double x = 0.0;
  double y = 0.0;
  double bx = 0.0;
  double by = 0.0;
  pose_apply(pose, 12.0, 7.0, x, y);
  pose_invert(pose, x, y, bx, by);
  EXPECT_NEAR(bx, 12.0, 1e-12);
  EXPECT_NEAR(by, 7.0, 1e-12);
  // The centre only shifts.
  pose_apply(pose, 20.0, 20.0, x, y);
  EXPECT_NEAR(x, 21.5, 1e-12);
  EXPECT_NEAR(y, 18.0, 1e-12);
}

TEST(SyntheticSkin, BadRequestsAreInputErrors) {
  SynthRequest request = small_request("cheek", 1);
  request.preset = "elbow";
  EXPECT_THROW(generate_scan(request), InputError);
  request = small_request("cheek", 1);
  request.spacing_um = 0.0;
  EXPECT_THROW(generate_scan(request), InputError);
  request = small_request("cheek", 1);
  request.width_mm = 1e6;
  EXPECT_THROW(generate_scan(request), InputError);
  FollowupRequest visit;
  visit.per_scar[999] = 0.5;
  EXPECT_THROW(generate_followup(small_request("cheek", 1, 2), visit), InputError);
}

}  // namespace
}  // namespace scarscope::synth
