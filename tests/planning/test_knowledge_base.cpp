// The treatment knowledge base: every number carries its evidence, what CLINICAL.md marks
// UNCONFIRMED says so, and a clinic override changes the plan without a rebuild.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "planning_support.h"
#include "test_support.h"

namespace scarscope::test {
namespace {

using nlohmann::json;

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// Every number must be the "value" of an object that also has a non-empty "evidence" list, or the
// "value" an evidence entry gives itself (next to its citation).
void check_numbers(const json& node, const std::string& path, bool inside_value, std::vector<std::string>& bare) {
  if (node.is_number()) {
    if (!inside_value) bare.push_back(path);
    return;
  }
  if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) check_numbers(node[i], path + "[" + std::to_string(i) + "]", inside_value, bare);
    return;
  }
  if (!node.is_object()) return;
  const bool sourced = (node.contains("value") && node.contains("evidence") && node["evidence"].is_array() &&
                        !node["evidence"].empty()) ||
                       (node.contains("value") && node.contains("citation"));
  for (const auto& [key, value] : node.items()) {
    check_numbers(value, path + "." + key, inside_value || (sourced && key == "value"), bare);
  }
}

TEST(KnowledgeBase, EveryNumberHasItsEvidence) {
  for (const char* file : {"treatments.json", "planning_rules.json"}) {
    std::vector<std::string> bare;
    check_numbers(read_json(test_kb_dir() / file), file, false, bare);
    EXPECT_TRUE(bare.empty()) << file << ": numbers without evidence, first: " << (bare.empty() ? "" : bare.front());
  }
}

TEST(KnowledgeBase, EveryModalityOfTheVocabularyIsThere) {
  for (const char* id : {"tca_cross", "punch_excision", "punch_elevation", "punch_graft", "subcision", "microneedling",
                         "microneedling_prp", "microneedling_rf", "fractional_co2", "fractional_erbium",
                         "nonablative_fractional", "chemical_peel_superficial", "chemical_peel_medium",
                         "chemical_peel_deep", "dermabrasion", "ablative_resurfacing_full", "filler_ha", "filler_pmma",
                         "filler_plla", "fat_graft", "intralesional_steroid", "intralesional_5fu", "pulsed_dye_laser",
                         "psychological_counselling", "acne_treatment_first"}) {
    EXPECT_TRUE(knowledge_base().modalities.count(id)) << id;
  }
}

TEST(KnowledgeBase, RequirementsFromClinicalFacts) {
  const KnowledgeBase& kb = knowledge_base();
  EXPECT_EQ(kb.modality("punch_excision").requirements.max_diameter_mm.at("*").value->max, 3.5);
  EXPECT_TRUE(kb.modality("punch_elevation").requirements.normal_base);
  EXPECT_TRUE(kb.modality("subcision").requirements.distensible_or_tethered);
  EXPECT_TRUE(kb.modality("filler_ha").requirements.distensible_or_tethered);
  const auto& never = kb.modality("filler_ha").requirements.never_for;
  EXPECT_NE(std::find(never.begin(), never.end(), "ice_pick"), never.end());
  EXPECT_EQ(kb.modality("intralesional_steroid").requirements.only_for, std::vector<std::string>{"hypertrophic"});
  EXPECT_EQ(kb.threshold_min("punch_min_weeks_between_sessions"), 4);
  EXPECT_EQ(kb.threshold_min("punch_min_spacing_mm"), 4);
  EXPECT_EQ(kb.threshold_max("punch_min_spacing_mm"), 5);
  EXPECT_EQ(kb.threshold_min("distress_referral_min"), 8);
  EXPECT_EQ(kb.threshold_min("distress_referral_max_grade"), 2);
}

TEST(KnowledgeBase, IsotretinoinWaitsArePerModalityAndDisputesFlagged) {
  const KnowledgeBase& kb = knowledge_base();
  EXPECT_EQ(kb.modality("dermabrasion").isotretinoin.wait_months.value->max, 6);
  EXPECT_EQ(kb.modality("ablative_resurfacing_full").isotretinoin.wait_months.value->max, 6);
  EXPECT_EQ(kb.modality("chemical_peel_superficial").isotretinoin.wait_months.value->max, 0);
  EXPECT_EQ(kb.modality("nonablative_fractional").isotretinoin.wait_months.value->max, 0);
  EXPECT_TRUE(kb.modality("fractional_co2").isotretinoin.disputed);
  EXPECT_TRUE(kb.modality("fractional_erbium").isotretinoin.disputed);
  EXPECT_FALSE(kb.modality("dermabrasion").isotretinoin.disputed);
}

TEST(KnowledgeBase, UnconfirmedItemsAreMarkedUnconfirmed) {
  const KnowledgeBase& kb = knowledge_base();
  const auto all_unconfirmed = [](const SourcedValue& v) {
    return !v.evidence.empty() &&
           std::none_of(v.evidence.begin(), v.evidence.end(), [](const Evidence& e) { return e.confirmed; });
  };
  // CLINICAL.md: Er:YAG and non-ablative protocols, peels, dermabrasion are UNCONFIRMED.
  EXPECT_TRUE(all_unconfirmed(kb.modality("fractional_erbium").sessions));
  EXPECT_TRUE(all_unconfirmed(kb.modality("nonablative_fractional").sessions));
  EXPECT_TRUE(all_unconfirmed(kb.modality("chemical_peel_medium").downtime_days));
  EXPECT_TRUE(all_unconfirmed(kb.modality("dermabrasion").downtime_days));
  EXPECT_TRUE(all_unconfirmed(kb.modality("tca_cross").downtime_days));
  EXPECT_TRUE(all_unconfirmed(kb.threshold("narrow_boxcar_max_diameter_mm")));
  // The pregnancy rule rests on no retrieved source; the anticoagulant rule on Otley 2003 (retrieved)
  // and an analogy that is not.
  for (const auto& e : kb.rule("pregnancy").evidence) EXPECT_FALSE(e.confirmed);
  EXPECT_TRUE(kb.rule("anticoagulants").evidence.front().confirmed);
  EXPECT_FALSE(kb.rule("anticoagulants").evidence.back().confirmed);
  // Neither isotretinoin paper addresses TCA CROSS: its no-wait stays unconfirmed.
  for (const auto& e : kb.modality("tca_cross").isotretinoin.wait_months.evidence) EXPECT_FALSE(e.confirmed);
  EXPECT_TRUE(kb.modality("tca_cross").isotretinoin.not_addressed);
  // A retrieved RCT stays confirmed.
  EXPECT_TRUE(kb.modality("fractional_co2").hsv_prophylaxis);
  EXPECT_TRUE(kb.rule("hsv_prophylaxis").evidence.front().confirmed);
  EXPECT_EQ(kb.rule("hsv_prophylaxis").evidence.front().kind, "rct");
}

TEST(KnowledgeBase, ClinicOverrideChangesNumbersAndRestrictsModalities) {
  TempDir dir;
  write_text_file(dir / "clinic.json", R"({
    "clinic": "Test clinic",
    "available_modalities": ["tca_cross", "microneedling", "subcision"],
    "modalities": {"tca_cross": {"sessions": {"value": [4, 8]}}}
  })");
  const KnowledgeBase kb = load_knowledge_base(test_kb_dir(), dir / "clinic.json");
  EXPECT_EQ(kb.clinic_name, "Test clinic");
  EXPECT_EQ(kb.modality("tca_cross").sessions.value->min, 4);
  EXPECT_EQ(kb.modality("tca_cross").sessions.value->max, 8);
  EXPECT_FALSE(kb.modality("tca_cross").sessions.evidence.empty()) << "a merge patch keeps the evidence";
  PlanRequest request = request_for({ice_pick(1, 5, 5)}, healthy_patient());
  const Plan plan = make_plan(request, kb);
  EXPECT_EQ(plan.find_item("tca_cross")->sessions->min, 4);
  EXPECT_TRUE(plan.has_item("microneedling"));
  EXPECT_FALSE(plan.has_item("fractional_co2"));
  EXPECT_EQ(plan.clinic, "Test clinic");
}

TEST(KnowledgeBase, BadOverrideNamesTheField) {
  TempDir dir;
  write_text_file(dir / "typo.json", R"({"available_modalities": ["tca_cros"]})");
  try {
    load_knowledge_base(test_kb_dir(), dir / "typo.json");
    FAIL() << "typo accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tca_cros"), std::string::npos);
  }
  write_text_file(dir / "kind.json", R"({"modalities": {"subcision": {"sessions": {"evidence": [{"citation": "x", "kind": "anecdote", "confirmed": true}]}}}})");
  try {
    load_knowledge_base(test_kb_dir(), dir / "kind.json");
    FAIL() << "bad evidence kind accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("modalities.subcision.sessions.evidence[0].kind"), std::string::npos) << e.what();
  }
  write_text_file(dir / "unknown.json", R"({"modalities": {"subcision": {"sesions": {"value": 2}}}})");
  EXPECT_THROW(load_knowledge_base(test_kb_dir(), dir / "unknown.json"), InputError);
}

TEST(CalendarDate, ParsesAndAddsMonthsSafely) {
  EXPECT_EQ(CalendarDate::parse("2026-08-31", "t").plus_months(6).to_string(), "2027-02-28");
  EXPECT_EQ(CalendarDate::parse("2026-03-02", "t").plus_weeks(4).to_string(), "2026-03-30");
  EXPECT_THROW(CalendarDate::parse("2026-02-30", "t"), InputError);
  EXPECT_THROW(CalendarDate::parse("2026/02/03", "t"), InputError);
}

}  // namespace
}  // namespace scarscope::test
