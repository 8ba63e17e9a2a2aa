// One test per rule: the same patient planned with the rule and without it (PlanRequest::
// disabled_rules). Each test fails if its rule stops doing what its source says.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "planning_support.h"

namespace scarscope::test {
namespace {

Plan without(PlanRequest request, const std::string& rule) {
  request.disabled_rules.insert(rule);
  return plan_for(request);
}

bool has_referral(const Plan& plan) { return !plan.referrals.empty(); }

TEST(Rule, EveryRuleHasItsSourceInTheKnowledgeBase) {
  for (const auto& id : planning_rule_ids()) {
    const RuleInfo& info = knowledge_base().rule(id);
    EXPECT_FALSE(info.title.empty()) << id;
    EXPECT_FALSE(info.evidence.empty()) << id;
  }
}

TEST(Rule, ScarMorphologySplitsShallowFromDeepBoxcar) {
  const PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, healthy_patient());
  EXPECT_FALSE(plan_for(request).has_item("tca_cross"));
  EXPECT_TRUE(without(request, "scar_morphology").has_item("tca_cross"));
  EXPECT_TRUE(plan_for(request).fired("scar_morphology"));
}

TEST(Rule, BddScreenRefers) {
  PatientProfile patient = healthy_patient();
  patient.bdd_screen_positive = true;
  const PlanRequest request = request_for({rolling(1, 5, 5)}, patient);
  EXPECT_EQ(plan_for(request).status, PlanStatus::refer);
  EXPECT_EQ(without(request, "bdd_screen").status, PlanStatus::plan);
}

TEST(Rule, ActiveInfectionDefers) {
  PatientProfile patient = healthy_patient();
  patient.active_skin_infection = true;
  const PlanRequest request = request_for({rolling(1, 5, 5)}, patient);
  EXPECT_EQ(plan_for(request).status, PlanStatus::defer);
  EXPECT_EQ(without(request, "active_infection").status, PlanStatus::plan);
}

TEST(Rule, ActiveColdSoreDefers) {
  PatientProfile patient = healthy_patient();
  patient.active_cold_sore = true;
  const PlanRequest request = request_for({rolling(1, 5, 5)}, patient);
  EXPECT_EQ(plan_for(request).status, PlanStatus::defer);
  EXPECT_EQ(without(request, "active_cold_sore").status, PlanStatus::plan);
}

TEST(Rule, PregnancyDefers) {
  PatientProfile patient = healthy_patient();
  patient.pregnant_or_breastfeeding = true;
  const PlanRequest request = request_for({rolling(1, 5, 5)}, patient);
  EXPECT_EQ(plan_for(request).status, PlanStatus::defer);
  EXPECT_EQ(without(request, "pregnancy").status, PlanStatus::plan);
}

TEST(Rule, SevereActiveAcneDefers) {
  PatientProfile patient = healthy_patient();
  patient.active_acne = AcneActivity::severe;
  const PlanRequest request = request_for({rolling(1, 5, 5)}, patient);
  EXPECT_EQ(plan_for(request).status, PlanStatus::defer);
  EXPECT_EQ(without(request, "active_acne").status, PlanStatus::plan);
}

TEST(Rule, CapabilitiesRestrictModalities) {
  PatientProfile patient = healthy_patient();
  patient.available_modalities = std::vector<std::string>{"microneedling"};
  const PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, patient);
  EXPECT_FALSE(plan_for(request).has_item("fractional_co2"));
  EXPECT_TRUE(plan_for(request).has_item("microneedling"));
  EXPECT_TRUE(without(request, "capabilities").has_item("fractional_co2"));
}

TEST(Rule, KeloidHistoryBlocksExcision) {
  PatientProfile patient = healthy_patient();
  patient.keloid_history = true;
  const PlanRequest request = request_for({deep_boxcar(1, 3.3, 5, 5)}, patient);
  EXPECT_FALSE(plan_for(request).has_item("punch_excision"));
  EXPECT_TRUE(without(request, "keloid").has_item("punch_excision"));
}

TEST(Rule, DarkSkinChangesResurfacing) {
  PatientProfile patient = healthy_patient();
  patient.fitzpatrick = 6;
  const PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, patient);
  EXPECT_FALSE(plan_for(request).has_item("fractional_co2"));
  EXPECT_TRUE(without(request, "fitzpatrick_dark").has_item("fractional_co2"));
}

TEST(Rule, PigmentPrimingIsScheduledBeforeWhatItProtects) {
  PatientProfile patient = healthy_patient();
  patient.fitzpatrick = 5;
  const PlanRequest request = request_for({ice_pick(1, 5, 5)}, patient);
  const Plan plan = plan_for(request);
  EXPECT_TRUE(plan.has_item("pigment_priming"));
  const Plan unprimed = without(request, "pigment_priming");
  EXPECT_FALSE(unprimed.has_item("pigment_priming"));
  for (const auto& s : unprimed.schedule) {
    if (s.modality == "tca_cross" && s.session == 1) {
      EXPECT_EQ(s.date, unprimed.date);
    }
  }
}

TEST(Rule, DowntimeLimit) {
  PatientProfile patient = healthy_patient();
  patient.max_downtime_days = 2;
  const PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, patient);
  EXPECT_FALSE(plan_for(request).has_item("fractional_co2"));
  EXPECT_TRUE(without(request, "downtime_limit").has_item("fractional_co2"));
}

TEST(Rule, IsotretinoinWaitingPeriod) {
  PatientProfile patient = healthy_patient();
  patient.isotretinoin = IsotretinoinStatus::current;
  patient.available_modalities = std::vector<std::string>{"dermabrasion"};
  const PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, patient);
  const Plan plan = plan_for(request);
  EXPECT_FALSE(plan.has_item("dermabrasion"));
  EXPECT_EQ(plan.status, PlanStatus::defer) << "the only suitable procedure must wait";
  EXPECT_TRUE(without(request, "isotretinoin").has_item("dermabrasion"));
}

TEST(Rule, FirstLineByType) {
  const PlanRequest request = request_for({ice_pick(1, 5, 5)}, healthy_patient());
  EXPECT_TRUE(plan_for(request).has_item("tca_cross"));
  EXPECT_FALSE(without(request, "first_line_by_type").has_item("tca_cross"));
}

TEST(Rule, HypertrophicInjections) {
  const PlanRequest request = request_for({hypertrophic(1, 5, 5)}, healthy_patient());
  EXPECT_TRUE(plan_for(request).has_item("intralesional_steroid"));
  EXPECT_FALSE(without(request, "hypertrophic_injections").has_item("intralesional_steroid"));
}

TEST(Rule, ErythemaVascularLaser) {
  PlanRequest request = request_for({}, healthy_patient(), 1, 1);
  request.clinician.macular_erythematous = 4;
  EXPECT_TRUE(plan_for(request).has_item("pulsed_dye_laser"));
  EXPECT_FALSE(without(request, "erythema_vascular").has_item("pulsed_dye_laser"));
}

TEST(Rule, CombinationAddsResurfacing) {
  const PlanRequest request = request_for({ice_pick(1, 5, 5)}, healthy_patient());
  EXPECT_TRUE(plan_for(request).has_item("fractional_co2"));
  EXPECT_FALSE(without(request, "combination_resurfacing").has_item("fractional_co2"));
}

TEST(Rule, IcePickNeverResurfacingAlone) {
  PatientProfile patient = healthy_patient();
  patient.available_modalities = std::vector<std::string>{"fractional_co2"};
  const PlanRequest request = request_for({ice_pick(1, 5, 5)}, patient);
  EXPECT_FALSE(plan_for(request).has_item("fractional_co2"));
  EXPECT_TRUE(without(request, "ice_pick_not_resurfacing_alone").has_item("fractional_co2"));
}

TEST(Rule, FillersAfterRelease) {
  const PlanRequest request = request_for({rolling(1, 5, 5)}, healthy_patient());
  EXPECT_TRUE(plan_for(request).has_item("filler_ha"));
  EXPECT_FALSE(without(request, "fillers_after_release").has_item("filler_ha"));
}

TEST(Rule, AnticoagulantsWarning) {
  PatientProfile patient = healthy_patient();
  patient.anticoagulants = true;
  const PlanRequest request = request_for({rolling(1, 5, 5)}, patient);
  EXPECT_TRUE(plan_for(request).has_warning("anticoagulants_bruising"));
  EXPECT_FALSE(without(request, "anticoagulants").has_warning("anticoagulants_bruising"));
}

TEST(Rule, HsvProphylaxis) {
  const PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, healthy_patient());
  EXPECT_TRUE(plan_for(request).has_warning("hsv_prophylaxis"));
  EXPECT_FALSE(without(request, "hsv_prophylaxis").has_warning("hsv_prophylaxis"));
}

TEST(Rule, StagingOrderPutsFocalBeforeResurfacing) {
  const PlanRequest request = request_for({ice_pick(1, 5, 5)}, healthy_patient());
  const Plan plan = plan_for(request);
  EXPECT_LT(plan.stage_of("tca_cross"), plan.stage_of("fractional_co2"));
  const Plan flat = without(request, "staging_order");
  EXPECT_EQ(flat.stage_of("tca_cross"), flat.stage_of("fractional_co2"));
}

TEST(Rule, PunchSpacing) {
  const PlanRequest request = request_for({deep_boxcar(1, 3.3, 10, 10), deep_boxcar(2, 3.3, 12, 10)}, healthy_patient());
  EXPECT_EQ(plan_for(request).find_item("punch_excision")->sessions->min, 2);
  EXPECT_EQ(without(request, "punch_spacing").find_item("punch_excision")->sessions->min, 1);
}

TEST(Rule, SessionIntervalsEnforced) {
  const PlanRequest request = request_for({ice_pick(1, 5, 5)}, healthy_patient());
  EXPECT_TRUE(intervals_respected(plan_for(request), knowledge_base(), nullptr));
  EXPECT_FALSE(intervals_respected(without(request, "session_intervals"), knowledge_base(), nullptr));
}

TEST(Rule, ExpectationsAlwaysStated) {
  const PlanRequest request = request_for({rolling(1, 5, 5)}, healthy_patient());
  EXPECT_TRUE(plan_for(request).expected_improvement_pct.has_value());
  EXPECT_FALSE(without(request, "expectations").expected_improvement_pct.has_value());
}

TEST(Rule, DistressMismatchReferral) {
  PatientProfile patient = healthy_patient();
  patient.distress_0_10 = 8;
  const PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, patient, 1, 2);
  EXPECT_TRUE(has_referral(plan_for(request)));
  EXPECT_FALSE(has_referral(without(request, "distress_mismatch")));
}

TEST(Rule, DistressThresholdIsInclusiveAndGradeRangeUsesItsWorstCase) {
  PatientProfile patient = healthy_patient();
  patient.distress_0_10 = 7.9;
  EXPECT_FALSE(has_referral(plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient, 2, 2))));
  patient.distress_0_10 = 8;
  EXPECT_FALSE(has_referral(plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient, 2, 3))))
      << "a 2-3 range may be moderate scarring: no mismatch claimed";
}

TEST(Rule, StatusPrecedence) {
  PatientProfile patient = healthy_patient();
  patient.bdd_screen_positive = true;
  patient.active_cold_sore = true;
  const PlanRequest request = request_for({rolling(1, 5, 5)}, patient);
  EXPECT_EQ(plan_for(request).status, PlanStatus::refer);
  EXPECT_NE(without(request, "status_precedence").status, PlanStatus::refer);
}

TEST(Rule, UnknownRuleOrRegionIsAnInputError) {
  PlanRequest request = request_for({rolling(1, 5, 5)}, healthy_patient());
  request.disabled_rules.insert("no_such_rule");
  EXPECT_THROW(plan_for(request), InputError);
  request.disabled_rules.clear();
  request.region = "forehead";
  EXPECT_THROW(plan_for(request), InputError);
  request.region = "face";
  request.patient.available_modalities = std::vector<std::string>{"laser_magic"};
  try {
    plan_for(request);
    FAIL() << "unknown modality accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("available_modalities"), std::string::npos);
  }
}

TEST(Rule, ExplanationNamesWhyAndTheSource) {
  PatientProfile patient = healthy_patient();
  patient.keloid_history = true;
  const Plan plan = plan_for(request_for({deep_boxcar(1, 3.3, 5, 5)}, patient));
  const std::string text = plan_to_text(plan, true);
  EXPECT_NE(text.find("Rules that fired"), std::string::npos);
  EXPECT_NE(text.find("keloid"), std::string::npos);
  EXPECT_NE(text.find("Lemperle"), std::string::npos);
  EXPECT_NE(text.find("never an order"), std::string::npos);
  EXPECT_EQ(plan_to_text(plan, false).find("Rules that fired"), std::string::npos);
}

}  // namespace
}  // namespace scarscope::test
