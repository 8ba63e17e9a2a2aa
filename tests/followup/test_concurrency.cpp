// A clinic server runs analyses and comparisons on worker threads at once: the library keeps no
// shared mutable state, so each result is exactly what the same call gives alone. (./run tsan runs
// this under ThreadSanitizer, which also reports any data race these calls would have.)
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../scars/analytic_skin.h"
#include "core/bytes.h"
#include "followup/comparison.h"
#include "followup/overlay.h"
#include "scars/analysis.h"
#include "scars/overlay.h"
#include "surface/io.h"
#include "synthetic_pair.h"

namespace scarscope {
namespace {

// Runs every job on `threads` threads at once (each job once, in any order).
void run_concurrently(const std::vector<std::function<void()>>& jobs, int threads) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (std::size_t i = next++; i < jobs.size(); i = next++) jobs[i]();
    });
  }
  for (std::thread& worker : workers) worker.join();
}

// What a user receives from an analysis: its JSON, its overlay and the scan read back from X3P bytes.
struct AnalysisOutput {
  std::string json;
  Bytes overlay;
  std::string reread;
  bool operator==(const AnalysisOutput&) const = default;
};

AnalysisOutput analyse(int k) {
  using test::Shape;
  const double shift = 0.3 * k;
  HeightMap map = test::analytic_skin(220 + 20 * k, 200, 20.0 + 5.0 * (k % 3),
                                      {{Shape::box, 1.5 + shift, 1.6, 1.8, 110.0 + 10.0 * k},
                                       {Shape::cone, 3.2, 2.6 + 0.1 * k, 0.7, 160.0},
                                       {Shape::bowl, 2.4 + shift, 3.3, 2.2, 70.0},
                                       {Shape::dome, 0.9, 3.4, 1.0, 90.0}},
                                      2.0, 6, static_cast<unsigned>(k + 1));
  AnalysisOutput out;
  const EncodedHeightMap x3p = encode_height_map(map, "x3p");
  ByteSource source;
  source.name = "scan" + std::to_string(k) + ".x3p";
  out.reread = nlohmann::json(read_height_map(x3p.bytes, source).metadata.warnings).dump();
  HeightMap relief;
  const ScanAnalysis analysis = analyze_height_map(std::move(map), {}, &relief);
  out.json = analysis_to_json(analysis, nlohmann::json::object()).dump();
  out.overlay = overlay_png(relief, analysis.inventory);
  return out;
}

struct ComparisonOutput {
  std::string json;
  Bytes picture;
  bool operator==(const ComparisonOutput&) const = default;
};

ComparisonOutput compare(int k) {
  test::PairSpec spec;
  spec.nx = spec.ny = 200;
  spec.seed = static_cast<unsigned>(40 + k);
  spec.rotation_deg = 1.0 + k;
  spec.scars = {{{2.0, 2.5}, 0.8, 150.0, 0.5}, {{5.5, 4.0}, 1.0, 200.0, 1.0}};
  const test::Pair pair = test::make_pair(spec);
  ScarInventory baseline, followup;
  for (std::size_t i = 0; i < spec.scars.size(); ++i) {
    const test::BowlScar& bowl = spec.scars[i];
    Scar scar;
    scar.id = static_cast<int>(i + 1);
    scar.type = ScarType::boxcar;
    scar.centroid_mm = bowl.centre_mm;
    scar.diameter_mm = 2.0 * bowl.radius_mm;
    scar.volume_mm3 = test::bowl_volume_mm3(bowl.radius_mm, bowl.depth_um);
    scar.outline_mm = test::circle_outline(bowl.centre_mm, bowl.radius_mm);
    baseline.scars.push_back(scar);
  }
  const VisitComparison comparison = compare_visits(pair.baseline, baseline, pair.followup, followup);
  return {comparison_to_json(comparison).dump(),
          comparison_overlay_png(pair.baseline, baseline, pair.followup, followup, comparison)};
}

TEST(Concurrency, AnalysesAndComparisonsOnFourThreadsEqualSerialRuns) {
  constexpr int kAnalyses = 8, kComparisons = 3;
  std::vector<AnalysisOutput> serial_analyses, parallel_analyses(kAnalyses);
  std::vector<ComparisonOutput> serial_comparisons, parallel_comparisons(kComparisons);
  for (int k = 0; k < kAnalyses; ++k) serial_analyses.push_back(analyse(k));
  for (int k = 0; k < kComparisons; ++k) serial_comparisons.push_back(compare(k));

  std::vector<std::function<void()>> jobs;
  for (int k = 0; k < kComparisons; ++k) jobs.push_back([&, k] { parallel_comparisons[static_cast<std::size_t>(k)] = compare(k); });
  for (int k = 0; k < kAnalyses; ++k) jobs.push_back([&, k] { parallel_analyses[static_cast<std::size_t>(k)] = analyse(k); });
  run_concurrently(jobs, 4);

  for (int k = 0; k < kAnalyses; ++k) {
    EXPECT_TRUE(parallel_analyses[static_cast<std::size_t>(k)] == serial_analyses[static_cast<std::size_t>(k)]) << "analysis " << k;
    EXPECT_NE(serial_analyses[static_cast<std::size_t>(k)].json.find("\"scars\""), std::string::npos);
  }
  for (int k = 0; k < kComparisons; ++k) {
    EXPECT_TRUE(parallel_comparisons[static_cast<std::size_t>(k)] == serial_comparisons[static_cast<std::size_t>(k)])
        << "comparison " << k;
    EXPECT_NE(serial_comparisons[static_cast<std::size_t>(k)].json.find("\"registered\":true"), std::string::npos)
        << serial_comparisons[static_cast<std::size_t>(k)].json.substr(0, 400);
  }
  // Different inputs gave different results (the jobs really were different work).
  EXPECT_NE(serial_analyses[0].json, serial_analyses[1].json);
  EXPECT_NE(serial_comparisons[0].json, serial_comparisons[1].json);
}

}  // namespace
}  // namespace scarscope
