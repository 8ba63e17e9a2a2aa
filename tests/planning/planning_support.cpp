#include "planning_support.h"

#include <gtest/gtest.h>

#include <map>

#include "test_support.h"

namespace scarscope::test {

Scar scar(int id, ScarType type, double diameter_mm, double depth_um, double x_mm, double y_mm) {
  Scar s;
  s.id = id;
  s.type = type;
  s.confidence = 0.9;
  s.diameter_mm = diameter_mm;
  s.major_mm = diameter_mm;
  s.minor_mm = diameter_mm;
  s.area_mm2 = 3.14159 * diameter_mm * diameter_mm / 4.0;
  s.depth_um = depth_um;
  s.centroid_mm = {x_mm, y_mm};
  s.scan = "cheek.x3p";
  return s;
}

Scar ice_pick(int id, double x, double y) { return scar(id, ScarType::ice_pick, 1.2, 800, x, y); }
Scar deep_boxcar(int id, double d, double x, double y) { return scar(id, ScarType::boxcar, d, 700, x, y); }
Scar shallow_boxcar(int id, double x, double y) { return scar(id, ScarType::boxcar, 3.0, 250, x, y); }
Scar rolling(int id, double x, double y) { return scar(id, ScarType::rolling, 6.0, 300, x, y); }
Scar hypertrophic(int id, double x, double y) { return scar(id, ScarType::hypertrophic, 4.0, 600, x, y); }

PatientProfile healthy_patient() {
  PatientProfile p;
  p.birth_year = 1994;
  p.fitzpatrick = 2;
  p.distress_0_10 = 5;
  return p;
}

const KnowledgeBase& knowledge_base() {
  static const KnowledgeBase kb = load_knowledge_base(test_kb_dir());
  return kb;
}

PlanRequest request_for(std::vector<Scar> scars, PatientProfile patient, int grade_low, int grade_high) {
  PlanRequest request;
  request.inventory.scars = std::move(scars);
  request.inventory.coverage_cm2 = 16;
  request.inventory.scans = {"cheek.x3p"};
  request.patient = std::move(patient);
  request.date = CalendarDate::parse("2026-03-02", "test");
  request.severity = SeverityEstimate{grade_low, grade_high, GradeBasis::three_d_only};
  return request;
}

Plan plan_for(const PlanRequest& request) { return make_plan(request, knowledge_base()); }

std::vector<std::string> planned_modalities(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) out.push_back(item.modality);
  }
  return out;
}

bool intervals_respected(const Plan& plan, const KnowledgeBase& kb, std::string* problem) {
  std::map<std::string, CalendarDate> last;
  const double punch_weeks = kb.threshold_min("punch_min_weeks_between_sessions");
  for (const auto& session : plan.schedule) {
    const auto found = last.find(session.modality);
    if (found != last.end()) {
      const Modality& m = kb.modality(session.modality);
      double weeks = m.interval_weeks.value ? m.interval_weeks.value->min : 0.0;
      if (m.has_tag("punch")) weeks = std::max(weeks, punch_weeks);
      const auto days = (session.date.day - found->second.day).count();
      if (days < weeks * 7.0 - 1e-9) {
        if (problem) *problem = session.modality + " sessions " + found->second.to_string() + " and " +
                                session.date.to_string() + " are closer than " + std::to_string(weeks) + " weeks";
        return false;
      }
    }
    last[session.modality] = session.date;
  }
  return true;
}

void expect_sound_plan(const Plan& plan) {
  if (plan.expected_improvement_pct) {
    EXPECT_LT(plan.expected_improvement_pct->max, 80.0) << "scars are reduced, not eliminated";
    EXPECT_GT(plan.expected_improvement_pct->min, 0.0);
  }
  for (const auto& stage : plan.stages) {
    for (const auto& item : stage.items) {
      EXPECT_FALSE(item.evidence.empty()) << item.modality << " has no evidence";
      if (item.expected_improvement_pct) {
        EXPECT_LE(item.expected_improvement_pct->max, 80.0) << item.modality;
      }
    }
  }
  std::string problem;
  EXPECT_TRUE(intervals_respected(plan, knowledge_base(), &problem)) << problem;
  for (const auto& session : plan.schedule) EXPECT_GE(session.date, plan.date);
}

}  // namespace scarscope::test
