// analyze_scan and apply_corrections as a server calls them: a scan's bytes in, a typed, stamped
// assessment out, its JSON read back unchanged; a clinician's corrections applied to it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "surface/io.h"
#include "test_support.h"
#include "workflow_fixtures.h"
#include "workflows/assessment.h"

namespace scarscope {
namespace {

using nlohmann::json;

const Assessment& analysed_visit() {
  static const Assessment assessment = [] {
    AnalyzeOptions options;
    options.overlay_png = true;
    options.relief_png = true;
    return analyze_scan(test::visit_scans(0).baseline_input(), options, test::shipped_knowledge());
  }();
  return assessment;
}

bool is_png(const std::vector<std::byte>& bytes) {
  return bytes.size() > 8 && bytes[1] == std::byte{'P'} && bytes[2] == std::byte{'N'} && bytes[3] == std::byte{'G'};
}

TEST(AnalyzeScan, FindsTheScarsOfAScanGivenAsBytesAndSaysWhatMadeTheResult) {
  const Assessment& assessment = analysed_visit();
  EXPECT_EQ(assessment.scan.file, "visit0_a.x3p");
  EXPECT_EQ(assessment.scan.format, "x3p");
  EXPECT_GE(assessment.scars.scars.size(), 3u) << "the scan has three bowl-shaped scars";
  EXPECT_EQ(assessment.grades.goodman_baron_quantitative.basis, GradeBasis::three_d_only);
  EXPECT_TRUE(is_png(assessment.overlay_png));
  EXPECT_TRUE(is_png(assessment.relief_png));

  const json document = to_json(assessment);
  EXPECT_EQ(document["scarscope"]["version"], SCARSCOPE_VERSION);
  EXPECT_EQ(document["scarscope"]["schema"], current_schema(ResultKind::analysis));
  // The grades say which knowledge base made them: its file name, version and content hash.
  const json& kb = document["grades"]["knowledge_base"];
  EXPECT_EQ(kb["file"], "grading.json");
  EXPECT_EQ(kb["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(document.dump().find(test::test_kb_dir().string()), std::string::npos) << "a result records no path";
}

TEST(AnalyzeScan, TheSameScanFromAFileGivesTheSameAssessment) {
  test::TempDir dir;
  const test::VisitScans scans = test::visit_scans(0);
  const std::string text(reinterpret_cast<const char*>(scans.baseline.data()), scans.baseline.size());
  test::write_text_file(dir / scans.baseline_name, text);
  const Assessment from_file = analyze_scan(ScanInput::file(dir / scans.baseline_name), {}, test::shipped_knowledge());
  EXPECT_EQ(to_json(from_file), to_json(analyze_scan(scans.baseline_input(), {}, test::shipped_knowledge())));
}

TEST(AnalyzeScan, AScanInAnotherFormatIsReadFromMemoryWithItsSidecar) {
  // The same heights as a float TIFF whose spacing and unit are in its sidecar, as an upload of a
  // TIFF and its NAME.tif.json would arrive.
  const HeightMap map = read_scan(test::visit_scans(0).baseline_input());
  const EncodedHeightMap tiff = encode_height_map(map, "tiff");
  ASSERT_FALSE(tiff.sidecar_json.empty());
  ScanInput input = ScanInput::memory(tiff.bytes, "visit0_a.tif");
  input.sidecar_json = tiff.sidecar_json;
  const Assessment from_tiff = analyze_scan(input, {}, test::shipped_knowledge());
  EXPECT_EQ(from_tiff.scan.format, "tiff");
  EXPECT_EQ(inventory_to_json(from_tiff.scars)["scars"], inventory_to_json(analysed_visit().scars)["scars"]);
}

TEST(AnalyzeScan, ItsJsonReadsBackAsTheSameAssessment) {
  const json document = to_json(analysed_visit());
  const Assessment read = assessment_from_json(document, "stored.json");
  EXPECT_EQ(to_json(read), document);
  EXPECT_EQ(read.made_by, current_result_version(ResultKind::analysis));
  EXPECT_EQ(read.scars.scars.size(), analysed_visit().scars.scars.size());
  EXPECT_EQ(read.grades.knowledge, analysed_visit().grades.knowledge);
}

TEST(AnalyzeScan, AStoredResultOfAnOlderSchemaIsReadAndANewerOneRefused) {
  json older = to_json(analysed_visit());
  older.erase("scarscope");  // as written before results carried versions
  older["grades"]["knowledge_base"].erase("sha256");
  const Assessment read = assessment_from_json(older, "2025.json");
  EXPECT_EQ(read.made_by.schema, 0);
  EXPECT_EQ(read.scars.scars.size(), analysed_visit().scars.scars.size());

  json newer = to_json(analysed_visit());
  newer["scarscope"]["schema"] = current_schema(ResultKind::analysis) + 1;
  try {
    assessment_from_json(newer, "future.json");
    FAIL() << "a result of a newer schema was read";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::unsupported);
    EXPECT_EQ(error.field(), "scarscope.schema");
  }
}

TEST(ApplyCorrections, TheClinicianWinsAndTheGradesAreRecomputed) {
  const Assessment& analysed = analysed_visit();
  const ScarType other = analysed.scars.scars[0].type == ScarType::boxcar ? ScarType::rolling : ScarType::boxcar;
  ClinicianInputs inputs;
  inputs.scars[1].type = other;
  inputs.scars[2].remove = true;
  inputs.papular_scars = 0;
  const std::size_t analysed_count = analysed.scars.scars.size();
  const Assessment corrected = apply_corrections(analysed, inputs, test::shipped_knowledge());
  ASSERT_EQ(corrected.scars.scars.size(), analysed_count - 1);
  EXPECT_EQ(corrected.scars.scars[0].type, other);
  EXPECT_EQ(corrected.scars.scars[1].id, 3) << "scar 2 was removed";
  EXPECT_EQ(corrected.grades.goodman_baron_quantitative.basis, GradeBasis::three_d_plus_clinician);
  const json document = to_json(corrected);
  EXPECT_EQ(document["clinician_inputs"]["scars"]["2"]["remove"], true);
  EXPECT_EQ(document["scars"][0]["type"], scar_type_name(other));
  EXPECT_EQ(document["scars"][0]["corrected_by_clinician"], json::array({"type"}));

  // A second examination replaces the first: corrections apply to the scars as analysed.
  ClinicianInputs later;
  later.scars[3].type = ScarType::ice_pick;
  const Assessment again = apply_corrections(corrected, later, test::shipped_knowledge());
  ASSERT_EQ(again.scars.scars.size(), analysed_count);
  EXPECT_EQ(again.scars.scars[0].type, analysed.scars.scars[0].type);
  EXPECT_EQ(again.scars.scars[2].type, ScarType::ice_pick);

  // A corrected assessment read back no longer holds the scars as analysed: it is not corrected again.
  const Assessment stored = assessment_from_json(document, "corrected.json");
  EXPECT_EQ(to_json(stored), document);
  try {
    apply_corrections(stored, later, test::shipped_knowledge());
    FAIL() << "corrections were applied on top of earlier ones";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::unsupported);
  }
  // A correction naming a scar the assessment does not have is the input's fault, and says which.
  ClinicianInputs unknown;
  unknown.scars[99].remove = true;
  try {
    apply_corrections(analysed, unknown, test::shipped_knowledge());
    FAIL() << "scar 99 accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.field(), "scars.99");
  }
}

TEST(AnalyzeScan, ReportsProgressUpToTheEndAndStopsWhenCancelled) {
  std::vector<double> fractions;
  Progress progress;
  progress.report = [&](std::string_view, double fraction) { fractions.push_back(fraction); };
  analyze_scan(test::visit_scans(1).baseline_input(), {}, test::shipped_knowledge(), &progress);
  ASSERT_GE(fractions.size(), 3u);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_EQ(fractions.front(), 0.0);
  EXPECT_EQ(fractions.back(), 1.0);

  std::atomic<bool> cancel{true};
  Progress cancelled;
  cancelled.cancel = &cancel;
  EXPECT_THROW(analyze_scan(test::visit_scans(1).baseline_input(), {}, test::shipped_knowledge(), &cancelled), CancelledError);
}

TEST(AnalyzeScan, BatchRowsSayWhatEachScanGaveOrWhyItFailed) {
  const std::string row = assessment_summary_csv_row("cheek, left.x3p", analysed_visit(), 0.25);
  const std::string count = std::to_string(analysed_visit().scars.scars.size());
  EXPECT_EQ(row.rfind("\"cheek, left.x3p\",ok," + count + ",", 0), 0u) << row;
  EXPECT_NE(row.find(",0.250,\n"), std::string::npos) << row;
  EXPECT_EQ(assessment_failure_csv_row("x.x3p", "no \"scars\" list"), "\"x.x3p\",error,,,,,,,,,,\"no 'scars' list\"\n");
}

}  // namespace
}  // namespace scarscope
