// The course as a FHIR R4 Bundle of type "collection". Standard code systems where FHIR R4 defines
// the codes (UCUM units, observation categories, encounter class, consent scope, adverse-event
// severity and outcome, media type); ScarScope's own vocabularies (scar types, measurements, grades,
// modalities, regions, adverse-event kinds) as local code systems, each declared in the bundle as a
// CodeSystem resource with every code and its meaning, so a receiver knows exactly what they are.
// No profile is claimed (meta.profile is never set).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "clinic/vocabulary.h"
#include "core/sha256.h"
#include "report/report_format.h"
#include "report/reports.h"

namespace scarscope::report {

namespace {

using nlohmann::json;

constexpr const char* kLocal = "urn:scarscope:fhir:";  // every local code system, extension and identifier
constexpr const char* kUcum = "http://unitsofmeasure.org";

std::string local_system(const std::string& name) { return std::string(kLocal) + "CodeSystem:" + name; }

// A stable UUID for a record (the same record gives the same resource id in every export):
// SHA-256 of its kind and opaque id, laid out as an RFC 9562 version-8 (custom) UUID.
std::string record_uuid(const std::string& kind, const std::string& id) {
  std::string hex = sha256_hex("scarscope-fhir:" + kind + ":" + id).substr(0, 32);
  hex[12] = '8';
  const int variant = (std::stoi(hex.substr(16, 1), nullptr, 16) & 0x3) | 0x8;
  hex[16] = "0123456789abcdef"[variant];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string instant(clinic::Timestamp moment) { return iso_seconds(moment) + "Z"; }

double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

json quantity(double value, int decimals, const std::string& unit, const std::string& ucum_code) {
  json q = {{"value", rounded(value, decimals)}, {"unit", unit}};
  if (!ucum_code.empty()) {
    q["system"] = kUcum;
    q["code"] = ucum_code;
  }
  return q;
}

// UCUM codes of the units kb/session_parameters.json uses; a needle gauge has none.
std::string ucum_of(const std::string& unit) {
  static const std::map<std::string, std::string> codes = {{"%", "%"},       {"mm", "mm"},          {"mJ", "mJ"},
                                                           {"J/cm2", "J/cm2"}, {"mg/mL", "mg/mL"}, {"µm", "um"},
                                                           {"mm3", "mm3"}, {"mm2", "mm2"}};
  const auto found = codes.find(unit);
  return found == codes.end() ? std::string() : found->second;
}

// The local code systems, filled as codes are used, then written out as CodeSystem resources.
class LocalCodes {
 public:
  json coding(const std::string& system, const std::string& code, const std::string& display,
              const std::string& definition = {}) {
    auto& concepts = systems_[system];
    concepts.emplace(code, std::make_pair(display, definition.empty() ? display : definition));
    return {{"system", local_system(system)}, {"code", code}, {"display", display}};
  }
  json codeable(const std::string& system, const std::string& code, const std::string& display,
               const std::string& definition = {}) {
    return {{"coding", json::array({coding(system, code, display, definition)})}, {"text", display}};
  }

  std::vector<json> code_systems(const std::string& version) const {
    static const std::map<std::string, std::string> titles = {
        {"observation", "ScarScope observations (a measured scar and its measurements, grades)"},
        {"scar-type", "ScarScope scar types (DESIGN.md; Jacob 2001)"},
        {"region", "ScarScope body regions of a visit or session"},
        {"modality", "ScarScope treatment modalities (kb/treatments.json)"},
        {"adverse-event", "ScarScope adverse-event kinds of a treatment session"},
        {"consent-kind", "ScarScope consent kinds"}};
    std::vector<json> resources;
    for (const auto& [system, concepts] : systems_) {
      json listed = json::array();
      for (const auto& [code, words] : concepts) {
        listed.push_back({{"code", code}, {"display", words.first}, {"definition", words.second}});
      }
      const auto title = titles.find(system);
      resources.push_back({{"resourceType", "CodeSystem"},
                           {"id", record_uuid("codesystem", system)},
                           {"url", local_system(system)},
                           {"version", version},
                           {"name", "ScarScope_" + system},
                           {"title", title != titles.end() ? title->second : system},
                           {"status", "active"},
                           {"experimental", false},
                           {"publisher", "ScarScope"},
                           {"description",
                            "A local code system of ScarScope, not registered with HL7 or any terminology body: the "
                            "codes are ScarScope's own identifiers, listed here with their meaning."},
                           {"caseSensitive", true},
                           {"content", "fragment"},
                           {"count", concepts.size()},
                           {"concept", listed}});
    }
    return resources;
  }

 private:
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> systems_;
};

class FhirExport {
 public:
  FhirExport(const PatientCourse& course, const ReportContext& context) : course_(course), context_(context) {}

  json build() {
    organization();
    patient();
    for (const clinic::Consent& consent : course_.consents) this->consent(consent);
    for (const CourseVisit& visit : course_.visits) {
      encounter(visit);
      for (const CourseScan& scan : visit.scans) this->scan(visit, scan);
    }
    for (const CoursePlan& plan : course_.plans) {
      if (plan.plan.status != clinic::PlanStatus::proposed) care_plan(plan);
    }
    for (const CourseSession& session : course_.sessions) procedure(session);
    for (const json& system : codes_.code_systems(SCARSCOPE_VERSION)) entries_.push_back(entry(system));
    return {{"resourceType", "Bundle"},
            {"id", record_uuid("bundle", course_.patient.id + "@" + instant(context_.generated_at))},
            {"identifier", {{"system", std::string(kLocal) + "export"},
                            {"value", course_.patient.id + "@" + instant(context_.generated_at)}}},
            {"type", "collection"},
            {"timestamp", instant(context_.generated_at)},
            {"entry", entries_}};
  }

 private:
  static json entry(const json& resource) {
    return {{"fullUrl", "urn:uuid:" + resource["id"].get<std::string>()}, {"resource", resource}};
  }
  static json reference(const std::string& uuid, const std::string& display = {}) {
    json r = {{"reference", "urn:uuid:" + uuid}};
    if (!display.empty()) r["display"] = display;
    return r;
  }
  json record_identifier(const std::string& kind, const std::string& id) const {
    return {{"system", std::string(kLocal) + "record:" + kind}, {"value", id}};
  }
  json region(clinic::Region region) {
    const std::string name(clinic::name(region));
    return codes_.codeable("region", name, context_.text.region(name));
  }
  std::string modality_name(const std::string& modality) const {
    if (context_.knowledge.treatments) {
      const auto found = context_.knowledge.treatments->modalities.find(modality);
      if (found != context_.knowledge.treatments->modalities.end()) return found->second.name;
    }
    return modality;
  }
  json modality(const std::string& id) { return codes_.codeable("modality", id, modality_name(id)); }
  json staff(const std::string& user_id) const { return {{"display", course_.staff_name(user_id)}}; }

  void organization() {
    organization_ = record_uuid("clinic", course_.clinic.id);
    entries_.push_back(entry({{"resourceType", "Organization"},
                              {"id", organization_},
                              {"identifier", json::array({record_identifier("clinic", course_.clinic.id)})},
                              {"active", true},
                              {"name", course_.clinic.name}}));
  }

  void patient() {
    const clinic::Patient& p = course_.patient;
    patient_ = record_uuid("patient", p.id);
    json identifiers = json::array({record_identifier("patient", p.id)});
    if (!p.identifier.empty()) {
      identifiers.push_back({{"use", "usual"},
                             {"system", std::string(kLocal) + "clinic:" + course_.clinic.id + ":patient-identifier"},
                             {"value", p.identifier}});
    }
    json resource = {{"resourceType", "Patient"},
                     {"id", patient_},
                     {"identifier", identifiers},
                     {"active", true},
                     {"name", json::array({{{"text", p.name}}})},
                     {"managingOrganization", reference(organization_, course_.clinic.name)}};
    if (p.sex) resource["gender"] = std::string(clinic::name(*p.sex));  // female, male, other: FHIR's codes too
    if (p.birth_year) resource["birthDate"] = std::to_string(*p.birth_year);  // a year is a valid FHIR date
    entries_.push_back(entry(resource));
  }

  void consent(const clinic::Consent& consent) {
    static const std::map<clinic::ConsentKind, std::pair<const char*, const char*>> scopes = {
        {clinic::ConsentKind::treatment, {"treatment", "Treatment"}},
        {clinic::ConsentKind::photography, {"patient-privacy", "Privacy Consent"}},
        {clinic::ConsentKind::research, {"research", "Research"}}};
    const auto& [scope, scope_display] = scopes.at(consent.kind);
    const std::string kind(clinic::name(consent.kind));
    const bool given = consent.state == clinic::ConsentState::given;
    entries_.push_back(entry(
        {{"resourceType", "Consent"},
         {"id", record_uuid("consent", consent.id)},
         {"identifier", json::array({record_identifier("consent", consent.id)})},
         {"status", given ? "active" : "inactive"},
         {"scope",
          {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/consentscope"},
                                    {"code", scope},
                                    {"display", scope_display}}})}}},
         {"category", json::array({{{"coding", json::array({{{"system", "http://loinc.org"}, {"code", "59284-0"},
                                                              {"display", "Patient Consent"}}})}},
                                   codes_.codeable("consent-kind", kind, "Consent to " + kind)})},
         {"patient", reference(patient_, course_.patient.name)},
         {"dateTime", consent.date.to_string()},
         {"organization", json::array({reference(organization_, course_.clinic.name)})},
         {"policyRule", {{"text", "The clinic's " + kind + " consent, " + (given ? "given" : "withdrawn") +
                                      (consent.note.empty() ? "" : ": " + consent.note)}}},
         {"provision", {{"type", given ? "permit" : "deny"}}}}));
  }

  void encounter(const CourseVisit& visit) {
    const std::string uuid = record_uuid("visit", visit.visit.id);
    encounters_[visit.visit.id] = uuid;
    json resource = {{"resourceType", "Encounter"},
                     {"id", uuid},
                     {"identifier", json::array({record_identifier("visit", visit.visit.id)})},
                     {"status", "finished"},
                     {"class",
                      {{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"}, {"code", "AMB"}, {"display", "ambulatory"}}},
                     {"subject", reference(patient_, course_.patient.name)},
                     {"period", {{"start", visit.visit.date.to_string()}, {"end", visit.visit.date.to_string()}}},
                     {"reasonCode", json::array({{{"text", "Acne scars: assessment and treatment, " +
                                                               context_.text.region(std::string(clinic::name(visit.visit.region)))}}})},
                     {"serviceProvider", reference(organization_, course_.clinic.name)}};
    entries_.push_back(entry(resource));
  }

  json encounter_reference(const std::string& visit_id) const { return reference(encounters_.at(visit_id)); }

  void scan(const CourseVisit& visit, const CourseScan& item) {
    const clinic::Scan& scan = item.scan;
    const std::string media = record_uuid("scan", scan.id);
    json content = {{"contentType", scan.format == "x3p" ? "application/zip" : "application/octet-stream"},
                    {"title", scan.file_name},
                    {"creation", instant(scan.uploaded_at)}};
    if (scan.size_bytes >= 0 && scan.size_bytes <= 4294967295LL) content["size"] = scan.size_bytes;
    json resource = {{"resourceType", "Media"},
                     {"id", media},
                     {"identifier", json::array({record_identifier("scan", scan.id),
                                                 {{"system", std::string(kLocal) + "sha256"}, {"value", scan.sha256}}})},
                     {"status", "completed"},
                     {"type", {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/media-type"},
                                                       {"code", "image"},
                                                       {"display", "Image"}}})}}},
                     {"modality", {{"text", "3D surface scan (height map, " + scan.format + ")"}}},
                     {"subject", reference(patient_, course_.patient.name)},
                     {"encounter", encounter_reference(visit.visit.id)},
                     {"createdDateTime", visit.visit.date.to_string()},
                     {"issued", instant(scan.uploaded_at)},
                     {"operator", staff(scan.uploaded_by)},
                     {"bodySite", region(visit.visit.region)},
                     {"content", content}};
    if (!scan.instrument.empty()) resource["deviceName"] = scan.instrument;
    entries_.push_back(entry(resource));
    if (item.in_force) assessment(visit, item, media);
  }

  json observation_code(const std::string& code, const std::string& display) {
    return codes_.codeable("observation", code, display);
  }

  // One Observation per measured scar, one per grade.
  void assessment(const CourseVisit& visit, const CourseScan& item, const std::string& media) {
    const Assessment& assessment = *item.in_force;
    const std::string status = item.correction ? "amended" : "final";
    const std::string issued = instant(item.correction ? item.correction->made_at : item.assessment->created_at);
    const std::string method = "ScarScope " + assessment.made_by.version + " analysis of a 3D surface scan" +
                               (item.correction ? ", with a clinician's corrections" : "");
    const json category = json::array(
        {{{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/observation-category"},
                                   {"code", "imaging"},
                                   {"display", "Imaging"}}})}}});
    auto base = [&](const std::string& key, json code) {
      return json{{"resourceType", "Observation"},
                  {"id", record_uuid("observation", item.assessment->id + ":" + key)},
                  {"identifier", json::array({record_identifier("assessment", item.assessment->id + "#" + key)})},
                  {"status", status},
                  {"category", category},
                  {"code", std::move(code)},
                  {"subject", reference(patient_, course_.patient.name)},
                  {"encounter", encounter_reference(visit.visit.id)},
                  {"effectiveDateTime", visit.visit.date.to_string()},
                  {"issued", issued},
                  {"bodySite", region(visit.visit.region)},
                  {"method", {{"text", method}}},
                  {"derivedFrom", json::array({reference(media, item.scan.file_name)})}};
    };
    for (const Scar& scar : assessment.scars.scars) {
      const std::string type = scar_type_name(scar.type);
      json resource = base("scar-" + std::to_string(scar.id), observation_code("acne-scar", "Acne scar measured on a 3D surface scan"));
      json components = json::array();
      components.push_back({{"code", observation_code("scar-id", "Scar number within the scan's analysis")}, {"valueInteger", scar.id}});
      components.push_back({{"code", observation_code("scar-type", "Scar type")},
                            {"valueCodeableConcept", codes_.codeable("scar-type", type, context_.text.scar_type_name(type))}});
      if (scar.measured(ScarMeasure::diameter_mm)) {
        components.push_back({{"code", observation_code("diameter", "Equivalent-area diameter of the scar's full extent")},
                              {"valueQuantity", quantity(scar.diameter_mm, 3, "mm", "mm")}});
      }
      if (scar.measured(ScarMeasure::area_mm2)) {
        components.push_back({{"code", observation_code("area", "Area of the scar's full extent")},
                              {"valueQuantity", quantity(scar.area_mm2, 3, "mm²", "mm2")}});
      }
      if (scar.measured(ScarMeasure::depth_um)) {
        const bool raised = scar.type == ScarType::hypertrophic;
        json depth = quantity(scar.depth_um, 1, "µm", "um");
        if (!raised && scar.depth_is_lower_bound) depth["comparator"] = ">=";
        components.push_back({{"code", raised ? observation_code("height", "Height of a raised scar above the surrounding skin")
                                              : observation_code("depth", "Depth below the skin surface filled in from the rim")},
                              {"valueQuantity", depth}});
      }
      if (scar.measured(ScarMeasure::volume_mm3)) {
        components.push_back({{"code", observation_code("volume", "Volume against the skin surface filled in from the rim")},
                              {"valueQuantity", quantity(scar.volume_mm3, 4, "mm³", "mm3")}});
      }
      resource["component"] = components;
      json notes = json::array();
      if (!scar.reason.empty()) notes.push_back({{"text", "Type: " + scar.reason}});
      if (scar.depth_is_lower_bound) notes.push_back({{"text", "The scar's floor was not seen: the depth is a lower bound."}});
      if (!scar.corrected_by_clinician.empty()) {
        std::string what;
        for (const std::string& field : scar.corrected_by_clinician) what += (what.empty() ? "" : ", ") + field;
        notes.push_back({{"text", "Corrected by a clinician: " + what}});
      }
      if (!notes.empty()) resource["note"] = notes;
      entries_.push_back(entry(resource));
    }
    grade(base, "goodman-baron-quantitative", "Goodman & Baron quantitative global acne scarring grade",
          assessment.grades.goodman_baron_quantitative);
    grade(base, "ecca", "ECCA acne scar grade (Dreno 2007)", assessment.grades.ecca);
    const QualitativeGrade& qualitative = assessment.grades.goodman_baron_qualitative;
    json resource = base("goodman-baron-qualitative",
                         observation_code("goodman-baron-qualitative", "Goodman & Baron qualitative global acne scarring grade"));
    if (qualitative.low == qualitative.high) resource["valueInteger"] = qualitative.low;
    else resource["valueRange"] = {{"low", {{"value", qualitative.low}}}, {"high", {{"value", qualitative.high}}}};
    label_estimate(resource, qualitative.basis, qualitative.coverage_cm2, qualitative.missing_inputs, qualitative.citation);
    resource["note"].push_back({{"text", "Level: " + qualitative.level}});
    entries_.push_back(entry(resource));
  }

  template <typename Base>
  void grade(Base& base, const std::string& code, const std::string& display, const ScaleGrade& grade) {
    json resource = base(code, observation_code(code, display));
    if (grade.value_high && *grade.value_high != grade.value) {
      resource["valueRange"] = {{"low", {{"value", grade.value}}}, {"high", {{"value", *grade.value_high}}}};
    } else {
      resource["valueInteger"] = grade.value;
    }
    resource["referenceRange"] = json::array({{{"low", {{"value", 0}}}, {"high", {{"value", grade.maximum}}},
                                               {"text", "0 to " + std::to_string(grade.maximum)}}});
    label_estimate(resource, grade.basis, grade.coverage_cm2, grade.missing_inputs, grade.citation);
    entries_.push_back(entry(resource));
  }

  // A grade says what it rests on: an estimate from the 3D scan (with or without the clinician's
  // inputs), or the clinician's own assessment.
  static void label_estimate(json& resource, GradeBasis basis, const std::optional<double>& coverage,
                             const std::vector<std::string>& missing, const std::string& citation) {
    std::string method = basis == GradeBasis::three_d_only     ? "Estimate from 3D scan"
                         : basis == GradeBasis::clinician_only ? "Clinician's assessment"
                                                               : "Estimate from 3D scan with the clinician's inputs";
    if (coverage) method += " (" + fixed_text(*coverage) + " cm² of skin covered)";
    resource["method"] = {{"text", method + "; basis " + grade_basis_name(basis)}};
    resource["note"] = json::array();
    if (!missing.empty()) {
      std::string inputs;
      for (const std::string& input : missing) inputs += (inputs.empty() ? "" : ", ") + input;
      resource["note"].push_back({{"text", "Missing inputs the scale needs: " + inputs}});
    }
    if (!citation.empty()) resource["note"].push_back({{"text", "Scale: " + citation}});
  }

  static std::string fixed_text(double value) {
    const double r = rounded(value, 1);
    std::string text = std::to_string(r);
    text.erase(text.find_last_not_of('0') + 1);
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
  }

  void care_plan(const CoursePlan& course_plan) {
    const clinic::Plan& stored = course_plan.plan;
    const Plan& plan = course_plan.in_force.plan;
    const std::string uuid = record_uuid("plan", stored.id);
    care_plans_[stored.id] = uuid;
    std::map<std::string, int> given;
    for (const CourseSession& session : course_.sessions) given[session.session.modality] += 1;
    json activities = json::array();
    for (const PlanStage& stage : plan.stages) {
      for (const PlanItem& item : stage.items) {
        std::string description = "Stage " + std::to_string(stage.order) + " (" + stage.goal + ")";
        if (item.sessions) description += "; sessions " + range_text(context_.text, item.sessions);
        if (item.interval_weeks) description += ", every " + range_text(context_.text, item.interval_weeks) + " weeks";
        if (item.downtime_days) description += "; downtime " + range_text(context_.text, item.downtime_days) + " days";
        if (item.expected_improvement_pct) {
          description += "; expected improvement " + range_text(context_.text, item.expected_improvement_pct) + " % (indicative)";
        }
        if (!item.target_scar_ids.empty()) description += "; scars " + ids_text(item.target_scar_ids);
        const int done = given[item.modality];
        const int needed = item.sessions ? static_cast<int>(item.sessions->min) : 1;
        json detail = {{"code", modality(item.modality)},
                       {"status", stored.status == clinic::PlanStatus::superseded ? "stopped"
                                  : done == 0                                      ? "not-started"
                                  : done >= needed                                 ? "completed"
                                                                                   : "in-progress"},
                       {"description", description}};
        json events = json::array();
        for (const ScheduledSession& session : plan.schedule) {
          if (session.modality == item.modality) events.push_back(session.date.to_string());
        }
        if (!events.empty()) detail["scheduledTiming"] = {{"event", events}};
        activities.push_back({{"detail", detail}});
      }
    }
    json notes = json::array();
    if (!stored.acceptance_note.empty()) notes.push_back({{"text", "Clinician's note: " + stored.acceptance_note}});
    for (const PlanExclusion& exclusion : plan.excluded) {
      notes.push_back({{"text", "Not proposed: " + modality_name(exclusion.modality) + ": " + exclusion.reason}});
    }
    for (const PlanWarning& warning : plan.warnings) notes.push_back({{"text", "Warning: " + warning.text}});
    for (const std::string& referral : plan.referrals) notes.push_back({{"text", "Referral: " + modality_name(referral)}});
    json resource = {{"resourceType", "CarePlan"},
                     {"id", uuid},
                     {"identifier", json::array({record_identifier("plan", stored.id)})},
                     {"status", stored.status == clinic::PlanStatus::accepted ? "active" : "revoked"},
                     {"intent", "plan"},
                     {"title", "Acne scar treatment plan (" + std::string(plan_status_name(plan.status)) + ")"},
                     {"description", "A staged plan proposed by ScarScope (knowledge base " + plan.kb_version +
                                         ") and accepted by a clinician" +
                                         (plan.expected_improvement_pct ? "; expected improvement overall " +
                                                                              range_text(context_.text, plan.expected_improvement_pct) +
                                                                              " % (indicative: scars are reduced, not removed)"
                                                                        : "")},
                     {"subject", reference(patient_, course_.patient.name)},
                     {"encounter", encounter_reference(stored.visit_id)},
                     {"created", instant(stored.accepted_at ? *stored.accepted_at : stored.created_at)},
                     {"author", staff(stored.accepted_by)},
                     {"activity", activities}};
    if (!notes.empty()) resource["note"] = notes;
    entries_.push_back(entry(resource));
  }

  void procedure(const CourseSession& given) {
    const clinic::TreatmentSession& session = given.session;
    const std::string uuid = record_uuid("session", session.id);
    json extensions = json::array();
    std::string listed;
    const auto ranges = context_.vocabulary.parameters.find(session.modality);
    for (const auto& [name, value] : session.parameters) {
      std::string unit;
      if (ranges != context_.vocabulary.parameters.end()) {
        const auto range = ranges->second.find(name);
        if (range != ranges->second.end()) unit = range->second.unit;
      }
      extensions.push_back({{"url", std::string(kLocal) + "StructureDefinition:session-parameter"},
                            {"extension", json::array({{{"url", "name"}, {"valueCode", name}},
                                                       {{"url", "value"}, {"valueQuantity", quantity(value, 4, unit, ucum_of(unit))}}})}});
      listed += (listed.empty() ? "" : ", ") + name + " " + fixed_text(rounded(value, 4)) + (unit.empty() ? "" : " " + unit);
    }
    json resource = {{"resourceType", "Procedure"},
                     {"id", uuid},
                     {"identifier", json::array({record_identifier("session", session.id)})},
                     {"status", "completed"},
                     {"code", modality(session.modality)},
                     {"subject", reference(patient_, course_.patient.name)},
                     {"performedDateTime", session.date.to_string()},
                     {"recorder", staff(session.recorded_by)},
                     {"bodySite", json::array({region(session.region)})}};
    if (!extensions.empty()) resource["extension"] = extensions;
    if (!session.visit_id.empty() && encounters_.count(session.visit_id)) resource["encounter"] = encounter_reference(session.visit_id);
    if (!session.operator_id.empty()) resource["performer"] = json::array({{{"actor", staff(session.operator_id)}}});
    if (!session.plan_id.empty() && care_plans_.count(session.plan_id)) {
      resource["basedOn"] = json::array({reference(care_plans_.at(session.plan_id))});
    }
    json notes = json::array();
    if (!listed.empty()) notes.push_back({{"text", "Parameters: " + listed}});
    if (!session.target_scar_ids.empty()) notes.push_back({{"text", "Target scars: " + ids_text(session.target_scar_ids)}});
    if (!session.notes.empty()) notes.push_back({{"text", session.notes}});
    if (!notes.empty()) resource["note"] = notes;
    entries_.push_back(entry(resource));
    for (const clinic::AdverseEvent& event : given.events) adverse_event(event, uuid);
  }

  void adverse_event(const clinic::AdverseEvent& event, const std::string& procedure) {
    const std::string kind(clinic::name(event.kind));
    json resource = {{"resourceType", "AdverseEvent"},
                     {"id", record_uuid("adverse_event", event.id)},
                     {"identifier", record_identifier("adverse_event", event.id)},
                     {"actuality", "actual"},
                     {"event", codes_.codeable("adverse-event", kind, kind)},
                     {"subject", reference(patient_, course_.patient.name)},
                     {"date", event.onset.to_string()},
                     {"recordedDate", instant(event.recorded_at)},
                     {"recorder", staff(event.recorded_by)},
                     {"severity", {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/adverse-event-severity"},
                                                           {"code", std::string(clinic::name(event.severity))}}})}}},
                     {"outcome", {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"},
                                                          {"code", event.resolved ? "resolved" : "ongoing"}}})}}},
                     {"suspectEntity", json::array({{{"instance", reference(procedure)}}})}};
    if (event.resolved) {
      resource["extension"] = json::array(
          {{{"url", std::string(kLocal) + "StructureDefinition:resolved-date"}, {"valueDate", event.resolved->to_string()}}});
    }
    entries_.push_back(entry(resource));
  }

  const PatientCourse& course_;
  const ReportContext& context_;
  LocalCodes codes_;
  json entries_ = json::array();
  std::string organization_, patient_;
  std::map<std::string, std::string> encounters_, care_plans_;
};

}  // namespace

json fhir_bundle(const PatientCourse& course, const ReportContext& context) { return FhirExport(course, context).build(); }

}  // namespace scarscope::report
