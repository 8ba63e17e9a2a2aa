// What a transaction on the clinic record can do. You never construct these: Store::read/write
// (clinic-scoped) and Store::read_system/write_system (record-wide) hand them to your function.
//
// Clinic-scoped transactions (ClinicReader, ClinicWriter) are bound to one clinic when they begin:
// every query they run is limited to that clinic's rows, so there is no way to write a query for
// patient data without a clinic. An id of another clinic behaves exactly like an id that does not
// exist (std::nullopt, or InputError not_found). On PostgreSQL, row-level security enforces the same
// boundary a second time.
//
// Record-wide transactions (SystemReader, SystemWriter) hold what exists before a clinic is known
// or spans clinics: clinics, logins (users by email, sessions, login attempts), the job queue's
// claims, and the record-wide audit chain. Use them for those only.
//
// Drafts: create_*() take a record whose id, clinic_id and time stamps are ignored (the store
// assigns them from its clock) and return the record as stored.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/records.h"
#include "clinic/treatment_vocabulary.h"
#include "store/blobs.h"

namespace scarscope::store {

namespace detail {
class TransactionContext;
}

using namespace std::chrono_literals;

struct PageRequest {
  int limit = 50;  // 1..1000
  int offset = 0;  // >= 0
};

template <class Record>
struct Page {
  std::vector<Record> items;
  std::int64_t total = 0;  // matching records in all pages
};

// What to append to the audit trail; the store adds the clinic, the time, the sequence and hashes.
struct AuditEvent {
  std::string user_id;
  clinic::AuditAction action = clinic::AuditAction::read;
  std::string object_kind;
  std::string object_id;
  std::string patient_id;
  std::string detail;
};

struct AuditQuery {
  std::string patient_id;  // empty: any
  std::string user_id;     // empty: any
  std::optional<clinic::Timestamp> from;  // inclusive
  std::optional<clinic::Timestamp> to;    // exclusive
  PageRequest page;
};

// ---- Clinic-scoped ---------------------------------------------------------------------------

class ClinicReader {
 public:
  explicit ClinicReader(detail::TransactionContext& context) : context_(context) {}
  ClinicReader(const ClinicReader&) = delete;
  ClinicReader& operator=(const ClinicReader&) = delete;

  const std::string& clinic_id() const;
  clinic::Clinic clinic() const;

  std::optional<clinic::User> user(const std::string& user_id) const;
  std::vector<clinic::User> users() const;  // by email

  std::optional<clinic::Patient> patient(const std::string& patient_id) const;
  // Patients whose name contains `text` or whose identifier starts with it (case-insensitive);
  // empty text: all. Ordered by name, then id.
  Page<clinic::Patient> find_patients(std::string_view text, PageRequest page = {}) const;

  std::vector<clinic::Consent> consents(const std::string& patient_id) const;  // by date, then time recorded

  std::optional<clinic::Visit> visit(const std::string& visit_id) const;
  std::vector<clinic::Visit> visits(const std::string& patient_id) const;  // by date, then time created

  std::optional<clinic::Scan> scan(const std::string& scan_id) const;
  std::vector<clinic::Scan> scans_of_visit(const std::string& visit_id) const;      // by upload time
  std::vector<clinic::Scan> scans_of_patient(const std::string& patient_id) const;  // by visit date, upload time
  // Streams the scan's file to `sink` in pieces (at most 1 MiB each). Throws InputError
  // (not_found) for an unknown scan, StoreError if the blob is missing or its size is wrong.
  void read_scan_file(const std::string& scan_id, const std::function<void(std::span<const std::byte>)>& sink) const;
  std::vector<std::byte> scan_file(const std::string& scan_id) const;

  // Manual mode: a visit's photographs and the clinician's marks on them (store/photo_transactions.cpp).
  std::optional<clinic::VisitPhoto> photo(const std::string& photo_id) const;
  std::vector<clinic::VisitPhoto> photos_of_visit(const std::string& visit_id) const;      // by upload time
  std::vector<clinic::VisitPhoto> photos_of_patient(const std::string& patient_id) const;  // by visit date, upload time
  // The photograph's bytes (InputError not_found for an unknown photograph).
  std::vector<std::byte> photo_file(const std::string& photo_id) const;
  std::optional<clinic::PhotoMarking> latest_marking(const std::string& photo_id) const;
  std::vector<clinic::PhotoMarking> markings(const std::string& photo_id) const;  // oldest first

  std::optional<clinic::Assessment> assessment(const std::string& assessment_id) const;
  std::optional<clinic::Assessment> latest_assessment_of_scan(const std::string& scan_id) const;
  std::vector<clinic::AssessmentCorrection> corrections(const std::string& assessment_id) const;  // oldest first

  std::optional<clinic::Comparison> comparison(const std::string& comparison_id) const;
  std::vector<clinic::Comparison> comparisons_of_patient(const std::string& patient_id) const;  // oldest first

  std::optional<clinic::Plan> plan(const std::string& plan_id) const;
  std::vector<clinic::Plan> plans_of_patient(const std::string& patient_id) const;  // oldest first

  std::optional<clinic::TreatmentSession> treatment_session(const std::string& session_id) const;
  std::vector<clinic::TreatmentSession> treatment_sessions(const std::string& patient_id) const;  // by date
  std::vector<clinic::TreatmentSession> all_treatment_sessions() const;  // the clinic's, by date

  std::optional<clinic::AdverseEvent> adverse_event(const std::string& event_id) const;
  std::vector<clinic::AdverseEvent> adverse_events_of_session(const std::string& session_id) const;
  std::vector<clinic::AdverseEvent> adverse_events_of_patient(const std::string& patient_id) const;

  std::optional<clinic::Job> job(const std::string& job_id) const;
  std::vector<clinic::Job> jobs_of_scan(const std::string& scan_id) const;  // oldest first

  // Newest first.
  Page<clinic::AuditEntry> audit_entries(const AuditQuery& query) const;

 protected:
  detail::TransactionContext& context_;
};

class ClinicWriter : public ClinicReader {
 public:
  using ClinicReader::ClinicReader;

  // Replaces the clinic's settings (a JSON object, at most 1 MiB).
  clinic::Clinic update_clinic_settings(const std::string& settings_json);

  // Staff of this clinic. Throws InputError conflict ("email") when the email is taken.
  clinic::User create_user(const clinic::User& draft);
  // Changes display name, role, password hash and disabled flag (never the id, clinic or email).
  clinic::User update_user(const clinic::User& user);

  // Throws InputError conflict ("identifier") when another patient of the clinic has it, and
  // checks the profile parts (clinic/patient_profile_parts.h).
  clinic::Patient create_patient(const clinic::Patient& draft);
  // Changes identifier, name, birth year, sex, Fitzpatrick type and profile parts.
  clinic::Patient update_patient(const clinic::Patient& patient);

  clinic::Consent record_consent(const clinic::Consent& draft);
  clinic::Visit create_visit(const clinic::Visit& draft);
  // `draft.sha256` and `size_bytes` must name a stored blob (Store::begin_blob / put_blob).
  clinic::Scan create_scan(const clinic::Scan& draft);

  // `draft.sha256` and `size_bytes` must name a stored blob; visit_id, file_name, media_type
  // (image/jpeg or image/png), width and height as read from the picture.
  clinic::VisitPhoto create_photo(const clinic::VisitPhoto& draft);
  // photo_id, marks_json (a JSON object), grades (a stamped document), made_by.
  clinic::PhotoMarking add_marking(const clinic::PhotoMarking& draft);

  clinic::Assessment store_assessment(const clinic::Assessment& draft);  // scan_id, analysis, job_id
  clinic::AssessmentCorrection add_correction(const clinic::AssessmentCorrection& draft);
  clinic::Comparison store_comparison(const clinic::Comparison& draft);

  clinic::Plan create_plan(const clinic::Plan& draft);  // visit_id, proposal, created_by
  // Accepts a proposed plan (with the clinician's edited version, or the proposal as is) and marks
  // the patient's previously accepted plan superseded. Throws InputError conflict when the plan is
  // not `proposed`.
  clinic::Plan accept_plan(const std::string& plan_id, const std::string& user_id,
                           const std::optional<clinic::StoredDocument>& edited, const std::string& note);

  // Checks modality and parameters against `vocabulary` first (clinic/treatment_vocabulary.h).
  clinic::TreatmentSession record_treatment_session(const clinic::TreatmentSession& draft,
                                                    const clinic::TreatmentVocabulary& vocabulary);
  clinic::AdverseEvent record_adverse_event(const clinic::AdverseEvent& draft);
  // Sets the resolution date (and notes) of an adverse event already recorded.
  clinic::AdverseEvent update_adverse_event(const clinic::AdverseEvent& event);

  // Queues an analysis of `scan_id`, or a comparison of `baseline_scan_id` with `scan_id`.
  clinic::Job enqueue_job(clinic::JobKind kind, const std::string& scan_id, const std::string& baseline_scan_id = {},
                          int max_attempts = 3);
  // Marks a running job done with its result, in this transaction (store the result in the same
  // one). False, and nothing changed, if `lease_owner` no longer holds the job's lease.
  bool complete_job(const std::string& job_id, const std::string& lease_owner, const std::string& result_kind,
                    const std::string& result_id);

  clinic::AuditEntry append_audit(const AuditEvent& event);
  // Several entries in one go (group commit of reads), in the order given.
  std::vector<clinic::AuditEntry> append_audit(std::span<const AuditEvent> events);
};

// ---- Record-wide -----------------------------------------------------------------------------

// The user of a valid login session (not revoked, not expired, user not disabled).
struct ActiveSession {
  clinic::AuthSession session;
  clinic::User user;
};

struct JobQuery {
  std::optional<clinic::JobState> state;
  std::string clinic_id;  // empty: every clinic
  PageRequest page;
};

class SystemReader {
 public:
  explicit SystemReader(detail::TransactionContext& context) : context_(context) {}
  SystemReader(const SystemReader&) = delete;
  SystemReader& operator=(const SystemReader&) = delete;

  std::vector<clinic::Clinic> clinics() const;  // by name
  std::optional<clinic::Clinic> clinic(const std::string& clinic_id) const;
  std::optional<clinic::Clinic> clinic_by_name(const std::string& name) const;

  std::optional<clinic::User> user(const std::string& user_id) const;
  std::optional<clinic::User> user_by_email(const std::string& email) const;  // case-insensitive
  std::vector<clinic::User> users() const;  // every clinic's, by clinic name then email

  std::optional<ActiveSession> active_session(const std::string& token_hash) const;

  // Failed attempts at or after `since`, for rate limiting.
  std::int64_t failed_logins_for_email(const std::string& email, clinic::Timestamp since) const;
  std::int64_t failed_logins_from_address(const std::string& address, clinic::Timestamp since) const;

  std::optional<clinic::Job> job(const std::string& job_id) const;
  Page<clinic::Job> jobs(const JobQuery& query) const;  // oldest first
  std::map<clinic::JobState, std::int64_t> job_counts() const;

  // Rows per table of the record (for checking that a refused request stored nothing).
  std::map<std::string, std::int64_t> record_counts() const;

 protected:
  detail::TransactionContext& context_;
};

struct JobClaim {
  std::string owner;  // who holds the lease ("host:pid:thread")
  std::chrono::microseconds lease = std::chrono::minutes(5);
  std::vector<clinic::JobKind> kinds = {clinic::JobKind::analysis, clinic::JobKind::comparison};
  // Clinics take turns (see claim_job); false: strictly the oldest job first, whatever its clinic.
  bool clinic_share = true;
  // This claimer's limit on attempts (`scarscope worker --max-attempts`): a job is failed after
  // this many attempts even when it was queued with a higher max_attempts (1-100).
  int max_attempts = 100;
};

class SystemWriter : public SystemReader {
 public:
  using SystemReader::SystemReader;

  // Throws InputError conflict ("clinic") when the name is taken.
  clinic::Clinic create_clinic(const std::string& name);
  // The clinic of that name, created if new.
  clinic::Clinic ensure_clinic(const std::string& name);

  // A user of `draft.clinic_id` (for `scarscope users add`); same rules as ClinicWriter::create_user.
  clinic::User create_user(const clinic::User& draft);
  // Returns false for an unknown user. Disabling also revokes the user's sessions.
  bool set_user_disabled(const std::string& user_id, bool disabled);

  // A session for `user_id` (the clinic is the user's), expiring at `expires_at`.
  clinic::AuthSession create_auth_session(const std::string& user_id, const std::string& token_hash,
                                          clinic::Timestamp expires_at);
  bool revoke_auth_session(const std::string& token_hash);
  std::int64_t revoke_sessions_of_user(const std::string& user_id);
  std::int64_t delete_expired_auth_sessions();  // expired or revoked before now

  void record_login_attempt(const clinic::LoginAttempt& attempt);
  std::int64_t delete_login_attempts_before(clinic::Timestamp moment);

  // Claims the next job: queued jobs, and running jobs whose lease expired, are claimable; a job
  // whose expired attempt was its last is marked failed instead. Clinics take turns: the job comes
  // from the clinic that least recently had a job claimed, oldest job first, so one clinic's batch
  // does not starve another's single scan. On PostgreSQL concurrent claimers skip each other's rows
  // (FOR UPDATE SKIP LOCKED); on SQLite the claim is one write transaction.
  std::optional<clinic::Job> claim_job(const JobClaim& claim);
  // Renews the lease and records progress. False if `owner` no longer holds the job (its lease
  // expired and another worker took it, or an operator cancelled it): stop working on it.
  bool heartbeat_job(const std::string& job_id, const std::string& owner, double progress, const std::string& stage,
                     std::chrono::microseconds lease = std::chrono::minutes(5));
  // Records a failed attempt: back to queued while attempts remain, else failed. The job as it is
  // now, or nullopt if `owner` no longer holds it.
  // `max_attempts` caps the job's own limit as JobClaim::max_attempts does.
  std::optional<clinic::Job> fail_job(const std::string& job_id, const std::string& owner, const std::string& error,
                                      int max_attempts = 100);
  // Gives a running job back (graceful stop) without counting the attempt.
  bool release_job(const std::string& job_id, const std::string& owner);
  // Operators: a failed or cancelled job queued again with fresh attempts; a queued or running job
  // cancelled. False when the job is not in a state that allows it.
  bool retry_job(const std::string& job_id);
  bool cancel_job(const std::string& job_id);

  // An entry of `clinic_id`'s chain, or of the record-wide chain when `clinic_id` is empty
  // (logins for unknown emails, backups, restores).
  clinic::AuditEntry append_audit(const std::string& clinic_id, const AuditEvent& event);
};

}  // namespace scarscope::store
