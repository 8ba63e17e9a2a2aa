// Treatment plans: POST /visits/{id}/plan (the planner's proposal for the visit's analysed scans
// and the patient's profile), GET /plans/{id}, POST /plans/{id}/accept (as is, or edited).
#include "clinic/documents.h"
#include "clinic/patient_profile_parts.h"
#include "clinic/vocabulary.h"
#include "core/error.h"
#include "planning/planner.h"
#include "server/record_json.h"
#include "server/routes.h"
#include "server/scan_jobs.h"
#include "workflows/assessment.h"
#include "workflows/visit_plan.h"

namespace scarscope::server {

namespace {

using clinic::AuditAction;

Reply propose_plan(ApiContext& api, Call& call) {
  const std::string& visit_id = call.parameter("id");
  const Json& body = call.body;
  struct Inputs {
    clinic::Visit visit;
    clinic::Patient patient;
    std::vector<ScarInventory> scars;
    std::optional<ClinicianInputs> examination;
  };
  Inputs inputs = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto visit = tx.visit(visit_id);
    if (!visit) throw ApiError("not_found", "no such visit", "id");
    auto patient = tx.patient(visit->patient_id);
    if (!patient) throw ApiError("not_found", "no such patient", "id");
    Inputs found{*visit, *patient, {}, std::nullopt};
    for (const clinic::Scan& scan : tx.scans_of_visit(visit_id)) {
      auto assessment = tx.latest_assessment_of_scan(scan.id);
      if (!assessment) continue;
      const auto corrections = tx.corrections(assessment->id);
      const clinic::StoredDocument& document = document_in_force(*assessment, corrections);
      found.scars.push_back(assessment_from_json(Json::parse(document.json), "assessment " + assessment->id).scars);
      // What the examination showed (not the scar corrections: the scars in force have them).
      if (const clinic::AssessmentCorrection* latest = latest_correction(corrections)) {
        ClinicianInputs examination = clinician_inputs_from_json(Json::parse(latest->clinician_inputs_json), "correction");
        examination.scars.clear();
        found.examination = examination;
      }
    }
    return found;
  });
  const std::vector<std::string> missing = clinic::missing_profile_fields(inputs.patient);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& field : missing) list += (list.empty() ? "" : ", ") + field;
    throw ApiError("incomplete_profile", "the patient's planning profile is incomplete: missing " + list +
                                             " (PATCH /patients/{id} with them)",
                   missing.front());
  }
  if (inputs.scars.empty())
    throw ApiError("conflict", "no scan of this visit has been analysed yet (upload one, and wait for its job)", "id");

  PlanVisitRequest request;
  request.assessments = std::move(inputs.scars);
  request.date = body.contains("date") ? CalendarDate::parse(body["date"].get<std::string>(), "date") : inputs.visit.date;
  request.patient = clinic::complete_profile(inputs.patient, request.date);
  if (body.contains("clinician")) {
    request.clinician = clinician_inputs_from_json(body["clinician"], "clinician");
  } else {
    request.clinician = inputs.examination;
  }
  request.region = body.value("region", clinic::planning_region(inputs.visit.region));
  if (request.region.empty())
    throw InputError("the visit's region (" + std::string(clinic::name(inputs.visit.region)) +
                         ") has no planning region: give region (face, perioral, jawline, chest or back)",
                     ErrorCode::missing_field, "region");
  for (const Json& rule : body.value("disabled_rules", Json::array())) request.disabled_rules.insert(rule.get<std::string>());
  const VisitPlan plan = plan_visit(request, *api.knowledge);
  const clinic::StoredDocument proposal = clinic::stored_document(to_json(plan).dump(), "plan");
  const clinic::Plan created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Plan draft;
    draft.visit_id = visit_id;
    draft.proposal = proposal;
    draft.created_by = call.user_id();
    clinic::Plan made = tx.create_plan(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "plan", made.id, made.patient_id));
    return made;
  });
  Reply reply = Reply::json(plan_json(created), 201);
  reply.headers.emplace_back("Location", std::string(api_prefix) + "/plans/" + created.id);
  return reply;
}

Reply get_plan(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const clinic::Plan plan = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto found = tx.plan(id);
    if (!found) throw ApiError("not_found", "no such plan", "id");
    return *found;
  });
  api.audit_read(call, "plan", id, plan.patient_id);
  return Reply::json(plan_json(plan));
}

Reply accept_plan(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  std::optional<clinic::StoredDocument> edited;
  if (call.body.contains("edited")) {
    // An edited plan must still be a plan this build can read (and carry its version stamp).
    (void)visit_plan_from_json(call.body["edited"], "edited");
    edited = clinic::stored_document(call.body["edited"].dump(), "edited");
  }
  const std::string note = call.body.value("note", "");
  const clinic::Plan accepted = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    auto plan = tx.plan(id);
    if (!plan) throw ApiError("not_found", "no such plan", "id");
    clinic::Plan made = tx.accept_plan(id, call.user_id(), edited, note);
    tx.append_audit(ApiContext::change(call, AuditAction::update, "plan", id, made.patient_id,
                                       edited ? "accepted with edits" : "accepted"));
    return made;
  });
  return Reply::json(plan_json(accepted));
}

}  // namespace

void add_plan_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  std::vector<std::string_view> regions(planning_regions().begin(), planning_regions().end());
  routes.add({.method = "POST",
              .path = "/visits/{id}/plan",
              .roles = clinicians,
              .summary = "Propose a plan for the visit's analysed scans and the patient's profile (422 "
                         "incomplete_profile names what the profile lacks)",
              .tag = "plans",
              .body = Body::json,
              .request_schema = object({{"date", describe(date(), "anchors waiting periods and the schedule; "
                                                                  "default: the visit's date")},
                                        {"region", enumeration(regions)},
                                        {"clinician", ref("ClinicianInputs")},
                                        {"disabled_rules", array(string(100), 100)}}),
              .response = {201, "application/json", ref("Plan"), "A proposal, until a clinician accepts it"},
              .handler = [&api](Call& call) { return propose_plan(api, call); },
              .errors = {"incomplete_profile", "conflict"}});
  routes.add({.method = "GET",
              .path = "/plans/{id}",
              .roles = care_team,
              .summary = "A plan: the proposal and, once accepted, the plan as accepted, by whom and when",
              .tag = "plans",
              .response = {200, "application/json", ref("Plan")},
              .handler = [&api](Call& call) { return get_plan(api, call); }});
  routes.add({.method = "POST",
              .path = "/plans/{id}/accept",
              .roles = clinicians,
              .summary = "Accept a proposed plan, as is or edited (the patient's earlier accepted plan is superseded)",
              .tag = "plans",
              .body = Body::json,
              .request_schema = object({{"edited", describe(document("the plan JSON as edited (keeps its scarscope stamp)"),
                                                            "the clinician's version of the proposal")},
                                        {"note", string(10000)}}),
              .response = {200, "application/json", ref("Plan")},
              .handler = [&api](Call& call) { return accept_plan(api, call); },
              .errors = {"conflict"}});
}

}  // namespace scarscope::server
