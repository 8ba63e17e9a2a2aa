// Patients, their consents and visits: GET|POST /patients, GET|PATCH /patients/{id},
// GET|POST /patients/{id}/visits, GET|POST /patients/{id}/consents, GET /visits/{id},
// and the patient's scans, plans and comparisons.
#include "clinic/vocabulary.h"
#include "server/record_json.h"
#include "server/routes.h"

namespace scarscope::server {

namespace {

using clinic::AuditAction;

// Fields of a patient a request may set; `profile` is merged key by key (null removes a key).
void apply_patient_fields(clinic::Patient& patient, const Json& body) {
  if (body.contains("identifier")) patient.identifier = body["identifier"].get<std::string>();
  if (body.contains("name")) patient.name = body["name"].get<std::string>();
  if (body.contains("birth_year"))
    patient.birth_year = body["birth_year"].is_null() ? std::nullopt : std::optional<int>(body["birth_year"].get<int>());
  if (body.contains("sex"))
    patient.sex = body["sex"].is_null() ? std::nullopt
                                        : std::optional<clinic::Sex>(clinic::parse_sex(body["sex"].get<std::string>()));
  if (body.contains("fitzpatrick"))
    patient.fitzpatrick =
        body["fitzpatrick"].is_null() ? std::nullopt : std::optional<int>(body["fitzpatrick"].get<int>());
  if (body.contains("profile")) {
    Json profile = Json::parse(patient.profile_json, nullptr, false);
    if (!profile.is_object()) profile = Json::object();
    for (const auto& [key, value] : body["profile"].items()) {
      if (value.is_null()) profile.erase(key);
      else profile[key] = value;
    }
    patient.profile_json = profile.dump();
  }
}

clinic::Patient require_patient(const store::ClinicReader& tx, const std::string& id) {
  auto patient = tx.patient(id);
  if (!patient) throw ApiError("not_found", "no such patient", "id");
  return *patient;
}

Reply list_patients(ApiContext& api, Call& call) {
  const std::string text = call.query_value<std::string>("q", "");
  const store::PageRequest page = page_request(call);
  auto found = api.store.read(call.user().clinic_id,
                              [&](const store::ClinicReader& tx) { return tx.find_patients(text, page); });
  Json items = Json::array();
  for (const clinic::Patient& patient : found.items) items.push_back(patient_json(patient));
  // The search text may be a name: it is not written to the audit trail.
  api.audit_read(call, "patient_list", "", "", std::to_string(found.items.size()) + " shown");
  return Reply::json(page_json(std::move(items), found.total, page.limit, page.offset));
}

Reply create_patient(ApiContext& api, Call& call) {
  clinic::Patient draft;
  draft.created_by = call.user_id();
  apply_patient_fields(draft, call.body);
  const clinic::Patient created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Patient patient = tx.create_patient(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "patient", patient.id, patient.id));
    return patient;
  });
  Reply reply = Reply::json(patient_json(created), 201);
  reply.headers.emplace_back("Location", std::string(api_prefix) + "/patients/" + created.id);
  return reply;
}

Reply get_patient(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const clinic::Patient patient =
      api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) { return require_patient(tx, id); });
  api.audit_read(call, "patient", id, id);
  return Reply::json(patient_json(patient));
}

Reply update_patient(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const clinic::Patient updated = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Patient patient = require_patient(tx, id);
    apply_patient_fields(patient, call.body);
    patient = tx.update_patient(patient);
    std::string fields;
    for (const auto& [key, value] : call.body.items()) fields += (fields.empty() ? "" : ",") + key;
    tx.append_audit(ApiContext::change(call, AuditAction::update, "patient", id, id, fields));
    return patient;
  });
  return Reply::json(patient_json(updated));
}

Reply list_visits(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto visits = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    require_patient(tx, id);
    return tx.visits(id);
  });
  Json items = Json::array();
  for (const clinic::Visit& visit : visits) items.push_back(visit_json(visit));
  api.audit_read(call, "visit_list", "", id);
  return Reply::json({{"items", items}});
}

Reply create_visit(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  clinic::Visit draft;
  draft.patient_id = id;
  draft.date = CalendarDate::parse(call.body["date"].get<std::string>(), "date");
  draft.region = clinic::parse_region(call.body["region"].get<std::string>());
  draft.notes = call.body.value("notes", "");
  draft.created_by = call.user_id();
  const clinic::Visit created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    require_patient(tx, id);
    clinic::Visit visit = tx.create_visit(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "visit", visit.id, id));
    return visit;
  });
  Reply reply = Reply::json(visit_json(created), 201);
  reply.headers.emplace_back("Location", std::string(api_prefix) + "/visits/" + created.id);
  return reply;
}

Reply get_visit(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto [visit, scans, plans] = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto found = tx.visit(id);
    if (!found) throw ApiError("not_found", "no such visit", "id");
    std::vector<clinic::Plan> of_visit;
    for (clinic::Plan& plan : tx.plans_of_patient(found->patient_id))
      if (plan.visit_id == id) of_visit.push_back(std::move(plan));
    return std::make_tuple(*found, tx.scans_of_visit(id), of_visit);
  });
  Json scan_items = Json::array();
  for (const clinic::Scan& scan : scans) scan_items.push_back(scan_json(scan));
  Json plan_items = Json::array();
  for (const clinic::Plan& plan : plans) plan_items.push_back(plan_json(plan));
  api.audit_read(call, "visit", id, visit.patient_id);
  return Reply::json({{"visit", visit_json(visit)}, {"scans", scan_items}, {"plans", plan_items}});
}

Reply list_consents(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto consents = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    require_patient(tx, id);
    return tx.consents(id);
  });
  Json items = Json::array();
  for (const clinic::Consent& consent : consents) items.push_back(consent_json(consent));
  api.audit_read(call, "consent_list", "", id);
  return Reply::json({{"items", items}});
}

Reply record_consent(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  clinic::Consent draft;
  draft.patient_id = id;
  draft.kind = clinic::parse_consent_kind(call.body["kind"].get<std::string>());
  draft.state = clinic::parse_consent_state(call.body["state"].get<std::string>());
  draft.date = CalendarDate::parse(call.body["date"].get<std::string>(), "date");
  draft.note = call.body.value("note", "");
  draft.recorded_by = call.user_id();
  const clinic::Consent created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    require_patient(tx, id);
    clinic::Consent consent = tx.record_consent(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "consent", consent.id, id));
    return consent;
  });
  return Reply::json(consent_json(created), 201);
}

Reply list_scans_of_patient(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto scans = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    require_patient(tx, id);
    return tx.scans_of_patient(id);
  });
  Json items = Json::array();
  for (const clinic::Scan& scan : scans) items.push_back(scan_json(scan));
  api.audit_read(call, "scan_list", "", id);
  return Reply::json({{"items", items}});
}

Reply list_plans_of_patient(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto plans = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    require_patient(tx, id);
    return tx.plans_of_patient(id);
  });
  Json items = Json::array();
  for (const clinic::Plan& plan : plans) items.push_back(plan_json(plan));
  api.audit_read(call, "plan_list", "", id);
  return Reply::json({{"items", items}});
}

Reply list_comparisons_of_patient(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto comparisons = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    require_patient(tx, id);
    return tx.comparisons_of_patient(id);
  });
  Json items = Json::array();
  for (const clinic::Comparison& comparison : comparisons) items.push_back(comparison_json(comparison));
  api.audit_read(call, "comparison_list", "", id);
  return Reply::json({{"items", items}});
}

}  // namespace

void add_patient_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  const Json region = enumeration(clinic::region_names());
  auto patient_fields = [](bool creating) {
    std::map<std::string, Json> fields = {
        {"identifier", describe(string(100), "the clinic's own patient number (unique in the clinic when given)")},
        {"name", string(200, 1)},
        {"birth_year", nullable(integer(1900, 2200))},
        {"sex", nullable(enumeration({"female", "male", "other"}))},
        {"fitzpatrick", nullable(integer(1, 6))},
        {"profile", ref("ProfileParts")}};
    return object(fields, creating ? std::vector<std::string>{"name"} : std::vector<std::string>{});
  };
  std::vector<QueryParameter> search = paging_parameters();
  search.insert(search.begin(), {"q", string(200), "a name (contains) or identifier (starts with), any case"});

  routes.add({.method = "GET",
              .path = "/patients",
              .roles = care_team,
              .summary = "Find patients by name or identifier, a page at a time",
              .tag = "patients",
              .query = search,
              .response = {200, "application/json", page_schema("Patient")},
              .handler = [&api](Call& call) { return list_patients(api, call); }});
  routes.add({.method = "POST",
              .path = "/patients",
              .roles = care_team,
              .summary = "Register a patient: a name alone, or with any part of the planning profile",
              .tag = "patients",
              .body = Body::json,
              .request_schema = patient_fields(true),
              .response = {201, "application/json", ref("Patient")},
              .handler = [&api](Call& call) { return create_patient(api, call); },
              .errors = {"conflict", "out_of_range"}});
  routes.add({.method = "GET",
              .path = "/patients/{id}",
              .roles = care_team,
              .summary = "A patient, with what the planning profile still lacks",
              .tag = "patients",
              .response = {200, "application/json", ref("Patient")},
              .handler = [&api](Call& call) { return get_patient(api, call); }});
  routes.add({.method = "PATCH",
              .path = "/patients/{id}",
              .roles = care_team,
              .summary = "Change a patient's details or complete the profile (profile keys merge; null removes)",
              .tag = "patients",
              .body = Body::json,
              .request_schema = patient_fields(false),
              .response = {200, "application/json", ref("Patient")},
              .handler = [&api](Call& call) { return update_patient(api, call); },
              .errors = {"conflict", "out_of_range"}});
  routes.add({.method = "GET",
              .path = "/patients/{id}/visits",
              .roles = care_team,
              .summary = "The patient's visits, by date",
              .tag = "visits",
              .response = {200, "application/json", list_schema("Visit")},
              .handler = [&api](Call& call) { return list_visits(api, call); }});
  routes.add({.method = "POST",
              .path = "/patients/{id}/visits",
              .roles = care_team,
              .summary = "Record a visit (date and the region scanned or treated)",
              .tag = "visits",
              .body = Body::json,
              .request_schema = object({{"date", date()}, {"region", region}, {"notes", string(10000)}}, {"date", "region"}),
              .response = {201, "application/json", ref("Visit")},
              .handler = [&api](Call& call) { return create_visit(api, call); },
              .errors = {"out_of_range"}});
  routes.add({.method = "GET",
              .path = "/visits/{id}",
              .roles = care_team,
              .summary = "A visit with its scans and plans",
              .tag = "visits",
              .response = {200, "application/json",
                           object({{"visit", ref("Visit")},
                                   {"scans", array(ref("Scan"), 100000)},
                                   {"plans", array(ref("Plan"), 100000)}},
                                  {"visit", "scans", "plans"})},
              .handler = [&api](Call& call) { return get_visit(api, call); }});
  routes.add({.method = "GET",
              .path = "/patients/{id}/consents",
              .roles = care_team,
              .summary = "The patient's consents (treatment, photography, research), oldest first",
              .tag = "patients",
              .response = {200, "application/json", list_schema("Consent")},
              .handler = [&api](Call& call) { return list_consents(api, call); }});
  routes.add({.method = "POST",
              .path = "/patients/{id}/consents",
              .roles = care_team,
              .summary = "Record a consent given or withdrawn",
              .tag = "patients",
              .body = Body::json,
              .request_schema = object({{"kind", enumeration({"treatment", "photography", "research"})},
                                        {"state", enumeration({"given", "withdrawn"})},
                                        {"date", date()},
                                        {"note", string(2000)}},
                                       {"kind", "state", "date"}),
              .response = {201, "application/json", ref("Consent")},
              .handler = [&api](Call& call) { return record_consent(api, call); }});
  routes.add({.method = "GET",
              .path = "/patients/{id}/scans",
              .roles = care_team,
              .summary = "The patient's scans, by visit date and upload time",
              .tag = "scans",
              .response = {200, "application/json", list_schema("Scan")},
              .handler = [&api](Call& call) { return list_scans_of_patient(api, call); }});
  routes.add({.method = "GET",
              .path = "/patients/{id}/plans",
              .roles = care_team,
              .summary = "The patient's plans, oldest first",
              .tag = "plans",
              .response = {200, "application/json", list_schema("Plan")},
              .handler = [&api](Call& call) { return list_plans_of_patient(api, call); }});
  routes.add({.method = "GET",
              .path = "/patients/{id}/comparisons",
              .roles = care_team,
              .summary = "The patient's follow-up comparisons (each scan against the region's baseline)",
              .tag = "scans",
              .response = {200, "application/json", list_schema("Comparison")},
              .handler = [&api](Call& call) { return list_comparisons_of_patient(api, call); }});
}

}  // namespace scarscope::server
