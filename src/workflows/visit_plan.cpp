#include "workflows/visit_plan.h"

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "grading/grading.h"
#include "planning/planner.h"
#include "workflows/visit_grades.h"
#include "workflows/workflow_guard.h"

namespace scarscope {

using nlohmann::json;
using workflow_detail::guarded;

VisitPlan plan_visit(const PlanVisitRequest& request, const Knowledge& knowledge) {
  return guarded("plan", [&] {
    const KnowledgeBase& kb = knowledge.treatment_knowledge();
    const ScarInventory inventory = visit_inventory(request.assessments);
    const ClinicianInputs* clinician = request.clinician ? &*request.clinician : nullptr;

    PlanRequest plan_request;
    plan_request.patient = request.patient;
    plan_request.region = request.region;
    plan_request.date = request.date;
    plan_request.clinician = clinician ? *clinician : ClinicianInputs{};
    plan_request.inventory = clinician ? apply_corrections(inventory, *clinician) : inventory;
    const bool clinician_given = clinician && !clinician->empty();
    plan_request.basis = inventory.hand_count ? GradeBasis::clinician_only
                         : clinician_given    ? GradeBasis::three_d_plus_clinician
                                              : GradeBasis::three_d_only;
    plan_request.disabled_rules = request.disabled_rules;
    // Severity for the expectation and distress rules: the Goodman & Baron qualitative estimate.
    const Grades grades = grade_inventory(inventory, clinician, knowledge.grading);
    plan_request.severity = SeverityEstimate{grades.goodman_baron_qualitative.low, grades.goodman_baron_qualitative.high,
                                             grades.goodman_baron_qualitative.basis};

    VisitPlan result;
    result.made_by = current_result_version(ResultKind::plan);
    result.plan = make_plan(plan_request, kb);
    result.plan.kb_sha256 = kb.sha256;
    result.plan.kb_clinic_sha256 = kb.clinic_sha256;
    return result;
  });
}

json to_json(const VisitPlan& plan) {
  json document = plan_to_json(plan.plan);
  document["scarscope"] = result_version_json(plan.made_by);
  return document;
}

namespace {

std::optional<NumericRange> range_from(const JsonField& field) {
  if (field.is_null()) return std::nullopt;
  const auto both = field.expect_array("expected [min, max] or null").elements();
  if (both.size() != 2) field.fail(ErrorCode::bad_input, "expected [min, max] or null");
  return NumericRange{both[0].number(), both[1].number()};
}

std::vector<int> ids_from(const JsonField& field) {
  std::vector<int> ids;
  for (const JsonField& id : field.elements()) ids.push_back(static_cast<int>(id.integer_between(0, 1000000000)));
  return ids;
}

std::vector<Evidence> evidence_from(const JsonField& field) {
  std::vector<Evidence> out;
  for (const JsonField& entry : field.elements()) {
    Evidence evidence;
    evidence.citation = entry.required("citation").text();
    evidence.kind = entry.required("kind").text();
    evidence.confirmed = entry.required("confirmed").boolean();
    if (const auto figures = entry.optional("figures")) {
      for (const auto& [name, range] : figures->expect_object("expected {field: [min, max]}").members()) {
        if (const auto value = range_from(range)) evidence.figures[name] = *value;
      }
    }
    out.push_back(std::move(evidence));
  }
  return out;
}


PlanStatus status_from(const JsonField& field) {
  const std::string name = field.text();
  for (const PlanStatus status : {PlanStatus::none, PlanStatus::plan, PlanStatus::defer, PlanStatus::refer}) {
    if (name == plan_status_name(status)) return status;
  }
  field.fail(ErrorCode::bad_input, "'" + name + "' is not a plan status (none, plan, defer, refer)");
}

CalendarDate date_from(const JsonField& field) {
  try {
    return CalendarDate::parse(field.text(), field.where());
  } catch (const InputError& error) {
    throw InputError(error.what(), error.code(), field.path());  // the field is the path, not the file
  }
}

}  // namespace

VisitPlan visit_plan_from_json(const json& document, const std::string& source) {
  return guarded(source, [&] {
    const JsonField root(document, source);
    root.expect_object("expected a plan JSON object");
    VisitPlan result;
    result.made_by = read_result_version(document, ResultKind::plan, source);
    Plan& plan = result.plan;
    plan.status = status_from(root.required("status"));
    plan.reasons = root.required("reasons").texts();
    for (const JsonField& entry : root.required("stages").elements()) {
      PlanStage stage;
      stage.order = static_cast<int>(entry.required("order").integer_between(0, 1000));
      stage.id = entry.required("id").text();
      stage.goal = entry.required("goal").text();
      for (const JsonField& item_entry : entry.required("items").elements()) {
        PlanItem item;
        item.modality = item_entry.required("modality").text();
        item.target_scar_ids = ids_from(item_entry.required("target_scar_ids"));
        item.sessions = range_from(item_entry.member("sessions"));
        item.interval_weeks = range_from(item_entry.member("interval_weeks"));
        item.downtime_days = range_from(item_entry.member("downtime_days"));
        item.expected_improvement_pct = range_from(item_entry.member("expected_improvement_pct"));
        item.evidence = evidence_from(item_entry.required("evidence"));
        item.notes = item_entry.required("notes").text();
        if (const auto date = item_entry.optional("not_before")) item.not_before = date_from(*date);
        stage.items.push_back(std::move(item));
      }
      plan.stages.push_back(std::move(stage));
    }
    for (const JsonField& entry : root.required("excluded").elements()) {
      plan.excluded.push_back({entry.required("modality").text(), entry.required("reason").text(), entry.required("rule").text()});
    }
    for (const JsonField& entry : root.required("warnings").elements()) {
      plan.warnings.push_back({entry.required("id").text(), entry.required("text").text()});
    }
    plan.referrals = root.required("referrals").texts();
    plan.expected_improvement_pct = range_from(root.member("expected_improvement_pct"));
    for (const JsonField& entry : root.required("schedule").elements()) {
      ScheduledSession session;
      session.date = date_from(entry.required("date"));
      session.modality = entry.required("modality").text();
      session.session = static_cast<int>(entry.required("session").integer_between(0, 1000));
      session.target_scar_ids = ids_from(entry.required("target_scar_ids"));
      if (const auto until = entry.optional("until")) session.until = date_from(*until);
      plan.schedule.push_back(std::move(session));
    }
    plan.basis = root.required("basis").parsed_text(parse_grade_basis);
    if (const auto severity = root.optional("severity")) {
      const std::string grade = severity->required("goodman_baron_qualitative").text();
      SeverityEstimate estimate;
      const auto dash = grade.find('-');
      try {
        estimate.min = std::stoi(grade.substr(0, dash));
        estimate.max = dash == std::string::npos ? estimate.min : std::stoi(grade.substr(dash + 1));
      } catch (const std::exception&) {
        severity->member("goodman_baron_qualitative").fail(ErrorCode::bad_input, "'" + grade + "' is not a grade such as \"3\" or \"3-4\"");
      }
      estimate.basis = severity->required("basis").parsed_text(parse_grade_basis);
      plan.severity = estimate;
    }
    plan.region = root.required("region").text();
    plan.date = date_from(root.required("date"));
    plan.kb_version = root.required("kb_version").text();
    if (const auto kb = root.optional("knowledge_base")) {
      plan.kb_sha256 = kb->required("sha256").text();
      if (const auto clinic = kb->optional("clinic_sha256")) plan.kb_clinic_sha256 = clinic->text();
    }
    if (const auto clinic = root.optional("clinic")) plan.clinic = clinic->text();
    for (const JsonField& entry : root.required("rules_fired").elements()) {
      plan.rules_fired.push_back({entry.required("rule").text(), entry.required("title").text(), entry.required("why").texts(),
                                  evidence_from(entry.required("evidence"))});
    }
    return result;
  });
}

}  // namespace scarscope
