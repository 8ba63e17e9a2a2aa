// What the record says over time: GET /patients/{id}/progress (the library's series over the
// patient's visits of one region, from the stored comparisons), GET /patients/{id}/export.csv (the
// course, for a spreadsheet), GET /outcomes (per clinic and modality: descriptive, not efficacy).
#include <algorithm>
#include <cmath>
#include <set>

#include "clinic/vocabulary.h"
#include "core/error.h"
#include "server/record_json.h"
#include "server/routes.h"
#include "server/scan_jobs.h"
#include "workflows/assessment.h"
#include "workflows/progress_series.h"

namespace scarscope::server {

namespace {

using clinic::AuditAction;

// ---- Progress -------------------------------------------------------------------------------

Reply progress(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  struct Visit {
    clinic::Scan scan;
    clinic::Visit visit;
    std::optional<ScarInventory> scars;
    std::optional<clinic::Comparison> comparison;  // against the baseline
  };
  struct Course {
    std::string region;
    std::vector<Visit> visits;
  };
  const Course course = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    if (!tx.patient(id)) throw ApiError("not_found", "no such patient", "id");
    const std::vector<clinic::Visit> visits = tx.visits(id);
    std::map<std::string, clinic::Visit> by_id;
    for (const clinic::Visit& visit : visits) by_id[visit.id] = visit;
    Course found;
    std::optional<clinic::Region> region;
    if (call.query.contains("region")) {
      region = clinic::parse_region(call.query["region"].get<std::string>());
    } else {
      // The region of the patient's first scan.
      for (const clinic::Scan& scan : tx.scans_of_patient(id)) {
        region = by_id.at(scan.visit_id).region;
        break;
      }
    }
    if (!region) return found;
    found.region = std::string(clinic::name(*region));
    const std::vector<clinic::Comparison> comparisons = tx.comparisons_of_patient(id);
    const std::vector<clinic::Scan> scans = scans_of_region(tx, id, *region);
    for (const clinic::Scan& scan : scans) {
      Visit visit{scan, by_id.at(scan.visit_id), std::nullopt, std::nullopt};
      if (auto assessment = tx.latest_assessment_of_scan(scan.id)) {
        const clinic::StoredDocument& document = document_in_force(*assessment, tx.corrections(assessment->id));
        visit.scars = assessment_from_json(Json::parse(document.json), "assessment " + assessment->id).scars;
      }
      for (const clinic::Comparison& comparison : comparisons)  // oldest first: the latest wins
        if (comparison.baseline_scan_id == scans.front().id && comparison.followup_scan_id == scan.id)
          visit.comparison = comparison;
      found.visits.push_back(std::move(visit));
    }
    return found;
  });

  Json visits = Json::array();
  Json pending = Json::array();
  std::vector<ScarInventory> visit_scars;
  std::vector<Comparison> comparisons;
  for (std::size_t index = 0; index < course.visits.size(); ++index) {
    const Visit& visit = course.visits[index];
    const bool baseline = index == 0;
    std::string waiting;
    if (!visit.scars) waiting = "not analysed yet";
    else if (!baseline && !course.visits.front().scars) waiting = "the baseline is not analysed yet";
    else if (!baseline && !visit.comparison) waiting = "not compared with the baseline yet";
    if (!waiting.empty()) {
      if (baseline) {
        pending.push_back({{"scan_id", visit.scan.id}, {"visit_id", visit.visit.id}, {"reason", waiting}});
        break;
      }
      pending.push_back({{"scan_id", visit.scan.id}, {"visit_id", visit.visit.id}, {"reason", waiting}});
      continue;
    }
    visit_scars.push_back(*visit.scars);
    if (!baseline)
      comparisons.push_back(comparison_from_json(Json::parse(visit.comparison->result.json), "comparison"));
    visits.push_back({{"scan_id", visit.scan.id},
                      {"visit_id", visit.visit.id},
                      {"date", visit.visit.date.to_string()},
                      {"comparison_id", baseline ? Json(nullptr) : Json(visit.comparison->id)}});
  }
  Json series = nullptr;
  if (visit_scars.size() >= 2) series = to_json(progress_series(visit_scars, std::move(comparisons)));
  api.audit_read(call, "progress", "", id, course.region);
  return Reply::json({{"region", course.region.empty() ? Json(nullptr) : Json(course.region)},
                      {"visits", visits},
                      {"pending", pending},
                      {"series", series}});
}

// ---- Export ---------------------------------------------------------------------------------

// One CSV field: quoted when it holds a separator, a quote or a line break; a leading = + - @ is
// neutralised so a spreadsheet never runs it as a formula.
std::string csv_field(std::string text) {
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t'))
    text.insert(text.begin(), '\'');
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string number_text(double value, int decimals) {
  if (!std::isfinite(value)) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

Reply export_csv(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  struct Row {
    std::string date, event, id, region, what, value, detail;
  };
  std::vector<Row> rows = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    if (!tx.patient(id)) throw ApiError("not_found", "no such patient", "id");
    std::vector<Row> found;
    std::map<std::string, clinic::Visit> visits;
    for (const clinic::Visit& visit : tx.visits(id)) {
      visits[visit.id] = visit;
      found.push_back({visit.date.to_string(), "visit", visit.id, std::string(clinic::name(visit.region)), "", "", ""});
    }
    for (const clinic::Scan& scan : tx.scans_of_patient(id)) {
      const clinic::Visit& visit = visits.at(scan.visit_id);
      found.push_back({visit.date.to_string(), "scan", scan.id, std::string(clinic::name(visit.region)), scan.format,
                       std::to_string(scan.size_bytes), scan.file_name});
      if (auto assessment = tx.latest_assessment_of_scan(scan.id)) {
        const auto corrections = tx.corrections(assessment->id);
        const Json document = Json::parse(document_in_force(*assessment, corrections).json);
        const std::size_t count = document.value("scars", Json::array()).size();
        found.push_back({visit.date.to_string(), "assessment", assessment->id, std::string(clinic::name(visit.region)),
                         corrections.empty() ? "as analysed" : "corrected", std::to_string(count) + " scars",
                         "scan " + scan.id});
      }
    }
    for (const clinic::Comparison& comparison : tx.comparisons_of_patient(id)) {
      const Json result = Json::parse(comparison.result.json);
      auto scan = tx.scan(comparison.followup_scan_id);
      const clinic::Visit& visit = visits.at(scan->visit_id);
      const Json global = result.value("global", Json::object());
      found.push_back({visit.date.to_string(), "comparison", comparison.id, std::string(clinic::name(visit.region)),
                       "volume change % vs baseline",
                       global.contains("volume_change_pct") && global["volume_change_pct"].is_number()
                           ? number_text(global["volume_change_pct"].get<double>(), 1)
                           : "",
                       "baseline scan " + comparison.baseline_scan_id + ", follow-up scan " + comparison.followup_scan_id});
    }
    for (const clinic::Plan& plan : tx.plans_of_patient(id)) {
      const clinic::Visit& visit = visits.at(plan.visit_id);
      found.push_back({visit.date.to_string(), "plan", plan.id, std::string(clinic::name(visit.region)),
                       std::string(clinic::name(plan.status)),
                       plan.accepted_at ? clinic::format_timestamp(*plan.accepted_at).substr(0, 10) : "",
                       plan.acceptance_note});
    }
    for (const clinic::TreatmentSession& session : tx.treatment_sessions(id)) {
      std::string parameters;
      for (const auto& [name, value] : session.parameters)
        parameters += (parameters.empty() ? "" : "; ") + name + "=" + number_text(value, 3);
      found.push_back({session.date.to_string(), "session", session.id, std::string(clinic::name(session.region)),
                       session.modality, parameters, session.notes});
      for (const clinic::AdverseEvent& event : tx.adverse_events_of_session(session.id)) {
        found.push_back({event.onset.to_string(), "adverse_event", event.id, std::string(clinic::name(session.region)),
                         std::string(clinic::name(event.kind)), std::string(clinic::name(event.severity)),
                         event.resolved ? "resolved " + event.resolved->to_string() : "unresolved"});
      }
    }
    return found;
  });
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.date < b.date; });
  std::string csv = "date,event,id,region,what,value,detail\r\n";
  for (const Row& row : rows) {
    csv += csv_field(row.date) + "," + csv_field(row.event) + "," + csv_field(row.id) + "," + csv_field(row.region) +
           "," + csv_field(row.what) + "," + csv_field(row.value) + "," + csv_field(row.detail) + "\r\n";
  }
  api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    tx.append_audit(ApiContext::change(call, AuditAction::export_, "patient", id, id, "csv"));
  });
  Reply reply = Reply::bytes(std::move(csv), "text/csv; charset=utf-8");
  reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"course-" + id + ".csv\"");
  return reply;
}

// ---- Outcomes -------------------------------------------------------------------------------

Json quartiles(std::vector<double> values) {
  if (values.empty()) return {{"median", nullptr}, {"q1", nullptr}, {"q3", nullptr}};
  std::sort(values.begin(), values.end());
  auto at = [&](double fraction) {
    const double position = fraction * static_cast<double>(values.size() - 1);
    const std::size_t below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, values.size() - 1);
    return values[below] + (values[above] - values[below]) * (position - static_cast<double>(below));
  };
  return {{"median", at(0.5)}, {"q1", at(0.25)}, {"q3", at(0.75)}};
}

Reply outcomes(ApiContext& api, Call& call) {
  // Per patient and region: the latest comparison of the latest follow-up with the baseline, the
  // sessions given in that region before the follow-up, and each matched scar's measured change.
  struct Group {
    std::set<std::string> patients;
    std::size_t scars = 0;
    std::vector<double> volume_change_pct;
    std::vector<double> days_since_last_session;
    std::map<std::string, std::size_t> combinations;  // "subcision+tca_cross" -> patients
  };
  std::map<std::string, Group> by_modality;
  std::map<std::string, Group> by_combination;
  const std::string clinic_name = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    const std::vector<clinic::TreatmentSession> sessions = tx.all_treatment_sessions();
    std::map<std::string, std::vector<const clinic::TreatmentSession*>> sessions_of_patient;
    for (const clinic::TreatmentSession& session : sessions) sessions_of_patient[session.patient_id].push_back(&session);
    for (const auto& [patient_id, given] : sessions_of_patient) {
      std::map<std::string, clinic::Visit> visits;
      for (const clinic::Visit& visit : tx.visits(patient_id)) visits[visit.id] = visit;
      // The latest comparison per region (by follow-up date, then storage order).
      std::map<clinic::Region, std::pair<CalendarDate, clinic::Comparison>> latest;
      for (const clinic::Comparison& comparison : tx.comparisons_of_patient(patient_id)) {
        auto scan = tx.scan(comparison.followup_scan_id);
        if (!scan) continue;
        const clinic::Visit& visit = visits.at(scan->visit_id);
        auto found = latest.find(visit.region);
        if (found == latest.end() || !(visit.date < found->second.first))
          latest.insert_or_assign(visit.region, std::make_pair(visit.date, comparison));
      }
      for (const auto& [region, dated] : latest) {
        const auto& [followup_date, comparison] = dated;
        std::set<std::string> modalities;
        std::optional<CalendarDate> last_session;
        for (const clinic::TreatmentSession* session : given) {
          if (session->region != region || followup_date < session->date) continue;
          modalities.insert(session->modality);
          if (!last_session || *last_session < session->date) last_session = session->date;
        }
        if (modalities.empty()) continue;
        std::vector<double> changes;
        const Json result = Json::parse(comparison.result.json);
        for (const Json& scar : result.value("scars", Json::array())) {
          const std::string status = scar.value("status", "");
          if (status != "improved" && status != "stable" && status != "worse" && status != "resolved") continue;
          if (scar.contains("volume_change_pct") && scar["volume_change_pct"].is_number())
            changes.push_back(scar["volume_change_pct"].get<double>());
        }
        std::string combination;
        for (const std::string& modality : modalities) combination += (combination.empty() ? "" : "+") + modality;
        const double days = last_session ? static_cast<double>((followup_date.day - last_session->day).count()) : 0.0;
        auto add = [&](Group& group) {
          group.patients.insert(patient_id);
          group.scars += changes.size();
          group.volume_change_pct.insert(group.volume_change_pct.end(), changes.begin(), changes.end());
          group.days_since_last_session.push_back(days);
          group.combinations[combination] += 1;
        };
        for (const std::string& modality : modalities) add(by_modality[modality]);
        add(by_combination[combination]);
      }
    }
    return tx.clinic().name;
  });
  auto rows = [](const std::map<std::string, Group>& groups, const char* key) {
    Json listed = Json::array();
    for (const auto& [name, group] : groups) {
      Json combinations = Json::array();
      for (const auto& [combination, patients] : group.combinations)
        combinations.push_back({{"modalities", combination}, {"patients", patients}});
      listed.push_back({{key, name},
                        {"patients", group.patients.size()},
                        {"scars", group.scars},
                        {"volume_change_pct", quartiles(group.volume_change_pct)},
                        {"days_since_last_session", quartiles(group.days_since_last_session)},
                        {"combinations", combinations}});
    }
    return listed;
  };
  return Reply::json(
      {{"label",
        "Descriptive, not efficacy: measured volume change of each matched scar between the baseline and the latest "
        "follow-up scan of a region, grouped by the treatments the patient received there before that scan; no "
        "control group, no adjustment, selection as recorded."},
       {"clinic", clinic_name},
       {"by_modality", rows(by_modality, "modality")},
       {"by_combination", rows(by_combination, "modalities")}});
}

}  // namespace

void add_report_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  const Json nullable_number = nullable(Json{{"type", "number"}});
  const Json spread = object({{"median", nullable_number}, {"q1", nullable_number}, {"q3", nullable_number}},
                             {"median", "q1", "q3"});
  auto group = [&](const char* key) {
    return object({{key, string(1000)},
                   {"patients", integer(0, std::int64_t{1} << 40)},
                   {"scars", integer(0, std::int64_t{1} << 40)},
                   {"volume_change_pct", spread},
                   {"days_since_last_session", spread},
                   {"combinations",
                    array(object({{"modalities", string(1000)}, {"patients", integer(0, std::int64_t{1} << 40)}},
                                 {"modalities", "patients"}),
                          10000)}},
                  {key, "patients", "scars", "volume_change_pct", "days_since_last_session", "combinations"});
  };
  routes.add({.method = "GET",
              .path = "/patients/{id}/progress",
              .roles = care_team,
              .summary = "The course of one region (default: the region of the first scan): per-scar and total "
                         "volume and depth at each visit against the baseline, with each scar's minimal detectable "
                         "change and status",
              .tag = "reports",
              .query = {{"region", enumeration(clinic::region_names()), "the body region"}},
              .response = {200, "application/json",
                           object({{"region", nullable(enumeration(clinic::region_names()))},
                                   {"visits", array(object({{"scan_id", record_id()},
                                                            {"visit_id", record_id()},
                                                            {"date", date()},
                                                            {"comparison_id", nullable(record_id())}},
                                                           {"scan_id", "visit_id", "date", "comparison_id"}),
                                                    10000)},
                                   {"pending", array(object({{"scan_id", record_id()},
                                                             {"visit_id", record_id()},
                                                             {"reason", string(200)}},
                                                            {"scan_id", "visit_id", "reason"}),
                                                     10000)},
                                   {"series", nullable(document("the library's series JSON (compare --series): "
                                                                "visits, scars (trajectories), comparisons"))}},
                                  {"region", "visits", "pending", "series"})},
              .handler = [&api](Call& call) { return progress(api, call); }});
  routes.add({.method = "GET",
              .path = "/patients/{id}/export.csv",
              .roles = clinicians,
              .summary = "The patient's course as CSV (visits, scans, assessments, comparisons, plans, sessions, "
                         "adverse events by date); audited as an export",
              .tag = "reports",
              .response = {200, "text/csv", {}, "date,event,id,region,what,value,detail"},
              .handler = [&api](Call& call) { return export_csv(api, call); }});
  routes.add({.method = "GET",
              .path = "/outcomes",
              .roles = {clinic::Role::admin, clinic::Role::clinician},
              .summary = "Per modality and combination given: patients, scars, median and IQR of measured volume "
                         "change against baseline, time since the last session. Descriptive, not efficacy",
              .tag = "reports",
              .response = {200, "application/json",
                           object({{"label", string(2000)},
                                   {"clinic", string(500)},
                                   {"by_modality", array(group("modality"), 10000)},
                                   {"by_combination", array(group("modalities"), 10000)}},
                                  {"label", "clinic", "by_modality", "by_combination"})},
              .handler = [&api](Call& call) { return outcomes(api, call); }});
}

}  // namespace scarscope::server
