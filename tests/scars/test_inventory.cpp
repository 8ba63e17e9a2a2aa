// The scar inventory as the other parts and a clinician use it: read an analysis JSON or a hand
// count, write it back, merge the scans of one visit, and be told exactly what is wrong in a bad file.
#include "scars/inventory.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "test_support.h"

namespace scarscope {
namespace {

using nlohmann::json;

json analysis_document() {
  return json::parse(R"({
    "scan": {"file": "cheek.x3p", "format": "x3p", "nx": 2000, "ny": 1000, "dx_um": 20, "dy_um": 20,
             "valid_points": 1800000, "valid_fraction": 0.9},
    "scars": [
      {"id": 1, "type": "ice_pick", "confidence": 0.93, "reason": "1.0 mm wide, 640 µm deep, tapering walls",
       "centroid_mm": [12.31, 4.02], "area_mm2": 0.81, "diameter_mm": 1.02, "major_mm": 1.1, "minor_mm": 0.9,
       "depth_um": 640.0, "depth_is_lower_bound": true, "mean_depth_um": 310.0, "volume_mm3": 0.171,
       "wall_slope_deg": 58, "profile": "V", "outline_mm": [[12.0, 3.6], [12.6, 3.6], [12.3, 4.4]],
       "depth_to_width": 0.63},
      {"id": 2, "type": "hypertrophic", "confidence": 0.8, "centroid_mm": [20, 10], "area_mm2": 12.0,
       "diameter_mm": 3.9, "major_mm": 4.2, "minor_mm": 3.6, "height_um": 450.0, "mean_height_um": 200.0,
       "volume_mm3": 2.0, "wall_slope_deg": 20, "profile": "dome"}
    ],
    "counts": {"ice_pick": 1, "boxcar": 0, "rolling": 0, "hypertrophic": 1}
  })");
}

std::string error_of(const json& document) {
  try {
    inventory_from_json(document, "visit.json");
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Inventory, ReadsAnAnalysisJsonWithItsCoverage) {
  const ScarInventory inventory = inventory_from_json(analysis_document(), "cheek.analysis.json");
  ASSERT_EQ(inventory.scars.size(), 2u);
  // 2000 x 1000 points at 20 µm = 40 mm x 20 mm = 8 cm², 90 % valid.
  EXPECT_NEAR(inventory.coverage_cm2, 7.2, 1e-9);
  EXPECT_EQ(inventory.scans, std::vector<std::string>{"cheek.x3p"});
  EXPECT_FALSE(inventory.hand_count);
  const Scar& pit = inventory.scars[0];
  EXPECT_EQ(pit.type, ScarType::ice_pick);
  EXPECT_DOUBLE_EQ(pit.depth_um, 640.0);
  EXPECT_TRUE(pit.depth_is_lower_bound);
  EXPECT_EQ(pit.profile, "V");
  EXPECT_EQ(pit.outline_mm.size(), 3u);
  EXPECT_DOUBLE_EQ(*pit.shape.depth_to_width, 0.63);
  EXPECT_TRUE(pit.not_measured.empty());
  // A raised scar's height is read from height_um into depth_um.
  EXPECT_DOUBLE_EQ(inventory.scars[1].depth_um, 450.0);
  EXPECT_DOUBLE_EQ(inventory.scars[1].mean_depth_um, 200.0);
  EXPECT_EQ(inventory.counts().total(), 2);
  EXPECT_EQ(inventory.unlisted.total(), 0);
}

TEST(Inventory, WritesHeightForHypertrophicScarsAndRoundTrips) {
  const ScarInventory inventory = inventory_from_json(analysis_document(), "cheek.analysis.json");
  const json written = inventory_to_json(inventory);
  const json& raised = written["scars"][1];
  EXPECT_EQ(raised["height_um"], 450.0);
  EXPECT_FALSE(raised.contains("depth_um"));
  EXPECT_EQ(raised["mean_height_um"], 200.0);
  EXPECT_EQ(written["scars"][0]["depth_um"], 640.0);
  EXPECT_EQ(written["counts"]["hypertrophic"], 1);
  EXPECT_NEAR(written["coverage_cm2"].get<double>(), 7.2, 1e-9);

  const ScarInventory again = inventory_from_json(written, "again.json");
  EXPECT_EQ(inventory_to_json(again), written);
}

TEST(Inventory, AcceptsDepthOnAHypertrophicScarWithAWarning) {
  json document = analysis_document();
  document["scars"][1].erase("height_um");
  document["scars"][1]["depth_um"] = -450.0;
  const ScarInventory inventory = inventory_from_json(document, "old.json");
  EXPECT_DOUBLE_EQ(inventory.scars[1].depth_um, 450.0);
  ASSERT_EQ(inventory.warnings.size(), 1u);
  EXPECT_NE(inventory.warnings[0].find("height_um"), std::string::npos);
}

TEST(Inventory, AHandCountNeedsOnlyTypesAndCounts) {
  // A clinician counted the whole face: no scan, no measurements.
  const ScarInventory counted =
      inventory_from_json(json::parse(R"({"counts": {"boxcar": 12, "ice_pick": 4}})"), "exam.json");
  EXPECT_TRUE(counted.hand_count);
  EXPECT_TRUE(counted.scars.empty());
  EXPECT_EQ(counted.counts().boxcar, 12);
  EXPECT_EQ(counted.counts().ice_pick, 4);
  EXPECT_EQ(counted.unlisted.boxcar, 12);

  // A hand-made list: id and type are enough; measurements are marked as not measured.
  const ScarInventory listed = inventory_from_json(
      json::parse(R"({"scars": [{"id": 7, "type": "rolling"}, {"id": 9, "type": "boxcar", "diameter_mm": 2.0}],
                      "counts": {"rolling": 5}})"),
      "list.json");
  ASSERT_EQ(listed.scars.size(), 2u);
  EXPECT_FALSE(listed.scars[0].measured("depth_um"));
  EXPECT_FALSE(listed.scars[0].measured("diameter_mm"));
  // The equivalent-area diameter gives the area.
  EXPECT_TRUE(listed.scars[1].measured("area_mm2"));
  EXPECT_NEAR(listed.scars[1].area_mm2, std::numbers::pi, 1e-9);
  EXPECT_EQ(listed.counts().rolling, 5);  // 1 listed + 4 counted only
  EXPECT_EQ(listed.unlisted.rolling, 4);
  // The writer leaves out what was never measured.
  const json written = scar_to_json(listed.scars[0]);
  EXPECT_FALSE(written.contains("depth_um"));
  EXPECT_FALSE(written.contains("confidence"));
  EXPECT_EQ(inventory_to_json(inventory_from_json(inventory_to_json(listed))), inventory_to_json(listed));
}

TEST(Inventory, MergesTheScansOfAVisit) {
  ScarInventory left = inventory_from_json(analysis_document(), "left.analysis.json");
  json right_document = analysis_document();
  right_document["scan"]["file"] = "right.x3p";
  right_document["scan"]["valid_fraction"] = 1.0;
  right_document["scars"].erase(1);
  right_document["counts"]["hypertrophic"] = 0;
  const ScarInventory right = inventory_from_json(right_document, "right.analysis.json");

  const ScarInventory visit = merge_inventories({left, right});
  EXPECT_NEAR(visit.coverage_cm2, 7.2 + 8.0, 1e-9);
  EXPECT_EQ(visit.scans, (std::vector<std::string>{"cheek.x3p", "right.x3p"}));
  ASSERT_EQ(visit.scars.size(), 3u);
  EXPECT_EQ(visit.scars[0].id, 1);
  EXPECT_EQ(visit.scars[1].id, 2);
  EXPECT_EQ(visit.scars[2].id, 3);
  EXPECT_EQ(visit.scars[2].scan, "right.x3p");
  EXPECT_EQ(visit.scars[2].scan_scar_id, 1);
  EXPECT_EQ(visit.scars[1].scan, "cheek.x3p");
  EXPECT_EQ(visit.scars[1].scan_scar_id, 2);
  EXPECT_EQ(visit.counts().ice_pick, 2);

  // Written out and merged again with a third scan, the scars keep where they came from.
  const ScarInventory reread = inventory_from_json(inventory_to_json(visit), "visit.json");
  const ScarInventory bigger = merge_inventories({reread, right});
  ASSERT_EQ(bigger.scars.size(), 4u);
  EXPECT_EQ(bigger.scars[2].scan, "right.x3p");
  EXPECT_EQ(bigger.scars[2].scan_scar_id, 1);
  EXPECT_EQ(bigger.scars[3].id, 4);
  EXPECT_NEAR(bigger.coverage_cm2, 7.2 + 8.0 + 8.0, 1e-9);
}

TEST(Inventory, ReadsAFileAndNamesItInErrors) {
  scarscope::test::TempDir dir;
  scarscope::test::write_text_file(dir / "a.json", analysis_document().dump());
  EXPECT_EQ(read_inventory(dir / "a.json").scars.size(), 2u);
  scarscope::test::write_text_file(dir / "broken.json", "{\"scars\": [");
  try {
    read_inventory(dir / "broken.json");
    FAIL() << "a truncated file was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("broken.json"), std::string::npos);
  }
  EXPECT_THROW(read_inventory(dir / "missing.json"), InputError);
}

TEST(Inventory, BadInputNamesTheField) {
  json document = analysis_document();
  document["scars"][0]["type"] = "keloidish";
  EXPECT_NE(error_of(document).find("visit.json: scars[0].type: 'keloidish' is not a scar type"), std::string::npos);

  document = analysis_document();
  document["scars"][1]["depth_um"] = nullptr;
  document["scars"][0]["depth_um"] = "deep";
  EXPECT_NE(error_of(document).find("scars[0].depth_um: expected a number, found string"), std::string::npos);

  document = analysis_document();
  document["scars"][0].erase("id");
  EXPECT_NE(error_of(document).find("scars[0].id: missing"), std::string::npos);

  document = analysis_document();
  document["scars"][1].erase("type");
  EXPECT_NE(error_of(document).find("scars[1].type: missing"), std::string::npos);

  document = analysis_document();
  document["scars"][1]["id"] = 1;
  EXPECT_NE(error_of(document).find("scars[1].id: 1 is used by another scar"), std::string::npos);

  document = analysis_document();
  document["scars"][0]["area_mm2"] = -1.0;
  EXPECT_NE(error_of(document).find("scars[0].area_mm2"), std::string::npos);

  document = analysis_document();
  document["scars"][0]["height_um"] = 10.0;
  EXPECT_NE(error_of(document).find("scars[0].height_um: only a hypertrophic scar has a height"), std::string::npos);

  document = analysis_document();
  document["counts"]["ice_pick"] = 0;
  EXPECT_NE(error_of(document).find("counts.ice_pick: 0 but \"scars\" lists 1"), std::string::npos);

  document = analysis_document();
  document["counts"]["papular"] = 2;
  EXPECT_NE(error_of(document).find("counts.papular: not a scar type"), std::string::npos);

  document = analysis_document();
  document["counts"]["boxcar"] = 2.5;
  EXPECT_NE(error_of(document).find("counts.boxcar: expected an integer"), std::string::npos);

  document = analysis_document();
  document["scars"][0]["profile"] = "W";
  EXPECT_NE(error_of(document).find("scars[0].profile"), std::string::npos);

  EXPECT_NE(error_of(json::array()).find("expected a JSON object"), std::string::npos);
  EXPECT_NE(error_of(json::object()).find("no \"scars\" list and no \"counts\""), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"({"scars": {"id": 1}})")).find("scars: expected a list"), std::string::npos);
}

TEST(Inventory, ScarTypeNamesRoundTrip) {
  for (const ScarType type : all_scar_types()) EXPECT_EQ(parse_scar_type(scar_type_name(type)), type);
  EXPECT_THROW(parse_scar_type("keloid"), InputError);
}

}  // namespace
}  // namespace scarscope
