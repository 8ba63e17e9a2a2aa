// Workflows called from worker threads at once, as a server's workers call them: eight different
// scans analysed on four threads, and comparisons and plans likewise, give exactly what serial
// runs give. (./run tsan runs this under ThreadSanitizer.)
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_support.h"
#include "workflow_fixtures.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"
#include "workflows/visit_plan.h"

namespace scarscope {
namespace {

using nlohmann::json;

// Runs work(i) for i in [0, count) on `threads` threads, each taking the next index.
template <typename Work>
void on_threads(int threads, std::size_t count, Work work) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < count; i = next++) work(i);
    });
  }
  for (std::thread& thread : pool) thread.join();
}

TEST(Concurrency, EightScansOnFourThreadsGiveWhatSerialRunsGive) {
  std::vector<test::VisitScans> scans;
  for (int i = 0; i < 8; ++i) scans.push_back(test::visit_scans(i));
  AnalyzeOptions options;
  options.overlay_png = true;
  std::vector<std::string> serial(scans.size()), parallel(scans.size());
  std::vector<std::vector<std::byte>> serial_png(scans.size()), parallel_png(scans.size());
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const Assessment a = analyze_scan(scans[i].baseline_input(), options, test::shipped_knowledge());
    serial[i] = to_json(a).dump();
    serial_png[i] = a.overlay_png;
  }
  on_threads(4, scans.size(), [&](std::size_t i) {
    const Assessment a = analyze_scan(scans[i].baseline_input(), options, test::shipped_knowledge());
    parallel[i] = to_json(a).dump();
    parallel_png[i] = a.overlay_png;
  });
  for (std::size_t i = 0; i < scans.size(); ++i) {
    EXPECT_EQ(parallel[i], serial[i]) << "scan " << i;
    EXPECT_EQ(parallel_png[i], serial_png[i]) << "overlay of scan " << i;
  }
  // Eight different scans: the test is not eight times the same work.
  EXPECT_NE(serial[0], serial[1]);
}

TEST(Concurrency, ComparisonsAndPlansOnFourThreadsGiveWhatSerialRunsGive) {
  std::vector<test::VisitScans> scans;
  for (int i = 0; i < 4; ++i) scans.push_back(test::visit_scans(i));
  auto compare = [&](std::size_t i) {
    CompareRequest request;
    request.baseline.scan = scans[i].baseline_input();
    request.followup.scan = scans[i].followup_input();
    return to_json(compare_scans(request)).dump();
  };
  std::vector<std::string> serial(scans.size()), parallel(scans.size());
  for (std::size_t i = 0; i < scans.size(); ++i) serial[i] = compare(i);
  on_threads(4, scans.size(), [&](std::size_t i) { parallel[i] = compare(i); });
  for (std::size_t i = 0; i < scans.size(); ++i) EXPECT_EQ(parallel[i], serial[i]) << "pair " << i;

  // Plans for eight patients (skin types 1-6, with and without acne) on four threads.
  const ScarInventory scars = read_inventory(test::test_data("planning/cheek.analysis.json"));
  auto plan = [&](std::size_t i) {
    PlanVisitRequest request;
    request.date = CalendarDate::parse("2026-03-02", "date");
    request.assessments = {scars};
    request.patient.birth_year = 1990;
    request.patient.fitzpatrick = 1 + static_cast<int>(i % 6);
    request.patient.active_acne = i % 3 == 0 ? AcneActivity::mild : AcneActivity::none;
    request.patient.distress_0_10 = static_cast<double>(i);
    return to_json(plan_visit(request, test::shipped_knowledge())).dump();
  };
  std::vector<std::string> serial_plans(8), parallel_plans(8);
  for (std::size_t i = 0; i < 8; ++i) serial_plans[i] = plan(i);
  on_threads(4, 8, [&](std::size_t i) { parallel_plans[i] = plan(i); });
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(parallel_plans[i], serial_plans[i]) << "patient " << i;
  EXPECT_NE(serial_plans[0], serial_plans[4]);
}

}  // namespace
}  // namespace scarscope
