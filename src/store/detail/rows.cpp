#include "store/detail/rows.h"

#include <nlohmann/json.hpp>

#include "clinic/vocabulary.h"
#include "store/store_error.h"

namespace scarscope::store::detail {

const std::string_view clinic_columns = "id, name, created_at, settings";
const std::string_view user_columns = "id, clinic_id, email, display_name, role, password_hash, disabled, created_at";
const std::string_view patient_columns =
    "id, clinic_id, identifier, name, birth_year, sex, fitzpatrick, profile, created_by, created_at, updated_at";
const std::string_view consent_columns = "id, clinic_id, patient_id, kind, state, date, note, recorded_by, recorded_at";
const std::string_view visit_columns = "id, clinic_id, patient_id, date, region, notes, created_by, created_at";
const std::string_view scan_columns =
    "id, clinic_id, patient_id, visit_id, file_name, format, sha256, size_bytes, instrument, uploaded_by, uploaded_at";
const std::string_view assessment_columns =
    "id, clinic_id, patient_id, visit_id, scan_id, analysis, analysis_version, analysis_schema, job_id, created_at";
const std::string_view correction_columns =
    "id, clinic_id, assessment_id, clinician_inputs, corrected, corrected_version, corrected_schema, made_by, made_at";
const std::string_view comparison_columns =
    "id, clinic_id, patient_id, baseline_scan_id, followup_scan_id, result, result_version, result_schema, job_id, "
    "created_at";
const std::string_view plan_columns =
    "id, clinic_id, patient_id, visit_id, proposal, proposal_version, proposal_schema, accepted, accepted_version, "
    "accepted_schema, status, created_by, created_at, accepted_by, accepted_at, acceptance_note";
const std::string_view session_columns =
    "id, clinic_id, patient_id, visit_id, plan_id, date, modality, parameters, region, target_assessment_id, "
    "target_scar_ids, operator_id, notes, recorded_by, recorded_at";
const std::string_view adverse_event_columns =
    "id, clinic_id, patient_id, session_id, kind, severity, onset, resolved, notes, recorded_by, recorded_at";
const std::string_view job_columns =
    "id, clinic_id, patient_id, kind, scan_id, baseline_scan_id, state, attempts, max_attempts, lease_owner, "
    "lease_expires_at, heartbeat_at, progress, stage, error, result_kind, result_id, created_at, updated_at, finished_at";
const std::string_view audit_columns =
    "id, clinic_id, sequence, at, user_id, action, object_kind, object_id, patient_id, detail, previous_hash, hash";
const std::string_view auth_session_columns =
    "id, token_hash, user_id, clinic_id, created_at, expires_at, revoked_at";

namespace {

// Dates as the store writes them (YYYY-MM-DD), read without the general parser's regex: a record
// read is dominated by it otherwise. Anything else goes to CalendarDate::parse for its message.
CalendarDate stored_date(const std::string& text) {
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && digit(0) && digit(1) && digit(2) && digit(3) &&
      digit(5) && digit(6) && digit(8) && digit(9)) {
    const auto number = [&](std::size_t at, std::size_t length) {
      int value = 0;
      for (std::size_t i = at; i < at + length; ++i) value = value * 10 + (text[i] - '0');
      return value;
    };
    const std::chrono::year_month_day date{std::chrono::year(number(0, 4)),
                                           std::chrono::month(static_cast<unsigned>(number(5, 2))),
                                           std::chrono::day(static_cast<unsigned>(number(8, 2)))};
    if (date.ok()) return CalendarDate{std::chrono::sys_days(date)};
  }
  return CalendarDate::parse(text, "stored date");
}

}  // namespace

CalendarDate RowReader::date() { return stored_date(text()); }

std::optional<CalendarDate> RowReader::optional_date() {
  const std::string value = text();
  if (value.empty()) return std::nullopt;
  return stored_date(value);
}

clinic::StoredDocument RowReader::document() {
  clinic::StoredDocument document;
  document.json = text();
  document.version = text();
  document.schema = text();
  return document;
}

std::optional<clinic::StoredDocument> RowReader::optional_document() {
  const std::size_t c = column_;
  if (rows_.is_null(row_, c)) {
    column_ += 3;
    return std::nullopt;
  }
  return document();
}

clinic::Clinic clinic_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Clinic clinic;
  clinic.id = r.text();
  clinic.name = r.text();
  clinic.created_at = r.timestamp();
  clinic.settings_json = r.text();
  return clinic;
}

clinic::User user_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::User user;
  user.id = r.text();
  user.clinic_id = r.text();
  user.email = r.text();
  user.display_name = r.text();
  user.role = clinic::parse_role(r.text());
  user.password_hash = r.text();
  user.disabled = r.boolean();
  user.created_at = r.timestamp();
  return user;
}

clinic::Patient patient_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Patient patient;
  patient.id = r.text();
  patient.clinic_id = r.text();
  patient.identifier = r.text();
  patient.name = r.text();
  patient.birth_year = r.optional_int();
  const std::string sex = r.text();
  if (!sex.empty()) patient.sex = clinic::parse_sex(sex);
  patient.fitzpatrick = r.optional_int();
  patient.profile_json = r.text();
  patient.created_by = r.text();
  patient.created_at = r.timestamp();
  patient.updated_at = r.timestamp();
  return patient;
}

clinic::Consent consent_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Consent consent;
  consent.id = r.text();
  consent.clinic_id = r.text();
  consent.patient_id = r.text();
  consent.kind = clinic::parse_consent_kind(r.text());
  consent.state = clinic::parse_consent_state(r.text());
  consent.date = r.date();
  consent.note = r.text();
  consent.recorded_by = r.text();
  consent.recorded_at = r.timestamp();
  return consent;
}

clinic::Visit visit_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Visit visit;
  visit.id = r.text();
  visit.clinic_id = r.text();
  visit.patient_id = r.text();
  visit.date = r.date();
  visit.region = clinic::parse_region(r.text());
  visit.notes = r.text();
  visit.created_by = r.text();
  visit.created_at = r.timestamp();
  return visit;
}

clinic::Scan scan_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Scan scan;
  scan.id = r.text();
  scan.clinic_id = r.text();
  scan.patient_id = r.text();
  scan.visit_id = r.text();
  scan.file_name = r.text();
  scan.format = r.text();
  scan.sha256 = r.text();
  scan.size_bytes = r.integer();
  scan.instrument = r.text();
  scan.uploaded_by = r.text();
  scan.uploaded_at = r.timestamp();
  return scan;
}

clinic::Assessment assessment_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Assessment assessment;
  assessment.id = r.text();
  assessment.clinic_id = r.text();
  assessment.patient_id = r.text();
  assessment.visit_id = r.text();
  assessment.scan_id = r.text();
  assessment.analysis = r.document();
  assessment.job_id = r.text();
  assessment.created_at = r.timestamp();
  return assessment;
}

clinic::AssessmentCorrection correction_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::AssessmentCorrection correction;
  correction.id = r.text();
  correction.clinic_id = r.text();
  correction.assessment_id = r.text();
  correction.clinician_inputs_json = r.text();
  correction.corrected = r.optional_document();
  correction.made_by = r.text();
  correction.made_at = r.timestamp();
  return correction;
}

clinic::Comparison comparison_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Comparison comparison;
  comparison.id = r.text();
  comparison.clinic_id = r.text();
  comparison.patient_id = r.text();
  comparison.baseline_scan_id = r.text();
  comparison.followup_scan_id = r.text();
  comparison.result = r.document();
  comparison.job_id = r.text();
  comparison.created_at = r.timestamp();
  return comparison;
}

clinic::Plan plan_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Plan plan;
  plan.id = r.text();
  plan.clinic_id = r.text();
  plan.patient_id = r.text();
  plan.visit_id = r.text();
  plan.proposal = r.document();
  plan.accepted = r.optional_document();
  plan.status = clinic::parse_plan_status(r.text());
  plan.created_by = r.text();
  plan.created_at = r.timestamp();
  plan.accepted_by = r.text();
  plan.accepted_at = r.optional_timestamp();
  plan.acceptance_note = r.text();
  return plan;
}

clinic::TreatmentSession session_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::TreatmentSession session;
  session.id = r.text();
  session.clinic_id = r.text();
  session.patient_id = r.text();
  session.visit_id = r.text();
  session.plan_id = r.text();
  session.date = r.date();
  session.modality = r.text();
  const nlohmann::json parameters = nlohmann::json::parse(r.text(), nullptr, false);
  if (parameters.is_object()) {
    for (const auto& [name, value] : parameters.items()) {
      if (value.is_number()) session.parameters[name] = value.get<double>();
    }
  }
  session.region = clinic::parse_region(r.text());
  session.target_assessment_id = r.text();
  const nlohmann::json ids = nlohmann::json::parse(r.text(), nullptr, false);
  if (ids.is_array()) {
    for (const auto& id : ids) {
      if (id.is_number_integer()) session.target_scar_ids.push_back(id.get<int>());
    }
  }
  session.operator_id = r.text();
  session.notes = r.text();
  session.recorded_by = r.text();
  session.recorded_at = r.timestamp();
  return session;
}

clinic::AdverseEvent adverse_event_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::AdverseEvent event;
  event.id = r.text();
  event.clinic_id = r.text();
  event.patient_id = r.text();
  event.session_id = r.text();
  event.kind = clinic::parse_adverse_event_kind(r.text());
  event.severity = clinic::parse_severity(r.text());
  event.onset = r.date();
  event.resolved = r.optional_date();
  event.notes = r.text();
  event.recorded_by = r.text();
  event.recorded_at = r.timestamp();
  return event;
}

clinic::Job job_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::Job job;
  job.id = r.text();
  job.clinic_id = r.text();
  job.patient_id = r.text();
  job.kind = clinic::parse_job_kind(r.text());
  job.scan_id = r.text();
  job.baseline_scan_id = r.text();
  job.state = clinic::parse_job_state(r.text());
  job.attempts = static_cast<int>(r.integer());
  job.max_attempts = static_cast<int>(r.integer());
  job.lease_owner = r.text();
  job.lease_expires_at = r.optional_timestamp();
  job.heartbeat_at = r.optional_timestamp();
  job.progress = r.real();
  job.stage = r.text();
  job.error = r.text();
  job.result_kind = r.text();
  job.result_id = r.text();
  job.created_at = r.timestamp();
  job.updated_at = r.timestamp();
  job.finished_at = r.optional_timestamp();
  return job;
}

clinic::AuditEntry audit_entry_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::AuditEntry entry;
  entry.id = r.text();
  entry.clinic_id = r.text();
  entry.sequence = r.integer();
  entry.at = r.timestamp();
  entry.user_id = r.text();
  entry.action = clinic::parse_audit_action(r.text());
  entry.object_kind = r.text();
  entry.object_id = r.text();
  entry.patient_id = r.text();
  entry.detail = r.text();
  entry.previous_hash = r.text();
  entry.hash = r.text();
  return entry;
}

clinic::AuthSession auth_session_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::AuthSession session;
  session.id = r.text();
  session.token_hash = r.text();
  session.user_id = r.text();
  session.clinic_id = r.text();
  session.created_at = r.timestamp();
  session.expires_at = r.timestamp();
  session.revoked_at = r.optional_timestamp();
  return session;
}

std::string parameters_json(const std::map<std::string, double>& parameters) {
  nlohmann::json document = nlohmann::json::object();
  for (const auto& [name, value] : parameters) document[name] = value;
  return document.dump();
}

std::string scar_ids_json(const std::vector<int>& ids) { return nlohmann::json(ids).dump(); }

std::string fold_for_search(std::string_view text) {
  std::string folded;
  folded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 'A' && c <= 'Z') {
      folded += static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < text.size()) {
      // U+00C0..U+00DE (except U+00D7, the multiplication sign) -> U+00E0..U+00FE.
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) next = static_cast<unsigned char>(next + 0x20);
      folded += static_cast<char>(c);
      folded += static_cast<char>(next);
      ++i;
    } else {
      folded += static_cast<char>(c);
    }
  }
  return folded;
}

}  // namespace scarscope::store::detail
