// Clinical vignettes written from shared/CLINICAL.md: each is a patient story with what the plan
// must and must not contain, its status, warnings and referrals.
#include <gtest/gtest.h>

#include <algorithm>

#include "planning_support.h"

namespace scarscope::test {
namespace {

bool targets(const Plan& plan, const std::string& modality, int scar_id) {
  const PlanItem* item = plan.find_item(modality);
  return item && std::find(item->target_scar_ids.begin(), item->target_scar_ids.end(), scar_id) != item->target_scar_ids.end();
}

bool referred_to_counselling(const Plan& plan) {
  return std::find(plan.referrals.begin(), plan.referrals.end(), "psychological_counselling") != plan.referrals.end();
}

bool scheduled(const Plan& plan, const std::string& modality) {
  return std::any_of(plan.schedule.begin(), plan.schedule.end(),
                     [&](const ScheduledSession& s) { return s.modality == modality; });
}

// 1. Jacob 2001 / fact 2-3: ice pick scars get TCA CROSS, combined with resurfacing; never fillers.
TEST(Vignette, IcePickScarsGetCrossThenResurfacingNeverFiller) {
  const Plan plan = plan_for(request_for({ice_pick(1, 5, 5), ice_pick(2, 15, 5), ice_pick(3, 25, 5)}, healthy_patient()));
  EXPECT_EQ(plan.status, PlanStatus::plan);
  for (int id : {1, 2, 3}) EXPECT_TRUE(targets(plan, "tca_cross", id));
  EXPECT_TRUE(plan.has_item("fractional_co2")) << "combination beats single treatment";
  EXPECT_LT(plan.stage_of("tca_cross"), plan.stage_of("fractional_co2"));
  for (const char* filler : {"filler_ha", "filler_pmma", "filler_plla", "fat_graft"}) EXPECT_FALSE(plan.has_item(filler));
  EXPECT_TRUE(plan.referrals.empty());
  const PlanItem* cross = plan.find_item("tca_cross");
  ASSERT_TRUE(cross && cross->sessions);
  EXPECT_EQ(cross->sessions->min, 3);
  EXPECT_EQ(cross->sessions->max, 6);
  expect_sound_plan(plan);
}

// 2. Punch elevation needs a normal-looking base (clinician input).
TEST(Vignette, DeepBoxcarWithNormalBaseIsElevated) {
  PlanRequest request = request_for({deep_boxcar(1, 3.2, 5, 5), deep_boxcar(2, 3.2, 20, 5)}, healthy_patient());
  request.clinician.scars[1].normal_base = true;
  request.clinician.scars[2].normal_base = false;
  const Plan plan = plan_for(request);
  EXPECT_TRUE(targets(plan, "punch_elevation", 1));
  EXPECT_FALSE(targets(plan, "punch_elevation", 2));
  EXPECT_TRUE(targets(plan, "punch_excision", 2)) << "3.2 mm deep boxcar without a normal base: punch excision";
  EXPECT_FALSE(targets(plan, "punch_excision", 1));
  expect_sound_plan(plan);
}

// 3. Width decides: TCA CROSS for narrow deep boxcar, punch excision up to 3.5 mm, grafting beyond.
TEST(Vignette, DeepBoxcarByWidth) {
  const Plan plan = plan_for(request_for(
      {deep_boxcar(1, 2.5, 5, 5), deep_boxcar(2, 3.3, 20, 5), deep_boxcar(3, 3.9, 35, 5)}, healthy_patient()));
  EXPECT_TRUE(targets(plan, "tca_cross", 1));
  EXPECT_TRUE(targets(plan, "punch_excision", 2));
  EXPECT_FALSE(targets(plan, "punch_excision", 3)) << "punch excision only up to 3.5 mm";
  EXPECT_TRUE(targets(plan, "punch_graft", 3));
  expect_sound_plan(plan);
}

// 4. Rolling scars: subcision before resurfacing and before fillers.
TEST(Vignette, RollingScarsSubcisionThenResurfacingThenFiller) {
  const Plan plan = plan_for(request_for({rolling(1, 5, 5), rolling(2, 20, 5)}, healthy_patient(), 3, 3));
  EXPECT_EQ(plan.status, PlanStatus::plan);
  EXPECT_TRUE(targets(plan, "subcision", 1));
  EXPECT_TRUE(targets(plan, "filler_ha", 2));
  ASSERT_TRUE(plan.has_item("fractional_co2"));
  EXPECT_LT(plan.stage_of("subcision"), plan.stage_of("fractional_co2"));
  EXPECT_LT(plan.stage_of("subcision"), plan.stage_of("filler_ha"));
  EXPECT_FALSE(plan.has_item("tca_cross"));
  EXPECT_FALSE(plan.has_item("punch_excision"));
  expect_sound_plan(plan);
}

// 5. A rolling scar that neither flattens on stretching nor is tethered: no subcision, no filler.
TEST(Vignette, NonDistensibleUntetheredScarGetsNoSubcisionOrFiller) {
  PlanRequest request = request_for({rolling(1, 5, 5)}, healthy_patient());
  request.clinician.scars[1].stretch_flattens = false;
  request.clinician.scars[1].tethered = false;
  const Plan plan = plan_for(request);
  EXPECT_FALSE(plan.has_item("subcision"));
  EXPECT_FALSE(plan.has_item("filler_ha"));
  EXPECT_TRUE(plan.has_item("fractional_co2"));
}

// 6. Shallow boxcar texture in light skin: fractional laser, no focal work.
TEST(Vignette, ShallowBoxcarLightSkinFractionalLaser) {
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5), shallow_boxcar(2, 20, 5)}, healthy_patient(), 3, 3));
  EXPECT_EQ(planned_modalities(plan), std::vector<std::string>{"fractional_co2"});
  EXPECT_TRUE(plan.has_warning("hsv_prophylaxis")) << "ablative laser calls for HSV prophylaxis";
  ASSERT_TRUE(plan.expected_improvement_pct);
  EXPECT_EQ(plan.expected_improvement_pct->min, 25) << "the laser's own figure (Indian series), not a generic range";
  EXPECT_EQ(plan.expected_improvement_pct->max, 50);
  expect_sound_plan(plan);
}

// 7. Fitzpatrick V (fact 7): microneedling first; no medium/deep peels, dermabrasion, full ablation; priming.
TEST(Vignette, DarkSkinPrefersMicroneedlingAndExcludesRiskyResurfacing) {
  PatientProfile patient = healthy_patient();
  patient.fitzpatrick = 5;
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5), rolling(2, 20, 5)}, patient));
  EXPECT_TRUE(plan.has_item("microneedling"));
  EXPECT_FALSE(plan.has_item("fractional_co2"));
  for (const char* id : {"chemical_peel_medium", "chemical_peel_deep", "dermabrasion", "ablative_resurfacing_full"}) {
    EXPECT_FALSE(plan.has_item(id));
    ASSERT_NE(plan.find_exclusion(id), nullptr) << id;
    EXPECT_NE(plan.find_exclusion(id)->reason.find("Fitzpatrick 5"), std::string::npos);
  }
  EXPECT_TRUE(plan.has_warning("pigmentation_priming"));
  EXPECT_FALSE(plan.has_warning("hsv_prophylaxis")) << "microneedling needs no HSV prophylaxis";
  expect_sound_plan(plan);
}

// 8. Hypertrophic scars on the chest: TAC + 5-FU + PDL; the chest is keloid-prone.
TEST(Vignette, HypertrophicChestScarsInjectionsAndPdl) {
  PlanRequest request = request_for({hypertrophic(1, 5, 5), hypertrophic(2, 20, 5)}, healthy_patient());
  request.region = "chest";
  const Plan plan = plan_for(request);
  EXPECT_EQ(plan.status, PlanStatus::plan);
  for (const char* id : {"intralesional_steroid", "intralesional_5fu", "pulsed_dye_laser"}) {
    EXPECT_TRUE(targets(plan, id, 1)) << id;
  }
  EXPECT_FALSE(plan.has_item("punch_excision"));
  EXPECT_FALSE(plan.has_item("fractional_co2"));
  EXPECT_TRUE(plan.has_warning("keloid_test_spot"));
  // TAC, 5-FU and PDL may share a day (Asilian 2006).
  int first_day = 0;
  for (const auto& s : plan.schedule) first_day += s.date == plan.date ? 1 : 0;
  EXPECT_EQ(first_day, 3);
  expect_sound_plan(plan);
}

// 9. Erythematous macular scars (clinician count): pulsed dye laser only.
TEST(Vignette, ErythematousMacularScarsVascularLaser) {
  PlanRequest request = request_for({}, healthy_patient(), 1, 1);
  request.clinician.macular_erythematous = 12;
  const Plan plan = plan_for(request);
  EXPECT_EQ(plan.status, PlanStatus::plan);
  EXPECT_EQ(planned_modalities(plan), std::vector<std::string>{"pulsed_dye_laser"});
  EXPECT_NE(plan.find_item("pulsed_dye_laser")->notes.find("12 erythematous"), std::string::npos);
}

// 10. Severe (nodulocystic) acne: defer, acne first, no procedure scheduled.
TEST(Vignette, SevereActiveAcneDefers) {
  PatientProfile patient = healthy_patient();
  patient.active_acne = AcneActivity::severe;
  const Plan plan = plan_for(request_for({ice_pick(1, 5, 5), rolling(2, 20, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::defer);
  EXPECT_EQ(planned_modalities(plan), std::vector<std::string>{"acne_treatment_first"});
  ASSERT_NE(plan.find_exclusion("tca_cross"), nullptr);
  EXPECT_NE(plan.find_exclusion("tca_cross")->reason.find("acne"), std::string::npos);
  EXPECT_FALSE(scheduled(plan, "tca_cross"));
  EXPECT_TRUE(scheduled(plan, "acne_treatment_first"));
}

// 11. Moderate acne: acne treatment is stage 1, procedures after; the sources' disagreement is said.
TEST(Vignette, ModerateAcneTreatAcneFirstThenProcedures) {
  PatientProfile patient = healthy_patient();
  patient.active_acne = AcneActivity::moderate;
  const Plan plan = plan_for(request_for({rolling(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::plan);
  ASSERT_FALSE(plan.stages.empty());
  EXPECT_EQ(plan.stages.front().items.front().modality, "acne_treatment_first");
  EXPECT_TRUE(plan.has_item("subcision"));
  EXPECT_TRUE(plan.has_warning("active_acne_sources_disagree"));
  for (const auto& s : plan.schedule) {
    if (s.modality != "acne_treatment_first") {
      EXPECT_GE(s.date, plan.date.plus_weeks(12)) << s.modality;
    }
  }
}

// 12. Mild acne: a warning, not a block.
TEST(Vignette, MildAcneWarnsButPlans) {
  PatientProfile patient = healthy_patient();
  patient.active_acne = AcneActivity::mild;
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::plan);
  EXPECT_TRUE(plan.has_warning("mild_active_acne"));
  EXPECT_FALSE(plan.has_item("acne_treatment_first"));
}

// 13. Active cold sore: reschedule (defer), nothing scheduled.
TEST(Vignette, ActiveColdSoreDefers) {
  PatientProfile patient = healthy_patient();
  patient.active_cold_sore = true;
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::defer);
  EXPECT_TRUE(plan.stages.empty());
  EXPECT_TRUE(plan.schedule.empty());
  ASSERT_NE(plan.find_exclusion("fractional_co2"), nullptr);
  EXPECT_NE(plan.find_exclusion("fractional_co2")->reason.find("cold sore"), std::string::npos);
}

// 14. Active skin infection: defer.
TEST(Vignette, ActiveSkinInfectionDefers) {
  PatientProfile patient = healthy_patient();
  patient.active_skin_infection = true;
  const Plan plan = plan_for(request_for({rolling(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::defer);
  EXPECT_FALSE(plan.has_item("subcision"));
  EXPECT_TRUE(std::any_of(plan.reasons.begin(), plan.reasons.end(),
                          [](const std::string& r) { return r.find("infection") != std::string::npos; }));
}

// 15. Pregnancy: defer elective procedures, never retinoid priming.
TEST(Vignette, PregnancyDefersAndForbidsRetinoidPriming) {
  PatientProfile patient = healthy_patient();
  patient.pregnant_or_breastfeeding = true;
  patient.fitzpatrick = 4;
  const Plan plan = plan_for(request_for({ice_pick(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::defer);
  EXPECT_TRUE(plan.has_warning("no_retinoid_priming"));
  EXPECT_FALSE(plan.has_item("tca_cross"));
}

// 16. Keloid history (fact 8): no excisional or ablative work, no dermabrasion; microneedling flagged; test spot.
TEST(Vignette, KeloidHistoryAvoidsExcisionAndAblation) {
  PatientProfile patient = healthy_patient();
  patient.keloid_history = true;
  const Plan plan = plan_for(request_for({ice_pick(1, 5, 5), deep_boxcar(2, 3.3, 20, 5), shallow_boxcar(3, 35, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::plan);
  for (const char* id : {"punch_excision", "punch_elevation", "punch_graft", "fractional_co2", "fractional_erbium",
                         "dermabrasion", "ablative_resurfacing_full"}) {
    EXPECT_FALSE(plan.has_item(id)) << id;
  }
  EXPECT_TRUE(targets(plan, "tca_cross", 1));
  ASSERT_NE(plan.find_exclusion("punch_excision"), nullptr);
  EXPECT_NE(plan.find_exclusion("punch_excision")->reason.find("keloid"), std::string::npos);
  EXPECT_TRUE(plan.has_warning("keloid_test_spot"));
  EXPECT_TRUE(plan.has_item("microneedling_rf")) << "non-ablative resurfacing instead of fractional lasers";
  EXPECT_TRUE(plan.has_warning("keloid_microneedling"));
}

// 17. The jawline is keloid-prone even without a keloid history.
TEST(Vignette, JawlineIsKeloidProne) {
  PlanRequest request = request_for({deep_boxcar(1, 3.3, 5, 5)}, healthy_patient());
  request.region = "jawline";
  const Plan plan = plan_for(request);
  EXPECT_FALSE(plan.has_item("punch_excision"));
  ASSERT_NE(plan.find_exclusion("punch_excision"), nullptr);
  EXPECT_NE(plan.find_exclusion("punch_excision")->reason.find("jawline"), std::string::npos);
}

// 18. Isotretinoin now (fact 5): no dermabrasion or full ablation; fractional ablative is disputed.
TEST(Vignette, CurrentIsotretinoinPerModality) {
  PatientProfile patient = healthy_patient();
  patient.isotretinoin = IsotretinoinStatus::current;
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::plan) << "no flat block: other modalities stay possible";
  ASSERT_NE(plan.find_exclusion("dermabrasion"), nullptr);
  EXPECT_NE(plan.find_exclusion("dermabrasion")->reason.find("isotretinoin"), std::string::npos);
  ASSERT_NE(plan.find_exclusion("ablative_resurfacing_full"), nullptr);
  EXPECT_TRUE(plan.has_item("fractional_co2"));
  bool names_both = false;
  for (const auto& w : plan.warnings) {
    if (w.id == "isotretinoin_disputed_fractional_co2") {
      names_both = w.text.find("Spring 2017") != std::string::npos && w.text.find("Waldman 2017") != std::string::npos;
    }
  }
  EXPECT_TRUE(names_both);
  EXPECT_FALSE(plan.find_exclusion("nonablative_fractional")) << "no delay for non-ablative lasers";
}

// 19. Stopped two months ago: dermabrasion waits until 6 months after the last dose.
TEST(Vignette, StoppedIsotretinoinSchedulesAfterTheWait) {
  PatientProfile patient = healthy_patient();
  patient.isotretinoin = IsotretinoinStatus::stopped;
  patient.isotretinoin_stopped_on = CalendarDate::parse("2026-01-02", "test");
  patient.available_modalities = std::vector<std::string>{"dermabrasion"};
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient));
  ASSERT_TRUE(plan.has_item("dermabrasion"));
  const CalendarDate earliest = CalendarDate::parse("2026-07-02", "test");
  ASSERT_TRUE(plan.find_item("dermabrasion")->not_before);
  EXPECT_EQ(*plan.find_item("dermabrasion")->not_before, earliest);
  for (const auto& s : plan.schedule) {
    if (s.modality == "dermabrasion") {
      EXPECT_GE(s.date, earliest);
    }
  }
}

// 20. "Stopped" without a date is treated as current, with a warning.
TEST(Vignette, StoppedWithoutDateIsTreatedAsCurrent) {
  PatientProfile patient = healthy_patient();
  patient.isotretinoin = IsotretinoinStatus::stopped;
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient));
  EXPECT_TRUE(plan.has_warning("isotretinoin_stop_date_missing"));
  ASSERT_NE(plan.find_exclusion("dermabrasion"), nullptr);
  EXPECT_NE(plan.find_exclusion("dermabrasion")->reason.find("isotretinoin current"), std::string::npos);
}

// 21. Anticoagulants: bruising and haematoma warning for subcision, punch and injections.
TEST(Vignette, AnticoagulantsWarnForSubcisionAndInjections) {
  PatientProfile patient = healthy_patient();
  patient.anticoagulants = true;
  const Plan plan = plan_for(request_for({rolling(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::plan) << "flag only";
  ASSERT_TRUE(plan.has_warning("anticoagulants_bruising"));
  for (const auto& w : plan.warnings) {
    if (w.id == "anticoagulants_bruising") {
      EXPECT_NE(w.text.find("subcision"), std::string::npos);
      EXPECT_NE(w.text.find("filler_ha"), std::string::npos);
    }
  }
}

// 22. HSV history and perioral work: prophylaxis for any perioral procedure.
TEST(Vignette, HsvHistoryPerioralWork) {
  PatientProfile patient = healthy_patient();
  patient.hsv_history = true;
  patient.fitzpatrick = 5;  // microneedling, which on its own needs no prophylaxis
  PlanRequest request = request_for({shallow_boxcar(1, 5, 5)}, patient);
  request.region = "perioral";
  const Plan plan = plan_for(request);
  EXPECT_TRUE(plan.has_warning("hsv_prophylaxis_perioral"));
  request.region = "face";
  EXPECT_FALSE(plan_for(request).has_warning("hsv_prophylaxis_perioral"));
}

// 23. Positive BDD screen (fact 9): refer, no procedures.
TEST(Vignette, PositiveBddScreenRefers) {
  PatientProfile patient = healthy_patient();
  patient.bdd_screen_positive = true;
  patient.distress_0_10 = 10;
  const Plan plan = plan_for(request_for({ice_pick(1, 5, 5), rolling(2, 20, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::refer);
  EXPECT_TRUE(referred_to_counselling(plan));
  EXPECT_TRUE(plan.stages.empty());
  EXPECT_TRUE(plan.schedule.empty());
  EXPECT_TRUE(plan.has_warning("bdd_screen_positive"));
}

// 24. Distress far beyond mild scarring: counselling alongside the plan; nothing added because of it.
TEST(Vignette, DistressOutOfProportionAddsCounsellingNotProcedures) {
  PatientProfile calm = healthy_patient();
  PatientProfile distressed = healthy_patient();
  distressed.distress_0_10 = 9;
  const std::vector<Scar> scars = {shallow_boxcar(1, 5, 5)};
  const Plan baseline = plan_for(request_for(scars, calm, 2, 2));
  const Plan plan = plan_for(request_for(scars, distressed, 2, 2));
  EXPECT_EQ(plan.status, PlanStatus::plan) << "treatment is never withheld on distress alone";
  EXPECT_TRUE(referred_to_counselling(plan));
  EXPECT_TRUE(plan.has_warning("distress_out_of_proportion"));
  EXPECT_EQ(planned_modalities(plan), planned_modalities(baseline));
}

// 25. High distress with severe scarring is proportionate: no referral, plan as usual.
TEST(Vignette, HighDistressWithSevereScarsIsNotAReferral) {
  PatientProfile patient = healthy_patient();
  patient.distress_0_10 = 9;
  const Plan plan = plan_for(request_for({ice_pick(1, 5, 5), deep_boxcar(2, 3.3, 20, 5)}, patient, 4, 4));
  EXPECT_EQ(plan.status, PlanStatus::plan);
  EXPECT_FALSE(referred_to_counselling(plan));
}

// 26. Only a few days off work: long-downtime modalities are excluded.
TEST(Vignette, DowntimeLimitExcludesLongRecovery) {
  PatientProfile patient = healthy_patient();
  patient.max_downtime_days = 3;
  const Plan plan = plan_for(request_for({shallow_boxcar(1, 5, 5)}, patient));
  EXPECT_FALSE(plan.has_item("fractional_co2"));
  ASSERT_NE(plan.find_exclusion("fractional_co2"), nullptr);
  EXPECT_NE(plan.find_exclusion("fractional_co2")->reason.find("downtime"), std::string::npos);
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) {
      ASSERT_TRUE(item.downtime_days);
      EXPECT_LE(item.downtime_days->min, 3) << item.modality;
    }
  }
}

// 27. A clinic without CROSS or punch: ice picks are not "treated" by resurfacing alone (fact 3).
TEST(Vignette, NoFocalModalityMeansNoResurfacingAloneForIcePicks) {
  PatientProfile patient = healthy_patient();
  patient.available_modalities = std::vector<std::string>{"microneedling", "subcision"};
  const Plan plan = plan_for(request_for({ice_pick(1, 5, 5), shallow_boxcar(2, 20, 5)}, patient));
  EXPECT_TRUE(plan.has_warning("ice_pick_resurfacing_alone"));
  EXPECT_TRUE(plan.has_warning("focal_scars_untreated"));
  EXPECT_FALSE(targets(plan, "microneedling", 1));
  EXPECT_TRUE(targets(plan, "microneedling", 2));
  ASSERT_NE(plan.find_exclusion("tca_cross"), nullptr);
  EXPECT_NE(plan.find_exclusion("tca_cross")->reason.find("not offered"), std::string::npos);
}

// 28. Punch scars closer than 4-5 mm go into separate sessions at least 4 weeks apart.
TEST(Vignette, ClosePunchScarsAreStaged) {
  const Plan plan = plan_for(request_for(
      {deep_boxcar(1, 3.3, 10, 10), deep_boxcar(2, 3.3, 12, 10), deep_boxcar(3, 3.3, 30, 10)}, healthy_patient()));
  std::vector<ScheduledSession> punch;
  for (const auto& s : plan.schedule) {
    if (s.modality == "punch_excision") punch.push_back(s);
  }
  ASSERT_EQ(punch.size(), 2u);
  EXPECT_EQ(punch[0].target_scar_ids, (std::vector<int>{1, 3}));
  EXPECT_EQ(punch[1].target_scar_ids, (std::vector<int>{2}));
  EXPECT_GE((punch[1].date.day - punch[0].date.day).count(), 28);
  EXPECT_EQ(plan.find_item("punch_excision")->sessions->min, 2);
  expect_sound_plan(plan);
}

// 29. Punch scars far apart: one session.
TEST(Vignette, DistantPunchScarsShareASession) {
  const Plan plan = plan_for(request_for({deep_boxcar(1, 3.3, 10, 10), deep_boxcar(2, 3.3, 20, 10)}, healthy_patient()));
  int sessions = 0;
  for (const auto& s : plan.schedule) sessions += s.modality == "punch_excision" ? 1 : 0;
  EXPECT_EQ(sessions, 1);
}

// 30. No scars: nothing to do.
TEST(Vignette, NoScarsNoPlan) {
  const Plan plan = plan_for(request_for({}, healthy_patient(), 0, 0));
  EXPECT_EQ(plan.status, PlanStatus::none);
  EXPECT_TRUE(plan.stages.empty());
  EXPECT_FALSE(plan.expected_improvement_pct);
}

// 31. Refer beats defer: a positive BDD screen and a cold sore.
TEST(Vignette, ReferOutranksDefer) {
  PatientProfile patient = healthy_patient();
  patient.bdd_screen_positive = true;
  patient.active_cold_sore = true;
  const Plan plan = plan_for(request_for({rolling(1, 5, 5)}, patient));
  EXPECT_EQ(plan.status, PlanStatus::refer);
  EXPECT_GE(plan.reasons.size(), 2u) << "every reason is listed";
}

// 32. Severe mixed scarring treated in combination: more than the typical range, never near 100 %.
TEST(Vignette, SevereMixedFaceFullStaging) {
  PlanRequest request = request_for({ice_pick(1, 5, 5), deep_boxcar(2, 2.5, 20, 5), rolling(3, 35, 5),
                                     shallow_boxcar(4, 50, 5)},
                                    healthy_patient(), 4, 4);
  request.clinician.macular_erythematous = 5;
  const Plan plan = plan_for(request);
  EXPECT_EQ(plan.status, PlanStatus::plan);
  const int focal = plan.stage_of("tca_cross");
  const int release = plan.stage_of("subcision");
  const int resurfacing = plan.stage_of("fractional_co2");
  const int volume = plan.stage_of("filler_ha");
  const int colour = plan.stage_of("pulsed_dye_laser");
  EXPECT_TRUE(focal > 0 && focal < release && release < resurfacing && resurfacing < volume && volume < colour);
  ASSERT_TRUE(plan.expected_improvement_pct);
  EXPECT_GT(plan.expected_improvement_pct->max, 50);
  EXPECT_LT(plan.expected_improvement_pct->max, 80);
  expect_sound_plan(plan);
}

// 33. Hand-counted scars without ids still get a plan, said to rest on clinician input.
TEST(Vignette, HandCountedScarsArePlanned) {
  PlanRequest request = request_for({}, healthy_patient());
  request.inventory.unlisted.ice_pick = 6;
  request.inventory.hand_count = true;
  request.basis = GradeBasis::clinician_only;
  const Plan plan = plan_for(request);
  EXPECT_EQ(plan.status, PlanStatus::plan);
  ASSERT_TRUE(plan.has_item("tca_cross"));
  EXPECT_TRUE(plan.find_item("tca_cross")->target_scar_ids.empty());
  EXPECT_NE(plan.find_item("tca_cross")->notes.find("6 hand-counted"), std::string::npos);
  EXPECT_EQ(plan.basis, GradeBasis::clinician_only);
}

}  // namespace
}  // namespace scarscope::test
