// A patient's course as the reports need it, read from the record in one transaction: the patient,
// consents, visits with their scans and the assessment in force of each (a clinician's correction
// wins over the analysis), the plans, the sessions given with their adverse events, and the
// progress of one region as the library's series over the stored comparisons. The documents the
// library made are read back with the library's own readers; nothing is recomputed here.
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clinic/records.h"
#include "core/bytes.h"
#include "store/store.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"
#include "workflows/progress_series.h"
#include "workflows/visit_plan.h"

namespace scarscope::report {

struct CourseScan {
  clinic::Scan scan;
  std::optional<clinic::Assessment> assessment;            // the latest analysis of the scan
  std::optional<clinic::AssessmentCorrection> correction;  // the clinician's correction in force
  std::optional<scarscope::Assessment> in_force;           // what the record says now (corrected or as analysed)
};

struct CourseVisit {
  clinic::Visit visit;
  std::vector<CourseScan> scans;  // by upload time
  const CourseScan* first_analysed() const;
};

struct CoursePlan {
  clinic::Plan plan;
  VisitPlan in_force;  // the plan as accepted (with the clinician's edits), else the proposal
};

struct CourseSession {
  clinic::TreatmentSession session;
  std::vector<clinic::AdverseEvent> events;
};

// One region's course: the scans of that region by visit date, the first being the baseline.
struct CourseProgress {
  clinic::Region region = clinic::Region::left_cheek;
  struct Point {
    std::string scan_id;
    std::string visit_id;
    CalendarDate date;
    std::string comparison_id;  // against the baseline; empty for the baseline
  };
  std::vector<Point> points;         // the visits in the series, baseline first
  std::vector<std::string> pending;  // visits not in it yet, and why ("2027-01-12: not analysed yet")
  std::optional<ProgressSeries> series;  // when the baseline and at least one follow-up are in
};

struct PatientCourse {
  clinic::Clinic clinic;
  clinic::Patient patient;
  std::vector<clinic::Consent> consents;
  std::vector<CourseVisit> visits;  // by date
  std::vector<clinic::Comparison> comparisons;
  std::vector<CoursePlan> plans;    // oldest first
  std::vector<CourseSession> sessions;  // by date
  std::map<std::string, std::string> staff;  // user id -> display name (or email)
  // The visit a clinician report is about (the one asked for, else the latest with an analysed
  // scan, else the latest); none when the patient has no visit.
  std::optional<std::size_t> focus_visit;
  std::optional<CourseProgress> progress;
  // Scan files read for the pictures (the focus visit's analysed scans, the progress baseline and
  // latest follow-up), by scan id; only when asked for.
  std::map<std::string, Bytes> scan_files;

  const CoursePlan* accepted_plan() const;  // the plan in force: accepted, not superseded
  const CourseVisit* visit(const std::string& visit_id) const;
  const CourseScan* scan(const std::string& scan_id) const;
  std::string staff_name(const std::string& user_id) const;
};

struct CourseRequest {
  std::string visit_id;     // the focus visit; empty: chosen as PatientCourse::focus_visit says
  bool scan_files = false;  // read the scans the pictures need
};

// Reads the course. InputError not_found ("patient" / "visit") for a patient or visit the clinic
// does not have (another clinic's ids look exactly the same), and whatever the library's readers
// say about a stored document they cannot read.
PatientCourse read_patient_course(store::Store& store, const std::string& clinic_id, const std::string& patient_id,
                                  const CourseRequest& request = {});

// The clinic of a patient id, for a tool run by the record's operator (the CLI) that is given the
// patient alone: every clinic is asked; InputError not_found when none has it.
std::string clinic_of_patient(store::Store& store, const std::string& patient_id);

}  // namespace scarscope::report
