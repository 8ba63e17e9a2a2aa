// Treatment sessions and adverse events: GET|POST /patients/{id}/sessions, GET /sessions/{id},
// POST /sessions/{id}/adverse-events, PATCH /adverse-events/{id}; the vocabularies a session
// form needs (GET /vocabulary); and analysis jobs (GET /jobs/{id}).
#include <condition_variable>
#include <mutex>

#include "clinic/vocabulary.h"
#include "core/error.h"
#include "server/record_json.h"
#include "server/routes.h"

namespace scarscope::server {

namespace {

using clinic::AuditAction;

std::string optional_id(const Json& body, const char* name) {
  return body.contains(name) && !body[name].is_null() ? body[name].get<std::string>() : std::string();
}

Reply list_sessions(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto [sessions, events] = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    if (!tx.patient(id)) throw ApiError("not_found", "no such patient", "id");
    return std::make_pair(tx.treatment_sessions(id), tx.adverse_events_of_patient(id));
  });
  Json items = Json::array();
  for (const clinic::TreatmentSession& session : sessions) {
    std::vector<clinic::AdverseEvent> own;
    for (const clinic::AdverseEvent& event : events)
      if (event.session_id == session.id) own.push_back(event);
    items.push_back(session_json(session, own));
  }
  api.audit_read(call, "session_list", "", id);
  return Reply::json({{"items", items}});
}

Reply record_session(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const Json& body = call.body;
  clinic::TreatmentSession draft;
  draft.patient_id = id;
  draft.date = CalendarDate::parse(body["date"].get<std::string>(), "date");
  draft.modality = body["modality"].get<std::string>();
  draft.parameters = body.value("parameters", std::map<std::string, double>{});
  draft.region = clinic::parse_region(body["region"].get<std::string>());
  draft.visit_id = optional_id(body, "visit_id");
  draft.plan_id = optional_id(body, "plan_id");
  draft.target_assessment_id = optional_id(body, "target_assessment_id");
  draft.target_scar_ids = body.value("target_scar_ids", std::vector<int>{});
  draft.operator_id = body.contains("operator_id") ? body["operator_id"].get<std::string>() : call.user_id();
  draft.notes = body.value("notes", "");
  draft.recorded_by = call.user_id();
  const clinic::TreatmentSession created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    if (!tx.patient(id)) throw ApiError("not_found", "no such patient", "id");
    // Ids the session refers to must be this patient's (another clinic's are simply unknown).
    if (!draft.visit_id.empty()) {
      auto visit = tx.visit(draft.visit_id);
      if (!visit || visit->patient_id != id) throw ApiError("not_found", "no such visit of this patient", "visit_id");
    }
    if (!draft.plan_id.empty()) {
      auto plan = tx.plan(draft.plan_id);
      if (!plan || plan->patient_id != id) throw ApiError("not_found", "no such plan of this patient", "plan_id");
    }
    if (!draft.target_assessment_id.empty()) {
      auto assessment = tx.assessment(draft.target_assessment_id);
      if (!assessment || assessment->patient_id != id)
        throw ApiError("not_found", "no such assessment of this patient", "target_assessment_id");
    }
    if (!tx.user(draft.operator_id)) throw ApiError("not_found", "no such user in this clinic", "operator_id");
    clinic::TreatmentSession session = tx.record_treatment_session(draft, api.vocabulary);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "session", session.id, id, session.modality));
    return session;
  });
  return Reply::json(session_json(created, {}), 201);
}

Reply get_session(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto [session, events] = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto found = tx.treatment_session(id);
    if (!found) throw ApiError("not_found", "no such session", "id");
    return std::make_pair(*found, tx.adverse_events_of_session(id));
  });
  api.audit_read(call, "session", id, session.patient_id);
  return Reply::json(session_json(session, events));
}

Reply record_adverse_event(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const Json& body = call.body;
  clinic::AdverseEvent draft;
  draft.session_id = id;
  draft.kind = clinic::parse_adverse_event_kind(body["kind"].get<std::string>());
  draft.severity = clinic::parse_severity(body["severity"].get<std::string>());
  draft.onset = CalendarDate::parse(body["onset"].get<std::string>(), "onset");
  if (body.contains("resolved") && !body["resolved"].is_null())
    draft.resolved = CalendarDate::parse(body["resolved"].get<std::string>(), "resolved");
  draft.notes = body.value("notes", "");
  draft.recorded_by = call.user_id();
  if (draft.resolved && *draft.resolved < draft.onset)
    throw InputError("resolved must not be before onset", ErrorCode::out_of_range, "resolved");
  const clinic::AdverseEvent created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    auto session = tx.treatment_session(id);
    if (!session) throw ApiError("not_found", "no such session", "id");
    draft.patient_id = session->patient_id;
    clinic::AdverseEvent event = tx.record_adverse_event(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "adverse_event", event.id, event.patient_id,
                                       std::string(clinic::name(event.kind))));
    return event;
  });
  return Reply::json(adverse_event_json(created), 201);
}

Reply update_adverse_event(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const Json& body = call.body;
  const clinic::AdverseEvent updated = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    auto event = tx.adverse_event(id);
    if (!event) throw ApiError("not_found", "no such adverse event", "id");
    if (body.contains("resolved"))
      event->resolved = body["resolved"].is_null()
                            ? std::nullopt
                            : std::optional<CalendarDate>(CalendarDate::parse(body["resolved"].get<std::string>(), "resolved"));
    if (body.contains("severity")) event->severity = clinic::parse_severity(body["severity"].get<std::string>());
    if (body.contains("notes")) event->notes = body["notes"].get<std::string>();
    if (event->resolved && *event->resolved < event->onset)
      throw InputError("resolved must not be before onset", ErrorCode::out_of_range, "resolved");
    clinic::AdverseEvent stored = tx.update_adverse_event(*event);
    tx.append_audit(ApiContext::change(call, AuditAction::update, "adverse_event", id, stored.patient_id));
    return stored;
  });
  return Reply::json(adverse_event_json(updated));
}

bool job_ended(const clinic::Job& job) {
  return job.state == clinic::JobState::done || job.state == clinic::JobState::failed ||
         job.state == clinic::JobState::cancelled;
}

Reply get_job(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  // ?wait=N: a long poll that answers as soon as the job has ended, or after N seconds.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(call.query_value<std::int64_t>("wait", 0));
  while (true) {
    const std::uint64_t seen = api.job_attempts_ended();
    const clinic::Job job = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
      auto found = tx.job(id);
      if (!found) throw ApiError("not_found", "no such job", "id");
      return *found;
    });
    const auto now = std::chrono::steady_clock::now();
    if (job_ended(job) || now >= deadline) return Reply::json(job_json(job));
    // Woken when an in-process worker ends an attempt; a job another process runs is looked at
    // again twice a second.
    const auto slice = std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(500));
    if (api.wait_for_job_attempts) {
      api.wait_for_job_attempts(seen, std::chrono::duration_cast<std::chrono::milliseconds>(slice) +
                                          std::chrono::milliseconds(1));
    } else {
      std::mutex mutex;
      std::condition_variable never;
      std::unique_lock lock(mutex);
      never.wait_for(lock, slice);
    }
  }
}

Reply vocabulary(ApiContext& api, Call&) {
  Json modalities = Json::array();
  for (const std::string& modality : api.vocabulary.modalities) {
    Json parameters = Json::object();
    auto found = api.vocabulary.parameters.find(modality);
    if (found != api.vocabulary.parameters.end()) {
      for (const auto& [name, range] : found->second) {
        parameters[name] = {{"min", range.min},
                            {"max", range.max},
                            {"unit", range.unit},
                            {"description", range.description},
                            {"citations", range.citations},
                            {"confirmed", range.confirmed}};
      }
    }
    modalities.push_back({{"id", modality}, {"parameters", parameters}});
  }
  return Reply::json({{"version", api.vocabulary.version},
                      {"regions", clinic::region_names()},
                      {"modalities", modalities},
                      {"adverse_event_kinds", clinic::adverse_event_kind_names()},
                      {"severities", {"mild", "moderate", "severe"}},
                      {"consent_kinds", {"treatment", "photography", "research"}},
                      {"roles", clinic::role_names()}});
}

}  // namespace

void add_session_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  const Json region = enumeration(clinic::region_names());
  const Json severity = enumeration({"mild", "moderate", "severe"});
  routes.add({.method = "GET",
              .path = "/patients/{id}/sessions",
              .roles = care_team,
              .summary = "The treatment sessions given to the patient, by date, with their adverse events",
              .tag = "sessions",
              .response = {200, "application/json", list_schema("Session")},
              .handler = [&api](Call& call) { return list_sessions(api, call); }});
  routes.add({.method = "POST",
              .path = "/patients/{id}/sessions",
              .roles = care_team,
              .summary = "Record a treatment session; its parameters are checked against the modality's ranges "
                         "(GET /vocabulary)",
              .tag = "sessions",
              .body = Body::json,
              .request_schema =
                  object({{"date", date()},
                          {"modality", describe(string(100, 1), "a modality id of GET /vocabulary")},
                          {"parameters", map_of(number(-1.0e9, 1.0e9), 50)},
                          {"region", region},
                          {"visit_id", nullable(record_id())},
                          {"plan_id", nullable(record_id())},
                          {"target_assessment_id", nullable(record_id())},
                          {"target_scar_ids", array(integer(1, 1000000), 10000)},
                          {"operator_id", describe(record_id(), "the user who treated; default: the caller")},
                          {"notes", string(10000)}},
                         {"date", "modality", "region"}),
              .response = {201, "application/json", ref("Session")},
              .handler = [&api](Call& call) { return record_session(api, call); },
              .errors = {"out_of_range", "unknown_field"}});
  routes.add({.method = "GET",
              .path = "/sessions/{id}",
              .roles = care_team,
              .summary = "A treatment session with its adverse events",
              .tag = "sessions",
              .response = {200, "application/json", ref("Session")},
              .handler = [&api](Call& call) { return get_session(api, call); }});
  routes.add({.method = "POST",
              .path = "/sessions/{id}/adverse-events",
              .roles = care_team,
              .summary = "Record a side effect of a session",
              .tag = "sessions",
              .body = Body::json,
              .request_schema = object({{"kind", enumeration(clinic::adverse_event_kind_names())},
                                        {"severity", severity},
                                        {"onset", date()},
                                        {"resolved", nullable(date())},
                                        {"notes", string(10000)}},
                                       {"kind", "severity", "onset"}),
              .response = {201, "application/json", ref("AdverseEvent")},
              .handler = [&api](Call& call) { return record_adverse_event(api, call); }});
  routes.add({.method = "PATCH",
              .path = "/adverse-events/{id}",
              .roles = care_team,
              .summary = "Record the resolution (or correct severity and notes) of a side effect",
              .tag = "sessions",
              .body = Body::json,
              .request_schema = object({{"resolved", nullable(date())}, {"severity", severity}, {"notes", string(10000)}}),
              .response = {200, "application/json", ref("AdverseEvent")},
              .handler = [&api](Call& call) { return update_adverse_event(api, call); }});
  routes.add({.method = "GET",
              .path = "/jobs/{id}",
              .roles = care_team,
              .summary = "An analysis or comparison job: state, progress, stage, attempts and error (wait=N: "
                         "answer as soon as it has ended, or after N seconds)",
              .tag = "scans",
              .query = {{"wait", schema::integer(0, 30), "long poll: seconds to wait for the job to end (default 0)"}},
              .response = {200, "application/json", ref("Job")},
              .handler = [&api](Call& call) { return get_job(api, call); }});
  routes.add(
      {.method = "GET",
       .path = "/vocabulary",
       .roles = all_staff,
       .summary = "Regions, modalities with their session parameters and accepted ranges, adverse-event kinds",
       .tag = "sessions",
       .response = {200, "application/json",
                    object({{"version", string(100)},
                            {"regions", array(string(50))},
                            {"modalities",
                             array(object({{"id", string(100)},
                                           {"parameters",
                                            map_of(object({{"min", Json{{"type", "number"}}},
                                                           {"max", Json{{"type", "number"}}},
                                                           {"unit", string(50)},
                                                           {"description", string(1000)},
                                                           {"citations", array(string(2000))},
                                                           {"confirmed", boolean()}},
                                                          {"min", "max", "unit", "description", "citations",
                                                           "confirmed"}))}},
                                          {"id", "parameters"}))},
                            {"adverse_event_kinds", array(string(100))},
                            {"severities", array(string(50))},
                            {"consent_kinds", array(string(50))},
                            {"roles", array(string(50))}},
                           {"version", "regions", "modalities", "adverse_event_kinds", "severities", "consent_kinds",
                            "roles"})},
       .handler = [&api](Call& call) { return vocabulary(api, call); }});
}

}  // namespace scarscope::server
