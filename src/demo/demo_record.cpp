#include "demo/demo_record.h"

#include <nlohmann/json.hpp>

#include "clinic/documents.h"
#include "clinic/password.h"
#include "clinic/patient_profile_parts.h"
#include "clinic/treatment_vocabulary.h"
#include "core/bytes.h"
#include "core/error.h"
#include "store/store.h"
#include "surface/io.h"
#include "synth/synthetic_skin.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"
#include "workflows/knowledge.h"
#include "workflows/visit_plan.h"

namespace scarscope::demo {
namespace {

using nlohmann::json;

// Every synthetic scan carries this date (as `scarscope synth` does), so the same seed gives the same bytes.
constexpr const char* kScanDate = "2020-01-01T00:00:00+00:00";

// One visit of the demo patient, made and analysed before anything is stored.
struct DemoVisit {
  CalendarDate date;
  std::string note;
  std::string file_name;
  Bytes scan_bytes;
  Assessment assessment;
  std::string analysis_json;
};

void say(const DemoRecordOptions& options, const std::string& line) {
  if (options.progress) options.progress(line);
}

Bytes synthetic_scan(const synth::SynthRequest& request, const synth::FollowupRequest* followup) {
  synth::SyntheticScan scan = followup ? synth::generate_followup(request, *followup) : synth::generate_scan(request);
  scan.map.metadata.date = kScanDate;
  scan.map.metadata.comment = "synthetic skin (ScarScope demo), preset " + scan.preset + ", seed " + std::to_string(scan.seed);
  WriteOptions write;
  write.date = kScanDate;
  return encode_height_map(scan.map, "x3p", write, "demo scan").bytes;
}

// The session's parameters: the middle of each accepted range of kb/session_parameters.json.
std::map<std::string, double> typical_parameters(const clinic::TreatmentVocabulary& vocabulary, const std::string& modality) {
  std::map<std::string, double> parameters;
  const auto found = vocabulary.parameters.find(modality);
  if (found == vocabulary.parameters.end()) return parameters;
  for (const auto& [name, range] : found->second) parameters[name] = (range.min + range.max) / 2.0;
  return parameters;
}

}  // namespace

DemoRecord create_demo_record(store::Store& store, const DemoRecordOptions& options) {
  DemoRecord demo;
  // Made once: an existing demo clinic is reported, not touched.
  const std::optional<clinic::Clinic> existing =
      store.read_system([](store::SystemReader& tx) { return tx.clinic_by_name(kDemoClinicName); });
  if (existing) {
    demo.clinic_id = existing->id;
    const std::optional<clinic::User> user =
        store.read_system([](store::SystemReader& tx) { return tx.user_by_email(kDemoLoginEmail); });
    if (user) demo.user_id = user->id;
    demo.patient_id = store.read(demo.clinic_id, [](const store::ClinicReader& tx) {
      for (const clinic::Patient& patient : tx.find_patients(kDemoPatientIdentifier, {10, 0}).items) {
        if (patient.identifier == kDemoPatientIdentifier) return patient.id;
      }
      return std::string();
    });
    return demo;
  }

  say(options, "loading the knowledge base");
  const Knowledge knowledge = load_knowledge(options.kb_dir);
  const clinic::TreatmentVocabulary vocabulary = clinic::read_treatment_vocabulary(options.kb_dir);

  // The patient: a complete planning profile (the one of data/samples/demo_patient.json, with the
  // isotretinoin course ended well before the baseline).
  const CalendarDate baseline_date = options.today.plus_days(-84);
  clinic::Patient patient;
  patient.identifier = kDemoPatientIdentifier;
  patient.name = "Demo Patient (synthetic)";
  patient.birth_year = 1996;
  patient.sex = clinic::Sex::female;
  patient.fitzpatrick = 4;
  patient.profile_json = json{{"active_acne", "mild"},
                              {"isotretinoin", {{"status", "stopped"}, {"stopped_on", baseline_date.plus_days(-300).to_string()}}},
                              {"keloid_history", false},
                              {"hsv_history", true},
                              {"active_cold_sore", false},
                              {"active_skin_infection", false},
                              {"pregnant_or_breastfeeding", false},
                              {"anticoagulants", false},
                              {"bdd_screen_positive", false},
                              {"distress_0_10", 7},
                              {"max_downtime_days", 7}}
                             .dump();
  clinic::check_profile_parts(patient.profile_json, baseline_date);
  const PatientProfile profile = clinic::complete_profile(patient, baseline_date);

  // Three visits of the left cheek: the baseline, and two follow-ups after treatment (the scars'
  // depth and volume at 80 % and then 60 % of the baseline's, new pose and noise each time).
  synth::SynthRequest request;
  request.preset = "cheek";
  request.seed = 1;
  request.width_mm = options.scan_size_mm;
  request.height_mm = options.scan_size_mm;
  request.spacing_um = options.spacing_um;
  std::vector<DemoVisit> visits(3);
  visits[0].date = baseline_date;
  visits[0].note = "Baseline scan of the left cheek before treatment (demo).";
  visits[1].date = options.today.plus_days(-42);
  visits[1].note = "Follow-up after the first session (demo).";
  visits[2].date = options.today;
  visits[2].note = "Follow-up after the second session (demo).";
  const double responses[] = {1.0, 0.8, 0.6};
  for (std::size_t v = 0; v < visits.size(); ++v) {
    DemoVisit& visit = visits[v];
    visit.file_name = v == 0 ? "demo_left_cheek_baseline.x3p" : "demo_left_cheek_followup" + std::to_string(v) + ".x3p";
    say(options, "synthesising " + visit.file_name);
    if (v == 0) {
      visit.scan_bytes = synthetic_scan(request, nullptr);
    } else {
      synth::FollowupRequest followup;
      followup.seed = 1 + v;
      followup.global_response = responses[v];
      visit.scan_bytes = synthetic_scan(request, &followup);
    }
    say(options, "analysing " + visit.file_name);
    visit.assessment = analyze_scan(ScanInput::memory(visit.scan_bytes, visit.file_name, "x3p"), {}, knowledge);
    visit.analysis_json = to_json(visit.assessment).dump();
    demo.scar_counts.push_back(visit.assessment.scars.scars.size());
  }

  say(options, "planning the baseline visit");
  PlanVisitRequest plan_request;
  plan_request.assessments = {visits[0].assessment.scars};
  plan_request.patient = profile;
  plan_request.region = "face";
  plan_request.date = baseline_date;
  const VisitPlan visit_plan = plan_visit(plan_request, knowledge);
  const std::string plan_json = to_json(visit_plan).dump();

  // The sessions follow the plan's schedule: its first modality that records parameters (the
  // middle of their ranges), else its first modality, else microneedling.
  std::string modality;
  std::vector<int> targets;
  for (const ScheduledSession& session : visit_plan.plan.schedule) {
    if (vocabulary.parameters.count(session.modality)) {
      modality = session.modality;
      targets = session.target_scar_ids;
      break;
    }
  }
  if (modality.empty()) {
    for (const ScheduledSession& session : visit_plan.plan.schedule) {
      if (vocabulary.modalities.count(session.modality)) {
        modality = session.modality;
        targets = session.target_scar_ids;
        break;
      }
    }
  }
  if (modality.empty()) modality = "microneedling";
  const std::map<std::string, double> parameters = typical_parameters(vocabulary, modality);
  vocabulary.check_session(modality, parameters);
  demo.session_modality = modality;

  std::vector<std::string> comparison_json;
  for (std::size_t v = 1; v < visits.size(); ++v) {
    say(options, "comparing " + visits[v].file_name + " with the baseline");
    CompareRequest compare;
    compare.baseline = {ScanInput::memory(visits[0].scan_bytes, visits[0].file_name, "x3p"), visits[0].assessment.scars};
    compare.followup = {ScanInput::memory(visits[v].scan_bytes, visits[v].file_name, "x3p"), visits[v].assessment.scars};
    comparison_json.push_back(to_json(compare_scans(compare)).dump());
  }

  // Everything is ready: store it. The clinic and its login first, then the patient's record in
  // one clinic transaction (the scans' blobs go in before it, as an upload's do).
  say(options, "storing the demo record");
  const std::string password_hash = clinic::hash_password(kDemoLoginPassword);
  bool made_here = false;
  const clinic::User user = store.write_system([&](store::SystemWriter& tx) {
    made_here = false;
    if (const std::optional<clinic::Clinic> raced = tx.clinic_by_name(kDemoClinicName)) {
      const std::optional<clinic::User> found = tx.user_by_email(kDemoLoginEmail);
      return found ? *found : clinic::User{};
    }
    const clinic::Clinic clinic = tx.create_clinic(kDemoClinicName);
    clinic::User draft;
    draft.clinic_id = clinic.id;
    draft.email = kDemoLoginEmail;
    draft.display_name = "Demo Clinician";
    draft.role = clinic::Role::clinician;
    draft.password_hash = password_hash;
    const clinic::User created = tx.create_user(draft);
    tx.append_audit(clinic.id, {{}, clinic::AuditAction::create, "user", created.id, {}, "demo record"});
    made_here = true;
    return created;
  });
  demo.clinic_id = user.clinic_id;
  demo.user_id = user.id;
  if (!made_here) return demo;  // another process made the demo clinic meanwhile

  std::vector<store::BlobRef> blobs;
  for (const DemoVisit& visit : visits) blobs.push_back(store.put_blob(std::span<const std::byte>(visit.scan_bytes)));

  store.write(demo.clinic_id, [&](store::ClinicWriter& tx) {
    demo.visit_ids.clear();
    demo.scan_ids.clear();
    demo.assessment_ids.clear();
    demo.comparison_ids.clear();
    demo.session_ids.clear();
    std::vector<store::AuditEvent> audit;
    const auto created = [&](const std::string& kind, const std::string& id) {
      audit.push_back({user.id, clinic::AuditAction::create, kind, id, demo.patient_id, "demo record"});
    };
    clinic::Patient draft = patient;
    draft.created_by = user.id;
    demo.patient_id = tx.create_patient(draft).id;
    created("patient", demo.patient_id);
    for (const clinic::ConsentKind kind : {clinic::ConsentKind::treatment, clinic::ConsentKind::photography}) {
      clinic::Consent consent;
      consent.patient_id = demo.patient_id;
      consent.kind = kind;
      consent.date = baseline_date;
      consent.recorded_by = user.id;
      created("consent", tx.record_consent(consent).id);
    }
    for (std::size_t v = 0; v < visits.size(); ++v) {
      clinic::Visit visit;
      visit.patient_id = demo.patient_id;
      visit.date = visits[v].date;
      visit.region = clinic::Region::left_cheek;
      visit.notes = visits[v].note;
      visit.created_by = user.id;
      demo.visit_ids.push_back(tx.create_visit(visit).id);
      created("visit", demo.visit_ids.back());
      clinic::Scan scan;
      scan.visit_id = demo.visit_ids.back();
      scan.file_name = visits[v].file_name;
      scan.format = "x3p";
      scan.sha256 = blobs[v].sha256;
      scan.size_bytes = blobs[v].size;
      scan.instrument = "ScarScope synth (synthetic scan)";
      scan.uploaded_by = user.id;
      demo.scan_ids.push_back(tx.create_scan(scan).id);
      created("scan", demo.scan_ids.back());
      clinic::Assessment assessment;
      assessment.scan_id = demo.scan_ids.back();
      assessment.analysis = clinic::stored_document(visits[v].analysis_json, "analysis");
      demo.assessment_ids.push_back(tx.store_assessment(assessment).id);
      created("assessment", demo.assessment_ids.back());
    }
    for (std::size_t c = 0; c < comparison_json.size(); ++c) {
      clinic::Comparison comparison;
      comparison.patient_id = demo.patient_id;
      comparison.baseline_scan_id = demo.scan_ids[0];
      comparison.followup_scan_id = demo.scan_ids[c + 1];
      comparison.result = clinic::stored_document(comparison_json[c], "comparison");
      demo.comparison_ids.push_back(tx.store_comparison(comparison).id);
      created("comparison", demo.comparison_ids.back());
    }
    clinic::Plan plan;
    plan.visit_id = demo.visit_ids[0];
    plan.proposal = clinic::stored_document(plan_json, "plan");
    plan.created_by = user.id;
    demo.plan_id = tx.create_plan(plan).id;
    created("plan", demo.plan_id);
    tx.accept_plan(demo.plan_id, user.id, std::nullopt, "Accepted as proposed (demo).");
    audit.push_back({user.id, clinic::AuditAction::update, "plan", demo.plan_id, demo.patient_id, "accepted"});
    // A session at the baseline and at the first follow-up, each before the next scan.
    for (std::size_t v = 0; v < 2; ++v) {
      clinic::TreatmentSession session;
      session.patient_id = demo.patient_id;
      session.visit_id = demo.visit_ids[v];
      session.plan_id = demo.plan_id;
      session.date = visits[v].date;
      session.modality = modality;
      session.parameters = parameters;
      session.region = clinic::Region::left_cheek;
      session.target_assessment_id = demo.assessment_ids[0];
      session.target_scar_ids = targets;
      session.operator_id = user.id;
      session.notes = "Session " + std::to_string(v + 1) + " of the accepted plan (demo).";
      session.recorded_by = user.id;
      demo.session_ids.push_back(tx.record_treatment_session(session, vocabulary).id);
      created("session", demo.session_ids.back());
    }
    clinic::AdverseEvent event;
    event.patient_id = demo.patient_id;
    event.session_id = demo.session_ids[0];
    event.kind = clinic::AdverseEventKind::erythema;
    event.severity = clinic::Severity::mild;
    event.onset = visits[0].date.plus_days(1);
    event.resolved = visits[0].date.plus_days(4);
    event.notes = "Transient redness after the first session, resolved without treatment (demo).";
    event.recorded_by = user.id;
    demo.adverse_event_id = tx.record_adverse_event(event).id;
    created("adverse_event", demo.adverse_event_id);
    for (store::AuditEvent& entry : audit) entry.patient_id = demo.patient_id;
    tx.append_audit(std::span<const store::AuditEvent>(audit));
  });
  demo.created = true;
  return demo;
}

}  // namespace scarscope::demo
