// compare_scans and progress_series: two visits' scans in memory, how much each scar changed; a
// course of visits followed from scans, or from the comparisons stored after each visit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "scars/analysis.h"
#include "workflow_fixtures.h"
#include "workflows/comparison.h"
#include "workflows/progress_series.h"

namespace scarscope {
namespace {

using nlohmann::json;

TEST(CompareScans, RegistersTheFollowUpAndItsJsonReadsBack) {
  const test::VisitScans scans = test::visit_scans(0);
  CompareRequest request;
  request.baseline.scan = scans.baseline_input();
  request.followup.scan = scans.followup_input();
  request.overlay_png = true;
  std::vector<double> fractions;
  Progress progress;
  progress.report = [&](std::string_view, double fraction) { fractions.push_back(fraction); };
  const Comparison result = compare_scans(request, &progress);
  ASSERT_TRUE(result.comparison.registration.registered) << result.comparison.registration.problem;
  EXPECT_EQ(result.baseline_file, "visit0_a.x3p");
  EXPECT_EQ(result.followup_count, result.comparison.global.count_followup);
  EXPECT_FALSE(result.overlay_png.empty());
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_EQ(fractions.back(), 1.0);

  const json document = to_json(result);
  EXPECT_EQ(document["scarscope"]["schema"], current_schema(ResultKind::comparison));
  const Comparison read = comparison_from_json(document, "compare.json");
  EXPECT_EQ(to_json(read), document);
  ASSERT_EQ(read.comparison.scars.size(), result.comparison.scars.size());
  for (std::size_t i = 0; i < read.comparison.scars.size(); ++i) {
    EXPECT_EQ(read.comparison.scars[i].status, result.comparison.scars[i].status);
  }
}

TEST(ProgressSeries, FromStoredComparisonsItIsTheSameAsFromTheScans) {
  // Three visits of one patient: the baseline, and two follow-ups of the same skin.
  const test::VisitScans first = test::visit_scans(2);
  const test::VisitScans second = test::visit_scans(2);  // the same pair: visit 3 repeats visit 2's scan
  std::vector<ComparedVisit> visits(3);
  visits[0].scan = first.baseline_input();
  visits[1].scan = first.followup_input();
  visits[2].scan = ScanInput::memory(second.followup, "visit2_c.x3p");
  const ProgressSeries from_scans = progress_series(visits);
  ASSERT_EQ(from_scans.series.comparisons.size(), 2u);
  const json document = to_json(from_scans);
  EXPECT_EQ(document["scarscope"]["schema"], current_schema(ResultKind::series));
  EXPECT_EQ(document["visits"][2]["file"], "visit2_c.x3p");

  // What a server has after each visit: the visits' analyses and each comparison, stored as JSON.
  std::vector<ScarInventory> analyses;
  for (const ComparedVisit& visit : visits) analyses.push_back(analyze_height_map(read_scan(visit.scan)).inventory);
  std::vector<Comparison> stored;
  for (std::size_t k = 1; k < visits.size(); ++k) {
    CompareRequest request;
    request.baseline = {visits[0].scan, analyses[0]};
    request.followup = {visits[k].scan, analyses[k]};
    stored.push_back(comparison_from_json(to_json(compare_scans(request)), "stored.json"));
  }
  const ProgressSeries from_stored = progress_series(analyses, std::move(stored));
  EXPECT_EQ(to_json(from_stored), document);
  EXPECT_EQ(to_json(progress_series_from_json(document, "series.json")), document);

  EXPECT_THROW(progress_series(std::vector<ComparedVisit>(visits.begin(), visits.begin() + 1)), InputError);
}

}  // namespace
}  // namespace scarscope
