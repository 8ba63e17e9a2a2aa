// The clinic record as plain data: who the patient is, every visit, scan, assessment, plan,
// treatment session and adverse event, the staff, the analysis jobs and the audit trail. No I/O:
// src/store keeps these, the server and the CLI show them. Every id is opaque (clinic/ids.h).
// Documents the library produces (analyses, comparisons, plans) are kept as JSON text with the
// version and schema that made them; the record never interprets their content.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clinic/clock.h"
#include "planning/calendar_date.h"

namespace scarscope::clinic {

using scarscope::CalendarDate;

// ---- Vocabularies (names in clinic/vocabulary.h) -------------------------------------------

enum class Role { admin, clinician, assistant };
enum class Sex { female, male, other };
enum class ConsentKind { treatment, photography, research };
enum class ConsentState { given, withdrawn };
// The fixed list of body regions a visit (and a treatment session) concerns.
enum class Region {
  forehead, left_cheek, right_cheek, left_temple, right_temple, nose, chin, perioral, jawline, neck,
  chest, back
};
enum class PlanStatus { proposed, accepted, superseded };
enum class AdverseEventKind {
  erythema, oedema, bruising, post_inflammatory_hyperpigmentation, infection, hsv_reactivation,
  new_scarring, other
};
enum class Severity { mild, moderate, severe };
enum class JobKind { analysis, comparison };
enum class JobState { queued, running, done, failed, cancelled };
// `delete` and `export` are C++ keywords: their enumerators carry a trailing underscore; their
// names ("delete", "export") do not.
enum class AuditAction { read, create, update, delete_, export_, login, login_failed, backup, restore };

// ---- Documents ------------------------------------------------------------------------------

// A JSON document made by the library with its `"scarscope": {"version", "schema"}` stamp,
// kept as the exact text it was given (see clinic/documents.h to make one from text).
struct StoredDocument {
  std::string json;     // the document, exactly as produced
  std::string version;  // scarscope.version: the software version that made it ("0.1.0")
  std::string schema;   // scarscope.schema: the document's schema version, as text ("1")
  bool operator==(const StoredDocument&) const = default;
};

// ---- Organisation and staff ---------------------------------------------------------------

struct Clinic {
  std::string id;
  std::string name;  // unique
  Timestamp created_at;
  // What an admin sets for the clinic, as a JSON object the server defines ("{}" when nothing).
  std::string settings_json = "{}";
  bool operator==(const Clinic&) const = default;
};

struct User {
  std::string id;
  std::string clinic_id;
  std::string email;          // lower case; unique across the record (a login names its clinic)
  std::string display_name;   // may be empty
  Role role = Role::assistant;
  std::string password_hash;  // argon2id (clinic/password.h); never shown
  bool disabled = false;
  Timestamp created_at;
  bool operator==(const User&) const = default;
};

// ---- Patients -------------------------------------------------------------------------------

struct Patient {
  std::string id;
  std::string clinic_id;
  std::string identifier;  // the clinic's own patient number; unique within the clinic when not empty
  std::string name;
  std::optional<int> birth_year;
  std::optional<Sex> sex;
  std::optional<int> fitzpatrick;  // 1-6
  // The rest of the planning profile of `scarscope plan --patient` given so far, as a JSON object
  // ("{}" when none): active_acne, isotretinoin, keloid_history, ... (birth_year and fitzpatrick
  // live in the fields above). clinic/patient_profile_parts.h checks it and says what is missing.
  std::string profile_json = "{}";
  std::string created_by;  // user id
  Timestamp created_at;
  Timestamp updated_at;
  bool operator==(const Patient&) const = default;
};

struct Consent {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  ConsentKind kind = ConsentKind::treatment;
  ConsentState state = ConsentState::given;
  CalendarDate date;
  std::string note;
  std::string recorded_by;
  Timestamp recorded_at;
  bool operator==(const Consent&) const = default;
};

struct Visit {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  CalendarDate date;
  Region region = Region::left_cheek;
  std::string notes;
  std::string created_by;
  Timestamp created_at;
  bool operator==(const Visit&) const = default;
};

// A scan file as uploaded. Its bytes are a blob named by their SHA-256 (store/blobs).
struct Scan {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string visit_id;
  std::string file_name;   // the original file name, for people (never used as a path)
  std::string format;      // x3p, tiff, png, csv, xyz, ply, ...
  std::string sha256;      // lower-case hex; names the blob
  std::int64_t size_bytes = 0;
  std::string instrument;  // scanner make and model, if known
  std::string uploaded_by;
  Timestamp uploaded_at;
  bool operator==(const Scan&) const = default;
};

// Manual mode (no 3D camera): a photograph of a visit's treated region, kept as a blob like a scan
// file.
struct VisitPhoto {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string visit_id;
  std::string file_name;   // the original file name, for people (never used as a path)
  std::string media_type;  // image/jpeg or image/png (from the bytes, not the client's word)
  std::string sha256;      // lower-case hex; names the blob
  std::int64_t size_bytes = 0;
  int width = 0;  // pixels
  int height = 0;
  std::string uploaded_by;
  Timestamp uploaded_at;
  bool operator==(const VisitPhoto&) const = default;
};

// A clinician's marks on a photograph (each scar's place, type and estimated size: a clinician's
// estimate, never a measurement) and the grades the library made of them (basis clinician_only).
// The latest marking of a photograph is in force; earlier ones are kept with who and when.
struct PhotoMarking {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string photo_id;
  std::string marks_json;  // {"marks": [...], "ruler": ...} as the clinician gave them
  StoredDocument grades;   // the library's visit grades of the marks
  std::string made_by;
  Timestamp made_at;
  bool operator==(const PhotoMarking&) const = default;
};

// The analysis of one scan as the library produced it.
struct Assessment {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string visit_id;
  std::string scan_id;
  StoredDocument analysis;
  std::string job_id;  // the job that made it; empty when stored directly
  Timestamp created_at;
  bool operator==(const Assessment&) const = default;
};

// A clinician's review of an assessment: corrections per scar (type, removal) and the grading
// inputs only an examination gives, in the clinician-inputs JSON of DESIGN.md, with the assessment
// recomputed from them. The latest one is the one in force; earlier ones stay as history.
struct AssessmentCorrection {
  std::string id;
  std::string clinic_id;
  std::string assessment_id;
  std::string clinician_inputs_json;
  std::optional<StoredDocument> corrected;  // the assessment with the corrections applied
  std::string made_by;
  Timestamp made_at;
  bool operator==(const AssessmentCorrection&) const = default;
};

// A follow-up comparison of two scans of the same patient and region.
struct Comparison {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string baseline_scan_id;
  std::string followup_scan_id;
  StoredDocument result;
  std::string job_id;
  Timestamp created_at;
  bool operator==(const Comparison&) const = default;
};

// A treatment plan: the planner's proposal, and once a clinician accepts it (possibly edited) the
// plan as accepted. Accepting a plan supersedes the patient's previously accepted plan.
struct Plan {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string visit_id;
  StoredDocument proposal;
  std::optional<StoredDocument> accepted;  // the plan as accepted, with the clinician's edits
  PlanStatus status = PlanStatus::proposed;
  std::string created_by;
  Timestamp created_at;
  std::string accepted_by;  // empty until accepted
  std::optional<Timestamp> accepted_at;
  std::string acceptance_note;  // what the clinician changed and why, in their words
  bool operator==(const Plan&) const = default;
};

// One treatment given. `parameters` are checked against the ranges of the modality in
// kb/session_parameters.json (clinic/treatment_vocabulary.h) before they are stored.
struct TreatmentSession {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string visit_id;  // the visit it took place at, if recorded as one; may be empty
  std::string plan_id;   // the plan it follows, if any; may be empty
  CalendarDate date;
  std::string modality;  // a modality id of kb/treatments.json (tca_cross, microneedling, ...)
  std::map<std::string, double> parameters;  // tca_concentration_pct, needle_depth_mm, energy_mj, ...
  Region region = Region::left_cheek;
  std::string target_assessment_id;  // the assessment whose scar ids target_scar_ids name; may be empty
  std::vector<int> target_scar_ids;
  std::string operator_id;  // the user who gave the treatment
  std::string notes;
  std::string recorded_by;
  Timestamp recorded_at;
  bool operator==(const TreatmentSession&) const = default;
};

struct AdverseEvent {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  std::string session_id;
  AdverseEventKind kind = AdverseEventKind::other;
  Severity severity = Severity::mild;
  CalendarDate onset;
  std::optional<CalendarDate> resolved;
  std::string notes;
  std::string recorded_by;
  Timestamp recorded_at;
  bool operator==(const AdverseEvent&) const = default;
};

// ---- Work and security -----------------------------------------------------------------------

// An analysis (of scan_id) or a comparison (of baseline_scan_id with scan_id) to run. Claimed by
// a worker under a lease it renews by heartbeat; a lease that expires makes the job claimable
// again; after max_attempts failed or expired attempts it is `failed` with the last error.
struct Job {
  std::string id;
  std::string clinic_id;
  std::string patient_id;
  JobKind kind = JobKind::analysis;
  std::string scan_id;           // the scan to analyse, or the follow-up scan of a comparison
  std::string baseline_scan_id;  // comparisons only
  JobState state = JobState::queued;
  int attempts = 0;
  int max_attempts = 3;
  std::string lease_owner;  // the worker holding it while running ("host:pid:thread")
  std::optional<Timestamp> lease_expires_at;
  std::optional<Timestamp> heartbeat_at;
  double progress = 0.0;  // 0..1
  std::string stage;      // what it is doing now ("detection", ...)
  std::string error;      // the last failure's message
  std::string result_kind;  // "assessment" or "comparison" once done
  std::string result_id;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> finished_at;
  bool operator==(const Job&) const = default;
};

// One entry of the append-only audit trail. Entries form one hash chain per clinic (clinic_id
// empty: the chain of events outside any clinic, such as a failed login for an unknown email):
// each entry stores the previous entry's hash and its own hash over its fields, so an edited or
// deleted entry breaks the chain (`scarscope fsck` checks it).
struct AuditEntry {
  std::string id;
  std::string clinic_id;  // empty for the record-wide chain
  std::int64_t sequence = 0;  // 1, 2, 3... within its chain
  Timestamp at;
  std::string user_id;  // who; empty when nobody is logged in (a failed login)
  AuditAction action = AuditAction::read;
  std::string object_kind;  // patient, visit, scan, assessment, plan, session, user, record, ...
  std::string object_id;
  std::string patient_id;   // the patient whose data it concerns, if any
  std::string detail;       // short, no patient data (e.g. "csv", "from 10.0.0.7")
  std::string previous_hash;  // hex; 64 zeros for the first entry of a chain
  std::string hash;           // hex SHA-256 over the fields above (clinic/audit_chain.h)
  bool operator==(const AuditEntry&) const = default;
};

// A login session. The token itself is never stored: only its hash (clinic/ids.h).
struct AuthSession {
  std::string id;  // opaque, for listing and revoking without exposing the hash
  std::string token_hash;
  std::string user_id;
  std::string clinic_id;
  Timestamp created_at;
  Timestamp expires_at;
  std::optional<Timestamp> revoked_at;
  bool operator==(const AuthSession&) const = default;
};

// One login attempt, kept for rate limiting per account and per address (shared by every server
// on the same database).
struct LoginAttempt {
  std::string email;    // as typed, lower-cased
  std::string address;  // the client's IP address
  Timestamp at;
  bool succeeded = false;
  bool operator==(const LoginAttempt&) const = default;
};

}  // namespace scarscope::clinic
