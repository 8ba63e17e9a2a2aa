#include "server/record_json.h"

#include "clinic/patient_profile_parts.h"
#include "clinic/vocabulary.h"

namespace scarscope::server {

namespace {

using schema::array;
using schema::boolean;
using schema::date;
using schema::date_time;
using schema::document;
using schema::enumeration;
using schema::integer;
using schema::map_of;
using schema::nullable;
using schema::number;
using schema::object;
using schema::record_id;
using schema::ref;
using schema::string;

Json time_json(const clinic::Timestamp& moment) { return clinic::format_timestamp(moment); }
Json time_json(const std::optional<clinic::Timestamp>& moment) {
  return moment ? Json(clinic::format_timestamp(*moment)) : Json(nullptr);
}
Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

template <class Enum>
std::vector<std::string_view> names_of(std::initializer_list<Enum> values) {
  std::vector<std::string_view> names;
  for (Enum value : values) names.push_back(clinic::name(value));
  return names;
}

}  // namespace

Json document_json(const clinic::StoredDocument& stored) {
  Json parsed = Json::parse(stored.json, nullptr, false);
  return parsed.is_discarded() ? Json(nullptr) : parsed;
}

void add_record_schemas(schema::Components& components) {
  using clinic::AdverseEventKind;
  using clinic::JobKind;
  using clinic::JobState;
  using clinic::PlanStatus;
  using clinic::Severity;
  const Json role = enumeration(clinic::role_names());
  const Json region = enumeration(clinic::region_names());
  components.add("User", object({{"id", record_id()},
                                 {"email", string(320)},
                                 {"display_name", string(200)},
                                 {"role", role},
                                 {"disabled", boolean()},
                                 {"created_at", date_time()}},
                                {"id", "email", "display_name", "role", "disabled", "created_at"}));
  components.add(
      "Isotretinoin",
      object({{"status", enumeration({"never", "current", "stopped"})}, {"stopped_on", nullable(date())}}, {"status"}));
  // The planning profile of `scarscope plan --patient` other than birth_year and fitzpatrick
  // (the patient's own fields). Every field may be given later; null removes one.
  components.add(
      "ProfileParts",
      object({{"active_acne", nullable(enumeration({"none", "mild", "moderate", "severe"}))},
              {"isotretinoin", nullable(ref("Isotretinoin"))},
              {"keloid_history", nullable(boolean())},
              {"hsv_history", nullable(boolean())},
              {"active_cold_sore", nullable(boolean())},
              {"active_skin_infection", nullable(boolean())},
              {"pregnant_or_breastfeeding", nullable(boolean())},
              {"anticoagulants", nullable(boolean())},
              {"bdd_screen_positive", nullable(boolean())},
              {"distress_0_10", nullable(number(0, 10))},
              {"max_downtime_days", nullable(number(0, 365))},
              {"available_modalities", nullable(array(string(100), 100))}}));
  components.add("Patient",
                 object({{"id", record_id()},
                         {"identifier", string(100)},
                         {"name", string(200)},
                         {"birth_year", nullable(integer(1900, 2200))},
                         {"sex", nullable(enumeration({"female", "male", "other"}))},
                         {"fitzpatrick", nullable(integer(1, 6))},
                         {"profile", ref("ProfileParts")},
                         {"missing_profile_fields",
                          schema::describe(array(string(100), 20),
                                           "what the planner still needs before POST /visits/{id}/plan can answer")},
                         {"created_by", record_id()},
                         {"created_at", date_time()},
                         {"updated_at", date_time()}},
                        {"id", "identifier", "name", "birth_year", "sex", "fitzpatrick", "profile",
                         "missing_profile_fields", "created_by", "created_at", "updated_at"}));
  components.add("Consent", object({{"id", record_id()},
                                    {"patient_id", record_id()},
                                    {"kind", enumeration(names_of({clinic::ConsentKind::treatment,
                                                                   clinic::ConsentKind::photography,
                                                                   clinic::ConsentKind::research}))},
                                    {"state", enumeration({"given", "withdrawn"})},
                                    {"date", date()},
                                    {"note", string(2000)},
                                    {"recorded_by", record_id()},
                                    {"recorded_at", date_time()}},
                                   {"id", "patient_id", "kind", "state", "date", "note", "recorded_by",
                                    "recorded_at"}));
  components.add("Visit", object({{"id", record_id()},
                                  {"patient_id", record_id()},
                                  {"date", date()},
                                  {"region", region},
                                  {"notes", string(10000)},
                                  {"created_by", record_id()},
                                  {"created_at", date_time()}},
                                 {"id", "patient_id", "date", "region", "notes", "created_by", "created_at"}));
  components.add("Job",
                 object({{"id", record_id()},
                         {"patient_id", record_id()},
                         {"kind", enumeration(names_of({JobKind::analysis, JobKind::comparison}))},
                         {"state", enumeration(names_of({JobState::queued, JobState::running, JobState::done,
                                                         JobState::failed, JobState::cancelled}))},
                         {"scan_id", record_id()},
                         {"baseline_scan_id", nullable(record_id())},
                         {"attempts", integer(0, 1000)},
                         {"max_attempts", integer(1, 1000)},
                         {"progress", number(0, 1)},
                         {"stage", string(200)},
                         {"error", nullable(string(100000))},
                         {"result_kind", nullable(enumeration({"assessment", "comparison"}))},
                         {"result_id", nullable(record_id())},
                         {"created_at", date_time()},
                         {"updated_at", date_time()},
                         {"finished_at", nullable(date_time())}},
                        {"id", "patient_id", "kind", "state", "scan_id", "baseline_scan_id", "attempts",
                         "max_attempts", "progress", "stage", "error", "result_kind", "result_id", "created_at",
                         "updated_at", "finished_at"}));
  components.add("Correction",
                 object({{"id", record_id()},
                         {"clinician_inputs", document("the clinician inputs as given (DESIGN.md)")},
                         {"made_by", record_id()},
                         {"made_at", date_time()}},
                        {"id", "clinician_inputs", "made_by", "made_at"}));
  components.add("Assessment",
                 object({{"id", record_id()},
                         {"scan_id", record_id()},
                         {"visit_id", record_id()},
                         {"patient_id", record_id()},
                         {"job_id", nullable(record_id())},
                         {"created_at", date_time()},
                         {"version", string(50)},
                         {"schema", string(50)},
                         {"analysis",
                          document("the analysis in force (Analysis JSON of DESIGN.md): the latest clinician "
                                   "correction applied, else the analysis as measured")},
                         {"corrected", boolean()},
                         {"corrections", array(ref("Correction"))}},
                        {"id", "scan_id", "visit_id", "patient_id", "job_id", "created_at", "version", "schema",
                         "analysis", "corrected", "corrections"}));
  components.add("Scan", object({{"id", record_id()},
                                 {"patient_id", record_id()},
                                 {"visit_id", record_id()},
                                 {"file_name", string(255)},
                                 {"format", string(20)},
                                 {"sha256", string(64)},
                                 {"size_bytes", integer(0, std::int64_t{1} << 50)},
                                 {"instrument", string(200)},
                                 {"uploaded_by", record_id()},
                                 {"uploaded_at", date_time()}},
                                {"id", "patient_id", "visit_id", "file_name", "format", "sha256", "size_bytes",
                                 "instrument", "uploaded_by", "uploaded_at"}));
  components.add("Comparison", object({{"id", record_id()},
                                       {"patient_id", record_id()},
                                       {"baseline_scan_id", record_id()},
                                       {"followup_scan_id", record_id()},
                                       {"job_id", nullable(record_id())},
                                       {"created_at", date_time()},
                                       {"result", document("the Follow-up JSON of DESIGN.md")}},
                                      {"id", "patient_id", "baseline_scan_id", "followup_scan_id", "job_id",
                                       "created_at", "result"}));
  components.add(
      "Plan",
      object({{"id", record_id()},
              {"patient_id", record_id()},
              {"visit_id", record_id()},
              {"status", enumeration(names_of({PlanStatus::proposed, PlanStatus::accepted, PlanStatus::superseded}))},
              {"proposal", document("the planner's Plan JSON: a proposal until a clinician accepts it")},
              {"accepted", nullable(document("the plan as accepted, with the clinician's edits"))},
              {"created_by", record_id()},
              {"created_at", date_time()},
              {"accepted_by", nullable(record_id())},
              {"accepted_at", nullable(date_time())},
              {"acceptance_note", string(10000)}},
             {"id", "patient_id", "visit_id", "status", "proposal", "accepted", "created_by", "created_at",
              "accepted_by", "accepted_at", "acceptance_note"}));
  components.add(
      "AdverseEvent",
      object({{"id", record_id()},
              {"patient_id", record_id()},
              {"session_id", record_id()},
              {"kind", enumeration(clinic::adverse_event_kind_names())},
              {"severity", enumeration(names_of({Severity::mild, Severity::moderate, Severity::severe}))},
              {"onset", date()},
              {"resolved", nullable(date())},
              {"notes", string(10000)},
              {"recorded_by", record_id()},
              {"recorded_at", date_time()}},
             {"id", "patient_id", "session_id", "kind", "severity", "onset", "resolved", "notes", "recorded_by",
              "recorded_at"}));
  components.add("Session", object({{"id", record_id()},
                                    {"patient_id", record_id()},
                                    {"visit_id", nullable(record_id())},
                                    {"plan_id", nullable(record_id())},
                                    {"date", date()},
                                    {"modality", string(100)},
                                    {"parameters", map_of(schema::Json{{"type", "number"}})},
                                    {"region", region},
                                    {"target_assessment_id", nullable(record_id())},
                                    {"target_scar_ids", array(integer(1, 1000000), 10000)},
                                    {"operator_id", record_id()},
                                    {"notes", string(10000)},
                                    {"recorded_by", record_id()},
                                    {"recorded_at", date_time()},
                                    {"adverse_events", array(ref("AdverseEvent"))}},
                                   {"id", "patient_id", "visit_id", "plan_id", "date", "modality", "parameters",
                                    "region", "target_assessment_id", "target_scar_ids", "operator_id", "notes",
                                    "recorded_by", "recorded_at", "adverse_events"}));
  components.add("AuditEntry",
                 object({{"id", record_id()},
                         {"sequence", integer(1, std::int64_t{1} << 62)},
                         {"at", date_time()},
                         {"user_id", nullable(record_id())},
                         {"action", enumeration({"read", "create", "update", "delete", "export", "login",
                                                 "login_failed", "backup", "restore"})},
                         {"object_kind", string(50)},
                         {"object_id", nullable(string(64))},
                         {"patient_id", nullable(record_id())},
                         {"detail", string(1000)},
                         {"hash", string(64)}},
                        {"id", "sequence", "at", "user_id", "action", "object_kind", "object_id", "patient_id",
                         "detail", "hash"}));
}

Json user_json(const clinic::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"display_name", user.display_name},
          {"role", clinic::name(user.role)},
          {"disabled", user.disabled},
          {"created_at", time_json(user.created_at)}};
}

Json patient_json(const clinic::Patient& patient) {
  Json profile = Json::parse(patient.profile_json, nullptr, false);
  if (!profile.is_object()) profile = Json::object();
  return {{"id", patient.id},
          {"identifier", patient.identifier},
          {"name", patient.name},
          {"birth_year", patient.birth_year ? Json(*patient.birth_year) : Json(nullptr)},
          {"sex", patient.sex ? Json(clinic::name(*patient.sex)) : Json(nullptr)},
          {"fitzpatrick", patient.fitzpatrick ? Json(*patient.fitzpatrick) : Json(nullptr)},
          {"profile", profile},
          {"missing_profile_fields", clinic::missing_profile_fields(patient)},
          {"created_by", patient.created_by},
          {"created_at", time_json(patient.created_at)},
          {"updated_at", time_json(patient.updated_at)}};
}

Json consent_json(const clinic::Consent& consent) {
  return {{"id", consent.id},
          {"patient_id", consent.patient_id},
          {"kind", clinic::name(consent.kind)},
          {"state", clinic::name(consent.state)},
          {"date", consent.date.to_string()},
          {"note", consent.note},
          {"recorded_by", consent.recorded_by},
          {"recorded_at", time_json(consent.recorded_at)}};
}

Json visit_json(const clinic::Visit& visit) {
  return {{"id", visit.id},
          {"patient_id", visit.patient_id},
          {"date", visit.date.to_string()},
          {"region", clinic::name(visit.region)},
          {"notes", visit.notes},
          {"created_by", visit.created_by},
          {"created_at", time_json(visit.created_at)}};
}

Json scan_json(const clinic::Scan& scan) {
  return {{"id", scan.id},
          {"patient_id", scan.patient_id},
          {"visit_id", scan.visit_id},
          {"file_name", scan.file_name},
          {"format", scan.format},
          {"sha256", scan.sha256},
          {"size_bytes", scan.size_bytes},
          {"instrument", scan.instrument},
          {"uploaded_by", scan.uploaded_by},
          {"uploaded_at", time_json(scan.uploaded_at)}};
}

Json job_json(const clinic::Job& job) {
  return {{"id", job.id},
          {"patient_id", job.patient_id},
          {"kind", clinic::name(job.kind)},
          {"state", clinic::name(job.state)},
          {"scan_id", job.scan_id},
          {"baseline_scan_id", text_or_null(job.baseline_scan_id)},
          {"attempts", job.attempts},
          {"max_attempts", job.max_attempts},
          {"progress", job.progress},
          {"stage", job.stage},
          {"error", text_or_null(job.error)},
          {"result_kind", text_or_null(job.result_kind)},
          {"result_id", text_or_null(job.result_id)},
          {"created_at", time_json(job.created_at)},
          {"updated_at", time_json(job.updated_at)},
          {"finished_at", time_json(job.finished_at)}};
}

Json assessment_json(const clinic::Assessment& assessment,
                     const std::vector<clinic::AssessmentCorrection>& corrections) {
  const clinic::StoredDocument* in_force = &assessment.analysis;
  Json listed = Json::array();
  for (const clinic::AssessmentCorrection& correction : corrections) {
    if (correction.corrected) in_force = &*correction.corrected;
    Json inputs = Json::parse(correction.clinician_inputs_json, nullptr, false);
    listed.push_back({{"id", correction.id},
                      {"clinician_inputs", inputs.is_discarded() ? Json::object() : inputs},
                      {"made_by", correction.made_by},
                      {"made_at", time_json(correction.made_at)}});
  }
  return {{"id", assessment.id},
          {"scan_id", assessment.scan_id},
          {"visit_id", assessment.visit_id},
          {"patient_id", assessment.patient_id},
          {"job_id", text_or_null(assessment.job_id)},
          {"created_at", time_json(assessment.created_at)},
          {"version", in_force->version},
          {"schema", in_force->schema},
          {"analysis", document_json(*in_force)},
          {"corrected", in_force != &assessment.analysis},
          {"corrections", listed}};
}

Json comparison_json(const clinic::Comparison& comparison) {
  return {{"id", comparison.id},
          {"patient_id", comparison.patient_id},
          {"baseline_scan_id", comparison.baseline_scan_id},
          {"followup_scan_id", comparison.followup_scan_id},
          {"job_id", text_or_null(comparison.job_id)},
          {"created_at", time_json(comparison.created_at)},
          {"result", document_json(comparison.result)}};
}

Json plan_json(const clinic::Plan& plan) {
  return {{"id", plan.id},
          {"patient_id", plan.patient_id},
          {"visit_id", plan.visit_id},
          {"status", clinic::name(plan.status)},
          {"proposal", document_json(plan.proposal)},
          {"accepted", plan.accepted ? document_json(*plan.accepted) : Json(nullptr)},
          {"created_by", plan.created_by},
          {"created_at", time_json(plan.created_at)},
          {"accepted_by", text_or_null(plan.accepted_by)},
          {"accepted_at", time_json(plan.accepted_at)},
          {"acceptance_note", plan.acceptance_note}};
}

Json adverse_event_json(const clinic::AdverseEvent& event) {
  return {{"id", event.id},
          {"patient_id", event.patient_id},
          {"session_id", event.session_id},
          {"kind", clinic::name(event.kind)},
          {"severity", clinic::name(event.severity)},
          {"onset", event.onset.to_string()},
          {"resolved", event.resolved ? Json(event.resolved->to_string()) : Json(nullptr)},
          {"notes", event.notes},
          {"recorded_by", event.recorded_by},
          {"recorded_at", time_json(event.recorded_at)}};
}

Json session_json(const clinic::TreatmentSession& session, const std::vector<clinic::AdverseEvent>& events) {
  Json listed = Json::array();
  for (const clinic::AdverseEvent& event : events) listed.push_back(adverse_event_json(event));
  return {{"id", session.id},
          {"patient_id", session.patient_id},
          {"visit_id", text_or_null(session.visit_id)},
          {"plan_id", text_or_null(session.plan_id)},
          {"date", session.date.to_string()},
          {"modality", session.modality},
          {"parameters", session.parameters},
          {"region", clinic::name(session.region)},
          {"target_assessment_id", text_or_null(session.target_assessment_id)},
          {"target_scar_ids", session.target_scar_ids},
          {"operator_id", session.operator_id},
          {"notes", session.notes},
          {"recorded_by", session.recorded_by},
          {"recorded_at", time_json(session.recorded_at)},
          {"adverse_events", listed}};
}

Json audit_entry_json(const clinic::AuditEntry& entry) {
  return {{"id", entry.id},
          {"sequence", entry.sequence},
          {"at", time_json(entry.at)},
          {"user_id", text_or_null(entry.user_id)},
          {"action", clinic::name(entry.action)},
          {"object_kind", entry.object_kind},
          {"object_id", text_or_null(entry.object_id)},
          {"patient_id", text_or_null(entry.patient_id)},
          {"detail", entry.detail},
          {"hash", entry.hash}};
}

Json page_json(Json items, std::int64_t total, int limit, int offset) {
  return {{"items", std::move(items)}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

schema::Json page_schema(const std::string& item_component) {
  return object({{"items", array(schema::ref(item_component), 1000)},
                 {"total", integer(0, std::int64_t{1} << 50)},
                 {"limit", integer(1, 1000)},
                 {"offset", integer(0, std::int64_t{1} << 50)}},
                {"items", "total", "limit", "offset"});
}

schema::Json list_schema(const std::string& item_component) {
  return object({{"items", array(schema::ref(item_component), 100000)}}, {"items"});
}

}  // namespace scarscope::server
