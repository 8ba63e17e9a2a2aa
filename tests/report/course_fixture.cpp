#include "course_fixture.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "clinic/documents.h"
#include "clinic/password.h"
#include "clinic/patient_profile_parts.h"
#include "grading/clinician_inputs.h"
#include "surface/x3p.h"
#include "synth/synthetic_skin.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"
#include "workflows/visit_plan.h"

namespace scarscope::test {

namespace {

using nlohmann::json;

// The patient of data/samples/demo_patient.json: Fitzpatrick IV, mild acne, isotretinoin stopped,
// HSV history, distress 7 of 10, at most a week off work.
const char* kProfile = R"({"active_acne": "mild", "isotretinoin": {"status": "stopped", "stopped_on": "2025-09-15"},
  "keloid_history": false, "hsv_history": true, "active_cold_sore": false, "active_skin_infection": false,
  "pregnant_or_breastfeeding": false, "anticoagulants": false, "bdd_screen_positive": false,
  "distress_0_10": 7, "max_downtime_days": 7})";

// A 16 x 12 mm synthetic cheek at 30 um; follow-ups of the same skin, moved a little, with the
// scars at `response` of their baseline depth.
std::string cheek_scan(std::optional<double> response, std::uint64_t followup_seed) {
  synth::SynthRequest request;
  request.preset = "cheek";
  request.seed = 19;
  request.width_mm = 16.0;
  request.height_mm = 12.0;
  request.spacing_um = 30.0;
  request.scar_count = 9;
  synth::SyntheticScan scan;
  if (response) {
    synth::FollowupRequest followup;
    followup.seed = followup_seed;
    followup.global_response = *response;
    followup.pose = synth::Pose{0.35, -0.25, 1.5, 8.0, 6.0};
    scan = synth::generate_followup(request, followup);
  } else {
    scan = synth::generate_scan(request);
  }
  X3pWriteOptions write;
  write.date = "2026-09-01T09:00:00+00:00";
  return write_x3p_bytes(scan.map, write);
}

clinic::StoredDocument document(const json& value, const std::string& what) {
  return clinic::stored_document(value.dump(), what);
}

CalendarDate date(const std::string& text) { return CalendarDate::parse(text, "date"); }

FullCourse build_full_course() {
  FullCourse course;
  course.record = new_record();
  RecordOfClinic& record = *course.record;
  store::Store& store = *record.store;
  const Knowledge& knowledge = report_resources().knowledge;
  const clinic::Patient patient = add_patient(record, "Inês Łopez-Müller", "SE-2026-0142");
  course.patient_id = patient.id;
  store.write(record.clinic.id, [&](store::ClinicWriter& tx) {
    const std::vector<std::tuple<clinic::ConsentKind, clinic::ConsentState, std::string>> consents = {
        {clinic::ConsentKind::treatment, clinic::ConsentState::given, "2026-09-01"},
        {clinic::ConsentKind::photography, clinic::ConsentState::given, "2026-09-01"},
        {clinic::ConsentKind::research, clinic::ConsentState::withdrawn, "2026-11-03"}};
    for (const auto& [kind, state, day] : consents) {
      clinic::Consent consent;
      consent.patient_id = patient.id;
      consent.kind = kind;
      consent.state = state;
      consent.date = date(day);
      consent.recorded_by = record.clinician.id;
      tx.record_consent(consent);
    }
  });

  // Baseline visit: scan, analysis, plan, acceptance.
  const clinic::Visit baseline = add_visit(record, patient.id, "2026-09-01");
  course.scan_bytes.push_back(cheek_scan(std::nullopt, 0));
  std::vector<clinic::Visit> visits = {baseline};
  std::vector<clinic::Scan> scans = {add_scan(record, baseline, "cheek-2026-09-01.x3p", course.scan_bytes.back())};
  std::vector<Assessment> analyses;
  auto analyse = [&](const clinic::Scan& scan, const std::string& bytes) {
    const Assessment analysed = analyze_scan(ScanInput::memory(as_bytes(bytes), scan.file_name), {}, knowledge);
    store.write(record.clinic.id, [&](store::ClinicWriter& tx) {
      clinic::Assessment stored;
      stored.scan_id = scan.id;
      stored.analysis = document(to_json(analysed), "analysis");
      return tx.store_assessment(stored);
    });
    analyses.push_back(analysed);
  };
  analyse(scans[0], course.scan_bytes[0]);

  PlanVisitRequest request;
  request.assessments = {analyses[0].scars};
  request.date = baseline.date;
  request.region = "face";
  request.patient = clinic::complete_profile(patient, baseline.date);
  const VisitPlan planned = plan_visit(request, knowledge);
  const clinic::Plan plan = store.write(record.clinic.id, [&](store::ClinicWriter& tx) {
    clinic::Plan draft;
    draft.visit_id = baseline.id;
    draft.proposal = document(to_json(planned), "plan");
    draft.created_by = record.clinician.id;
    const clinic::Plan made = tx.create_plan(draft);
    return tx.accept_plan(made.id, record.clinician.id, std::nullopt,
                          "Agreed with the patient; priming first, as proposed.");
  });
  course.plan_id = plan.id;

  // The plan's first procedure given in a series (two sessions or more: a single injection is not
  // a course), given at its first three scheduled dates (parameters in the middle of the record's
  // ranges), the first with erythema for three days.
  std::map<std::string, std::vector<ScheduledSession>> by_modality;
  std::vector<std::string> modality_order;
  for (const ScheduledSession& session : planned.plan.schedule) {
    if (session.until) continue;
    if (!by_modality.count(session.modality)) modality_order.push_back(session.modality);
    by_modality[session.modality].push_back(session);
  }
  std::vector<ScheduledSession> procedure_sessions;
  for (const std::string& modality : modality_order) {
    if (by_modality[modality].size() >= 2) {
      procedure_sessions = by_modality[modality];
      break;
    }
  }
  if (procedure_sessions.size() < 2) throw std::runtime_error("the fixture's plan schedules no procedure twice");
  course.session_modality = procedure_sessions.front().modality;
  const clinic::TreatmentVocabulary& vocabulary = report_resources().vocabulary;
  std::map<std::string, double> parameters;
  if (auto ranges = vocabulary.parameters.find(course.session_modality); ranges != vocabulary.parameters.end()) {
    for (const auto& [name, range] : ranges->second) {
      parameters[name] = std::round((range.min + range.max) / 2.0 * 10.0) / 10.0;
      if (parameters.size() == 2) break;
    }
  }
  auto give = [&](const ScheduledSession& scheduled, bool with_event) {
    store.write(record.clinic.id, [&](store::ClinicWriter& tx) {
      clinic::TreatmentSession session;
      session.patient_id = patient.id;
      session.plan_id = plan.id;
      session.date = scheduled.date;
      session.modality = scheduled.modality;
      session.parameters = parameters;
      session.region = clinic::Region::left_cheek;
      session.target_scar_ids = scheduled.target_scar_ids;
      session.operator_id = record.clinician.id;
      session.notes = "Topical anaesthetic 30 min before.";
      session.recorded_by = record.clinician.id;
      const clinic::TreatmentSession given = tx.record_treatment_session(session, vocabulary);
      if (with_event) {
        clinic::AdverseEvent event;
        event.patient_id = patient.id;
        event.session_id = given.id;
        event.kind = clinic::AdverseEventKind::erythema;
        event.severity = clinic::Severity::mild;
        event.onset = scheduled.date;
        event.resolved = scheduled.date.plus_days(3);
        event.notes = "Settled with a bland emollient.";
        event.recorded_by = record.clinician.id;
        tx.record_adverse_event(event);
      }
    });
  };
  give(procedure_sessions[0], true);
  give(procedure_sessions[1], false);

  // Two follow-ups of the same cheek, the scars shallower each time.
  const CalendarDate second_day = procedure_sessions[1].date.plus_days(28);
  visits.push_back(add_visit(record, patient.id, second_day.to_string()));
  course.scan_bytes.push_back(cheek_scan(0.75, 2));
  scans.push_back(add_scan(record, visits[1], "cheek-" + second_day.to_string() + ".x3p", course.scan_bytes.back()));
  analyse(scans[1], course.scan_bytes[1]);
  if (procedure_sessions.size() > 2) give(procedure_sessions[2], false);
  const CalendarDate third_day = second_day.plus_days(70);
  visits.push_back(add_visit(record, patient.id, third_day.to_string()));
  course.scan_bytes.push_back(cheek_scan(0.5, 3));
  scans.push_back(add_scan(record, visits[2], "cheek-" + third_day.to_string() + ".x3p", course.scan_bytes.back()));
  analyse(scans[2], course.scan_bytes[2]);

  // The clinician retypes the first scar of the latest scan as rolling (a stretch test).
  if (!analyses[2].scars.scars.empty()) {
    const int first = analyses[2].scars.scars.front().id;
    const json inputs = {{"scars", {{std::to_string(first), {{"type", "rolling"}, {"stretch_flattens", true}}}}}};
    const Assessment corrected = apply_corrections(analyses[2], clinician_inputs_from_json(inputs, "exam"), knowledge);
    store.write(record.clinic.id, [&](store::ClinicWriter& tx) {
      clinic::AssessmentCorrection correction;
      correction.assessment_id = tx.latest_assessment_of_scan(scans[2].id)->id;
      correction.clinician_inputs_json = inputs.dump();
      correction.corrected = document(to_json(corrected), "corrected analysis");
      correction.made_by = record.clinician.id;
      tx.add_correction(correction);
    });
    analyses[2] = corrected;
  }
  course.scars_at_latest = analyses[2].scars.counts().total();

  // Each follow-up against the baseline, with the scars in force.
  for (std::size_t k = 1; k < scans.size(); ++k) {
    CompareRequest compare;
    compare.baseline = {ScanInput::memory(as_bytes(course.scan_bytes[0]), scans[0].file_name), analyses[0].scars};
    compare.followup = {ScanInput::memory(as_bytes(course.scan_bytes[k]), scans[k].file_name), analyses[k].scars};
    const Comparison compared = compare_scans(compare);
    store.write(record.clinic.id, [&](store::ClinicWriter& tx) {
      clinic::Comparison stored;
      stored.patient_id = patient.id;
      stored.baseline_scan_id = scans[0].id;
      stored.followup_scan_id = scans[k].id;
      stored.result = document(to_json(compared), "comparison");
      tx.store_comparison(stored);
    });
  }
  for (const clinic::Visit& visit : visits) course.visit_ids.push_back(visit.id);
  for (const clinic::Scan& scan : scans) course.scan_ids.push_back(scan.id);
  return course;
}

}  // namespace

const report::ReportResources& report_resources() {
  static const report::ReportResources resources = report::load_report_resources(test_kb_dir());
  return resources;
}

clinic::Timestamp report_moment() {
  return clinic::Timestamp(std::chrono::sys_days(std::chrono::year{2027} / 1 / 20) + std::chrono::hours(10));
}

std::unique_ptr<RecordOfClinic> new_record() {
  // One real argon2id hash for every test user (each costs 0.13 s and 64 MiB).
  static const std::string hash = clinic::hash_password("correct horse battery staple");
  auto record = std::make_unique<RecordOfClinic>();
  store::StoreOptions options;
  options.clock = &record->clock;
  options.create = true;
  record->store = store::Store::open(store::StoreLocation::sqlite(record->data_dir()), options);
  record->clinic = record->store->write_system([](store::SystemWriter& tx) {
    return tx.create_clinic("Clinique Dermatologique Saint-Émile");
  });
  clinic::User user;
  user.clinic_id = record->clinic.id;
  user.email = "a.souza@saint-emile.example";
  user.display_name = "Dr Ana Souza";
  user.role = clinic::Role::clinician;
  user.password_hash = hash;
  record->clinician = record->store->write_system([&](store::SystemWriter& tx) { return tx.create_user(user); });
  return record;
}

clinic::Patient add_patient(RecordOfClinic& record, const std::string& name, const std::string& identifier) {
  clinic::Patient draft;
  draft.name = name;
  draft.identifier = identifier;
  draft.birth_year = 1996;
  draft.sex = clinic::Sex::female;
  draft.fitzpatrick = 4;
  draft.profile_json = kProfile;
  draft.created_by = record.clinician.id;
  return record.store->write(record.clinic.id, [&](store::ClinicWriter& tx) { return tx.create_patient(draft); });
}

clinic::Visit add_visit(RecordOfClinic& record, const std::string& patient_id, const std::string& day) {
  clinic::Visit draft;
  draft.patient_id = patient_id;
  draft.date = date(day);
  draft.region = clinic::Region::left_cheek;
  draft.notes = "Left cheek, standard pose.";
  draft.created_by = record.clinician.id;
  return record.store->write(record.clinic.id, [&](store::ClinicWriter& tx) { return tx.create_visit(draft); });
}

clinic::Scan add_scan(RecordOfClinic& record, const clinic::Visit& visit, const std::string& file_name,
                      const std::string& bytes) {
  const store::BlobRef blob = record.store->put_blob(bytes);
  clinic::Scan draft;
  draft.visit_id = visit.id;
  draft.file_name = file_name;
  draft.format = "x3p";
  draft.sha256 = blob.sha256;
  draft.size_bytes = blob.size;
  draft.instrument = "synthetic (scarscope synth, cheek preset)";
  draft.uploaded_by = record.clinician.id;
  return record.store->write(record.clinic.id, [&](store::ClinicWriter& tx) { return tx.create_scan(draft); });
}

FullCourse& full_course() {
  static FullCourse course = build_full_course();
  return course;
}

report::PatientCourse read_course(RecordOfClinic& record, const std::string& patient_id, const std::string& visit_id) {
  return report::read_patient_course(*record.store, record.clinic.id, patient_id, {.visit_id = visit_id, .scan_files = true});
}

std::filesystem::path artifact_dir() {
  const std::filesystem::path dir = std::filesystem::path(SCARSCOPE_BUILD_DIR) / "test-artifacts" / "report";
  std::filesystem::create_directories(dir);
  return dir;
}

void write_bytes(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

namespace {

std::string run_and_capture(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, read);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error(command + " failed with status " + std::to_string(status));
  return output;
}

}  // namespace

std::string pdf_text(const std::filesystem::path& pdf) {
  return run_and_capture("pdftotext -enc UTF-8 -raw '" + pdf.string() + "' - 2>&1");
}

std::filesystem::path first_page_png(const std::filesystem::path& pdf, const std::string& name) {
  const std::filesystem::path prefix = artifact_dir() / name;
  run_and_capture("pdftoppm -png -r 72 -f 1 -l 1 -singlefile '" + pdf.string() + "' '" + prefix.string() + "' 2>&1");
  return prefix.string() + ".png";
}

std::string flattened(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    const bool blank = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
    if (blank) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int pdf_pages(const std::filesystem::path& pdf) {
  const std::string info = run_and_capture("pdfinfo '" + pdf.string() + "' 2>&1");
  const std::size_t at = info.find("Pages:");
  if (at == std::string::npos) throw std::runtime_error("pdfinfo gave no page count for " + pdf.string());
  return std::stoi(info.substr(at + 6));
}

}  // namespace scarscope::test
