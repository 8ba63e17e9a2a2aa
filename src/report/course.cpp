#include "report/course.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "clinic/vocabulary.h"
#include "core/error.h"
#include "core/json_fields.h"

namespace scarscope::report {

namespace {

// What the record holds, before the documents are read with the library's readers (outside the
// transaction: a transaction may be retried, parsing need not be).
struct RawCourse {
  PatientCourse course;
  std::vector<std::vector<clinic::AssessmentCorrection>> corrections;  // per scan, in course order
};

const clinic::AssessmentCorrection* latest_correction(const std::vector<clinic::AssessmentCorrection>& corrections) {
  const clinic::AssessmentCorrection* latest = nullptr;
  for (const clinic::AssessmentCorrection& correction : corrections) {
    if (correction.corrected) latest = &correction;
  }
  return latest;
}

nlohmann::json parse_document(const clinic::StoredDocument& document, const std::string& what) {
  return parse_json_text(document.json, what);
}

// The focus visit: the one asked for, else the latest with an analysed scan, else the latest.
std::optional<std::size_t> choose_focus(const PatientCourse& course, const std::string& visit_id) {
  if (!visit_id.empty()) {
    for (std::size_t i = 0; i < course.visits.size(); ++i) {
      if (course.visits[i].visit.id == visit_id) return i;
    }
    throw InputError("no visit " + visit_id + " of this patient", ErrorCode::not_found, "visit");
  }
  if (course.visits.empty()) return std::nullopt;
  for (std::size_t i = course.visits.size(); i-- > 0;) {
    if (course.visits[i].first_analysed() != nullptr) return i;
  }
  return course.visits.size() - 1;
}

// The region followed over time: the focus visit's when it has a scan, else the first scan's.
std::optional<clinic::Region> progress_region(const PatientCourse& course) {
  if (course.focus_visit && !course.visits[*course.focus_visit].scans.empty()) {
    return course.visits[*course.focus_visit].visit.region;
  }
  for (const CourseVisit& visit : course.visits) {
    if (!visit.scans.empty()) return visit.visit.region;
  }
  return std::nullopt;
}

// The library's series over the stored comparisons of one region (the baseline is its first scan).
CourseProgress read_progress(const PatientCourse& course, clinic::Region region) {
  CourseProgress progress;
  progress.region = region;
  std::vector<const CourseScan*> scans;
  std::vector<const CourseVisit*> visits;
  for (const CourseVisit& visit : course.visits) {
    if (visit.visit.region != region) continue;
    for (const CourseScan& scan : visit.scans) {
      scans.push_back(&scan);
      visits.push_back(&visit);
    }
  }
  if (scans.empty()) return progress;
  std::vector<ScarInventory> visit_scars;
  std::vector<Comparison> comparisons;
  const std::string& baseline_id = scans.front()->scan.id;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const CourseScan& scan = *scans[i];
    const std::string when = visits[i]->visit.date.to_string() + " (" + scan.scan.file_name + ")";
    if (!scan.in_force) {
      progress.pending.push_back(when + ": not analysed yet");
      if (i == 0) {
        for (std::size_t later = 1; later < scans.size(); ++later) {
          progress.pending.push_back(visits[later]->visit.date.to_string() + " (" + scans[later]->scan.file_name +
                                     "): the baseline is not analysed yet");
        }
        break;
      }
      continue;
    }
    const clinic::Comparison* against_baseline = nullptr;
    for (const clinic::Comparison& comparison : course.comparisons) {  // oldest first: the latest wins
      if (comparison.baseline_scan_id == baseline_id && comparison.followup_scan_id == scan.scan.id) {
        against_baseline = &comparison;
      }
    }
    if (i > 0 && against_baseline == nullptr) {
      progress.pending.push_back(when + ": not compared with the baseline yet");
      continue;
    }
    visit_scars.push_back(scan.in_force->scars);
    if (i > 0) {
      comparisons.push_back(comparison_from_json(parse_document(against_baseline->result, "comparison " + against_baseline->id),
                                                 "comparison " + against_baseline->id));
    }
    progress.points.push_back({scan.scan.id, visits[i]->visit.id, visits[i]->visit.date,
                               against_baseline != nullptr ? against_baseline->id : std::string()});
  }
  if (visit_scars.size() >= 2) progress.series = progress_series(visit_scars, std::move(comparisons));
  return progress;
}

}  // namespace

const CourseScan* CourseVisit::first_analysed() const {
  for (const CourseScan& scan : scans) {
    if (scan.in_force) return &scan;
  }
  return nullptr;
}

const CoursePlan* PatientCourse::accepted_plan() const {
  const CoursePlan* found = nullptr;
  for (const CoursePlan& plan : plans) {
    if (plan.plan.status == clinic::PlanStatus::accepted) found = &plan;
  }
  return found;
}

const CourseVisit* PatientCourse::visit(const std::string& visit_id) const {
  for (const CourseVisit& visit : visits) {
    if (visit.visit.id == visit_id) return &visit;
  }
  return nullptr;
}

const CourseScan* PatientCourse::scan(const std::string& scan_id) const {
  for (const CourseVisit& visit : visits) {
    for (const CourseScan& scan : visit.scans) {
      if (scan.scan.id == scan_id) return &scan;
    }
  }
  return nullptr;
}

std::string PatientCourse::staff_name(const std::string& user_id) const {
  if (user_id.empty()) return {};
  const auto found = staff.find(user_id);
  return found == staff.end() ? user_id : found->second;
}

PatientCourse read_patient_course(store::Store& store, const std::string& clinic_id, const std::string& patient_id,
                                  const CourseRequest& request) {
  RawCourse raw = store.read(clinic_id, [&](const store::ClinicReader& tx) {
    RawCourse found;
    PatientCourse& course = found.course;
    course.clinic = tx.clinic();
    std::optional<clinic::Patient> patient = tx.patient(patient_id);
    if (!patient) throw InputError("no patient " + patient_id + " in this clinic", ErrorCode::not_found, "patient");
    course.patient = std::move(*patient);
    course.consents = tx.consents(patient_id);
    for (const clinic::User& user : tx.users()) {
      course.staff[user.id] = user.display_name.empty() ? user.email : user.display_name;
    }
    for (clinic::Visit& visit : tx.visits(patient_id)) {
      CourseVisit entry;
      for (clinic::Scan& scan : tx.scans_of_visit(visit.id)) {
        CourseScan item;
        item.assessment = tx.latest_assessment_of_scan(scan.id);
        found.corrections.push_back(item.assessment ? tx.corrections(item.assessment->id)
                                                    : std::vector<clinic::AssessmentCorrection>{});
        item.scan = std::move(scan);
        entry.scans.push_back(std::move(item));
      }
      entry.visit = std::move(visit);
      course.visits.push_back(std::move(entry));
    }
    course.comparisons = tx.comparisons_of_patient(patient_id);
    for (clinic::Plan& plan : tx.plans_of_patient(patient_id)) course.plans.push_back({std::move(plan), {}});
    for (clinic::TreatmentSession& session : tx.treatment_sessions(patient_id)) {
      std::vector<clinic::AdverseEvent> events = tx.adverse_events_of_session(session.id);
      course.sessions.push_back({std::move(session), std::move(events)});
    }
    return found;
  });

  PatientCourse course = std::move(raw.course);
  std::size_t scan_index = 0;
  for (CourseVisit& visit : course.visits) {
    for (CourseScan& scan : visit.scans) {
      const std::vector<clinic::AssessmentCorrection>& corrections = raw.corrections[scan_index++];
      if (!scan.assessment) continue;
      const clinic::AssessmentCorrection* correction = latest_correction(corrections);
      if (correction != nullptr) scan.correction = *correction;
      const clinic::StoredDocument& document = correction != nullptr ? *correction->corrected : scan.assessment->analysis;
      const std::string what = "assessment " + scan.assessment->id;
      scan.in_force = assessment_from_json(parse_document(document, what), what);
    }
  }
  for (CoursePlan& plan : course.plans) {
    const clinic::StoredDocument& document = plan.plan.accepted ? *plan.plan.accepted : plan.plan.proposal;
    const std::string what = "plan " + plan.plan.id;
    plan.in_force = visit_plan_from_json(parse_document(document, what), what);
  }

  course.focus_visit = choose_focus(course, request.visit_id);
  if (const std::optional<clinic::Region> region = progress_region(course)) course.progress = read_progress(course, *region);

  if (request.scan_files) {
    std::vector<std::string> wanted;
    if (course.focus_visit) {
      for (const CourseScan& scan : course.visits[*course.focus_visit].scans) {
        if (scan.in_force) wanted.push_back(scan.scan.id);
      }
    }
    if (course.progress && course.progress->series) {
      wanted.push_back(course.progress->points.front().scan_id);
      wanted.push_back(course.progress->points.back().scan_id);
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    course.scan_files = store.read(clinic_id, [&](const store::ClinicReader& tx) {
      std::map<std::string, Bytes> files;
      for (const std::string& id : wanted) files[id] = tx.scan_file(id);
      return files;
    });
  }
  return course;
}

std::string clinic_of_patient(store::Store& store, const std::string& patient_id) {
  const std::vector<clinic::Clinic> clinics = store.read_system([](const store::SystemReader& tx) { return tx.clinics(); });
  for (const clinic::Clinic& clinic : clinics) {
    const bool has = store.read(clinic.id, [&](const store::ClinicReader& tx) { return tx.patient(patient_id).has_value(); });
    if (has) return clinic.id;
  }
  throw InputError("no patient " + patient_id + " in this record", ErrorCode::not_found, "--patient");
}

}  // namespace scarscope::report
