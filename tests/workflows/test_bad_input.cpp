// Bad input reaches a workflow as an InputError with a code, never as an exception of the JSON
// library, std::out_of_range or a logic_error: stored results and request bodies are mangled in
// every way a careless or hostile client could (a field removed, given another type, a list
// emptied) and every reader either reads them or says what is wrong.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_fields.h"
#include "core/random.h"
#include "test_support.h"
#include "workflow_fixtures.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"
#include "workflows/visit_grades.h"
#include "workflows/visit_plan.h"

namespace scarscope {
namespace {

using nlohmann::json;

// Every value inside a document, by JSON pointer.
void pointers(const json& node, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) pointers(value, at / key, out);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) pointers(node[i], at / i, out);
  }
}

const std::vector<json> kReplacements{json(nullptr), json("text"), json(-1), json(1e308), json(2.5), json(true),
                                      json::array(), json::object(), json::array({1, 2, 3})};

// Mangles `document` `rounds` times (one field each) and reads each version with `read`.
void every_mangling_is_read_or_refused(const json& document, const std::function<void(const json&)>& read, int rounds) {
  std::vector<json::json_pointer> places;
  pointers(document, json::json_pointer(), places);
  Random random(2026);
  int refused = 0;
  for (int round = 0; round < rounds; ++round) {
    json mangled = document;
    const json::json_pointer& place = places[static_cast<std::size_t>(random.uniform_int(1, static_cast<std::int64_t>(places.size()) - 1))];
    json& parent = mangled.at(place.parent_pointer());
    if (random.chance(0.3) && parent.is_object()) {
      parent.erase(place.back());  // the field left out
    } else {
      mangled.at(place) = kReplacements[static_cast<std::size_t>(random.uniform_int(0, kReplacements.size() - 1))];
    }
    try {
      read(mangled);
    } catch (const InputError& error) {
      ++refused;
      EXPECT_FALSE(std::string(error.what()).empty());
    } catch (const std::exception& error) {
      ADD_FAILURE() << "at " << place.to_string() << ": not an InputError: " << error.what();
      return;
    }
  }
  EXPECT_GT(refused, rounds / 4) << "most manglings of a result cannot be read";
}

TEST(BadInput, MangledStoredResultsAreReadOrRefusedWithAnInputError) {
  const Assessment assessment = analyze_scan(test::visit_scans(4).baseline_input(), {}, test::shipped_knowledge());
  every_mangling_is_read_or_refused(to_json(assessment), [](const json& j) { assessment_from_json(j, "a.json"); }, 400);

  PlanVisitRequest request;
  request.date = CalendarDate::parse("2026-03-02", "date");
  request.assessments = {read_inventory(test::test_data("planning/cheek.analysis.json"))};
  request.patient = read_patient_profile(test::test_data("planning/patient_fitz2.json"), request.date);
  every_mangling_is_read_or_refused(to_json(plan_visit(request, test::shipped_knowledge())),
                                    [](const json& j) { visit_plan_from_json(j, "p.json"); }, 400);
  every_mangling_is_read_or_refused(to_json(grade_visit(request.assessments, std::nullopt, test::shipped_knowledge())),
                                    [](const json& j) { visit_grades_from_json(j, "g.json"); }, 300);

  CompareRequest compare;
  compare.baseline.scan = test::visit_scans(4).baseline_input();
  compare.followup.scan = test::visit_scans(4).followup_input();
  const test::VisitScans scans = test::visit_scans(4);
  compare.baseline.scan = scans.baseline_input();
  compare.followup.scan = scans.followup_input();
  every_mangling_is_read_or_refused(to_json(compare_scans(compare)), [](const json& j) { comparison_from_json(j, "c.json"); }, 400);
}

TEST(BadInput, MangledRequestBodiesAreReadOrRefusedWithAnInputError) {
  const json patient = read_json_file(test::test_data("planning/patient_fitz2.json"));
  const CalendarDate today = CalendarDate::parse("2026-03-02", "date");
  every_mangling_is_read_or_refused(patient, [&](const json& j) { patient_profile_from_json(j, "patient", today); }, 200);
  const json clinician = read_json_file(test::test_data("planning/clinician.json"));
  every_mangling_is_read_or_refused(clinician, [](const json& j) { clinician_inputs_from_json(j, "exam"); }, 200);
  const json inventory = read_json_file(test::test_data("planning/cheek.analysis.json"));
  every_mangling_is_read_or_refused(inventory, [](const json& j) { inventory_from_json(j, "scars"); }, 300);
}

TEST(BadInput, ScansThatAreNotScansAreRefusedWithACode) {
  const std::string junk = "PK\x03\x04 this is no zip";
  const std::vector<std::byte> bytes = test::as_bytes(junk);
  try {
    analyze_scan(ScanInput::memory(bytes, "junk.x3p"), {}, test::shipped_knowledge());
    FAIL() << "junk analysed";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("junk.x3p"), std::string::npos) << error.what();
  }
  try {
    analyze_scan(ScanInput{}, {}, test::shipped_knowledge());
    FAIL() << "no scan analysed";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::missing_field);
  }
}

}  // namespace
}  // namespace scarscope
