// Clinic-scoped transactions: every statement names the transaction's clinic, and every record
// another record refers to is looked up in that clinic first (another clinic's id is "not found").
#include <limits>

#include "clinic/documents.h"
#include "clinic/ids.h"
#include "clinic/validation.h"
#include "clinic/vocabulary.h"
#include "core/error.h"
#include "store/detail/shared_writes.h"
#include "store/detail/rows.h"
#include "store/detail/store_impl.h"
#include "store/transactions.h"

namespace scarscope::store {

using namespace detail;
using clinic::Timestamp;

namespace {

std::string select_from(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

CalendarDate today_of(const TransactionContext& context) {
  return CalendarDate{std::chrono::floor<std::chrono::days>(context.now())};
}

[[noreturn]] void not_found(const std::string& what, const std::string& field) {
  throw InputError(field + ": no " + what + " with this id in this clinic", ErrorCode::not_found, field);
}

void check_page(const PageRequest& page) {
  if (page.limit < 1 || page.limit > 1000) {
    throw InputError("limit: must be 1-1000", ErrorCode::out_of_range, "limit");
  }
  if (page.offset < 0) throw InputError("offset: must be 0 or more", ErrorCode::out_of_range, "offset");
}

// '%' and '_' typed by a user match themselves.
std::string like_escaped(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

void require_write(const TransactionContext& context) {
  if (context.kind() != TransactionKind::clinic_write) {
    throw std::logic_error("a write in a read-only transaction");
  }
}

}  // namespace

const std::string& ClinicReader::clinic_id() const { return context_.clinic_id(); }

clinic::Clinic ClinicReader::clinic() const {
  static const std::string sql = select_from(clinic_columns, "FROM clinics WHERE id = $1");
  const SqlRows rows = context_.query(sql, context_.clinic_id());
  if (rows.empty()) not_found("clinic", "clinic");
  return clinic_from(rows, 0);
}

std::optional<clinic::User> ClinicReader::user(const std::string& user_id) const {
  static const std::string sql = select_from(user_columns, "FROM users WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), user_id), user_from);
}

std::vector<clinic::User> ClinicReader::users() const {
  static const std::string sql = select_from(user_columns, "FROM users WHERE clinic_id = $1 ORDER BY email");
  return all_rows(context_.query(sql, context_.clinic_id()), user_from);
}

std::optional<clinic::Patient> ClinicReader::patient(const std::string& patient_id) const {
  static const std::string sql = select_from(patient_columns, "FROM patients WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), patient_id), patient_from);
}

Page<clinic::Patient> ClinicReader::find_patients(std::string_view text, PageRequest page) const {
  check_page(page);
  static const std::string sql = select_from(
      patient_columns,
      "FROM patients WHERE clinic_id = $1 AND (name_folded LIKE $2 ESCAPE '\\' OR identifier_folded LIKE $3 ESCAPE '\\') "
      "ORDER BY name_folded, id LIMIT $4 OFFSET $5");
  static const std::string count_sql =
      "SELECT COUNT(*) FROM patients WHERE clinic_id = $1 AND (name_folded LIKE $2 ESCAPE '\\' OR "
      "identifier_folded LIKE $3 ESCAPE '\\')";
  // No search text (the patient list): every patient matches, so the LIKEs are left out and the
  // count reads the name index alone instead of every row of the clinic.
  static const std::string all_sql =
      select_from(patient_columns, "FROM patients WHERE clinic_id = $1 ORDER BY name_folded, id LIMIT $2 OFFSET $3");
  static const std::string all_count_sql = "SELECT COUNT(*) FROM patients WHERE clinic_id = $1";
  Page<clinic::Patient> result;
  const std::string folded = like_escaped(fold_for_search(text));
  if (folded.empty()) {
    result.items = all_rows(context_.query(all_sql, context_.clinic_id(), page.limit, page.offset), patient_from);
    result.total = context_.query(all_count_sql, context_.clinic_id()).integer(0, 0);
    return result;
  }
  const std::string contains = "%" + folded + "%";
  const std::string starts = folded + "%";
  result.items = all_rows(context_.query(sql, context_.clinic_id(), contains, starts, page.limit, page.offset), patient_from);
  result.total = context_.query(count_sql, context_.clinic_id(), contains, starts).integer(0, 0);
  return result;
}

std::vector<clinic::Consent> ClinicReader::consents(const std::string& patient_id) const {
  static const std::string sql = select_from(
      consent_columns, "FROM consents WHERE clinic_id = $1 AND patient_id = $2 ORDER BY date, recorded_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), consent_from);
}

std::optional<clinic::Visit> ClinicReader::visit(const std::string& visit_id) const {
  static const std::string sql = select_from(visit_columns, "FROM visits WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), visit_id), visit_from);
}

std::vector<clinic::Visit> ClinicReader::visits(const std::string& patient_id) const {
  static const std::string sql = select_from(
      visit_columns, "FROM visits WHERE clinic_id = $1 AND patient_id = $2 ORDER BY date, created_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), visit_from);
}

std::optional<clinic::Scan> ClinicReader::scan(const std::string& scan_id) const {
  static const std::string sql = select_from(scan_columns, "FROM scans WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), scan_id), scan_from);
}

std::vector<clinic::Scan> ClinicReader::scans_of_visit(const std::string& visit_id) const {
  static const std::string sql =
      select_from(scan_columns, "FROM scans WHERE clinic_id = $1 AND visit_id = $2 ORDER BY uploaded_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), visit_id), scan_from);
}

std::vector<clinic::Scan> ClinicReader::scans_of_patient(const std::string& patient_id) const {
  static const std::string sql =
      "SELECT s.id, s.clinic_id, s.patient_id, s.visit_id, s.file_name, s.format, s.sha256, s.size_bytes, "
      "s.instrument, s.uploaded_by, s.uploaded_at FROM scans s JOIN visits v ON v.clinic_id = s.clinic_id AND "
      "v.id = s.visit_id WHERE s.clinic_id = $1 AND s.patient_id = $2 ORDER BY v.date, s.uploaded_at, s.id";
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), scan_from);
}

void ClinicReader::read_scan_file(const std::string& scan_id,
                                  const std::function<void(std::span<const std::byte>)>& sink) const {
  const std::optional<clinic::Scan> found = scan(scan_id);
  if (!found) not_found("scan", "scan_id");
  context_.store().read_blob(context_, found->sha256, found->size_bytes, sink);
}

std::vector<std::byte> ClinicReader::scan_file(const std::string& scan_id) const {
  std::vector<std::byte> bytes;
  read_scan_file(scan_id, [&](std::span<const std::byte> piece) { bytes.insert(bytes.end(), piece.begin(), piece.end()); });
  return bytes;
}

std::optional<clinic::Assessment> ClinicReader::assessment(const std::string& assessment_id) const {
  static const std::string sql = select_from(assessment_columns, "FROM assessments WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), assessment_id), assessment_from);
}

std::optional<clinic::Assessment> ClinicReader::latest_assessment_of_scan(const std::string& scan_id) const {
  static const std::string sql = select_from(
      assessment_columns,
      "FROM assessments WHERE clinic_id = $1 AND scan_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1");
  return first_row(context_.query(sql, context_.clinic_id(), scan_id), assessment_from);
}

std::vector<clinic::AssessmentCorrection> ClinicReader::corrections(const std::string& assessment_id) const {
  static const std::string sql = select_from(
      correction_columns,
      "FROM assessment_corrections WHERE clinic_id = $1 AND assessment_id = $2 ORDER BY made_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), assessment_id), correction_from);
}

std::optional<clinic::Comparison> ClinicReader::comparison(const std::string& comparison_id) const {
  static const std::string sql = select_from(comparison_columns, "FROM comparisons WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), comparison_id), comparison_from);
}

std::vector<clinic::Comparison> ClinicReader::comparisons_of_patient(const std::string& patient_id) const {
  static const std::string sql = select_from(
      comparison_columns, "FROM comparisons WHERE clinic_id = $1 AND patient_id = $2 ORDER BY created_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), comparison_from);
}

std::optional<clinic::Plan> ClinicReader::plan(const std::string& plan_id) const {
  static const std::string sql = select_from(plan_columns, "FROM plans WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), plan_id), plan_from);
}

std::vector<clinic::Plan> ClinicReader::plans_of_patient(const std::string& patient_id) const {
  static const std::string sql =
      select_from(plan_columns, "FROM plans WHERE clinic_id = $1 AND patient_id = $2 ORDER BY created_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), plan_from);
}

std::optional<clinic::TreatmentSession> ClinicReader::treatment_session(const std::string& session_id) const {
  static const std::string sql =
      select_from(session_columns, "FROM treatment_sessions WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), session_id), session_from);
}

std::vector<clinic::TreatmentSession> ClinicReader::treatment_sessions(const std::string& patient_id) const {
  static const std::string sql = select_from(
      session_columns, "FROM treatment_sessions WHERE clinic_id = $1 AND patient_id = $2 ORDER BY date, recorded_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), session_from);
}

std::vector<clinic::TreatmentSession> ClinicReader::all_treatment_sessions() const {
  static const std::string sql =
      select_from(session_columns, "FROM treatment_sessions WHERE clinic_id = $1 ORDER BY date, recorded_at, id");
  return all_rows(context_.query(sql, context_.clinic_id()), session_from);
}

std::optional<clinic::AdverseEvent> ClinicReader::adverse_event(const std::string& event_id) const {
  static const std::string sql = select_from(adverse_event_columns, "FROM adverse_events WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), event_id), adverse_event_from);
}

std::vector<clinic::AdverseEvent> ClinicReader::adverse_events_of_session(const std::string& session_id) const {
  static const std::string sql = select_from(
      adverse_event_columns, "FROM adverse_events WHERE clinic_id = $1 AND session_id = $2 ORDER BY onset, recorded_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), session_id), adverse_event_from);
}

std::vector<clinic::AdverseEvent> ClinicReader::adverse_events_of_patient(const std::string& patient_id) const {
  static const std::string sql = select_from(
      adverse_event_columns, "FROM adverse_events WHERE clinic_id = $1 AND patient_id = $2 ORDER BY onset, recorded_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), adverse_event_from);
}

std::optional<clinic::Job> ClinicReader::job(const std::string& job_id) const {
  static const std::string sql = select_from(job_columns, "FROM jobs WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), job_id), job_from);
}

std::vector<clinic::Job> ClinicReader::jobs_of_scan(const std::string& scan_id) const {
  static const std::string sql =
      select_from(job_columns, "FROM jobs WHERE clinic_id = $1 AND scan_id = $2 ORDER BY created_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), scan_id), job_from);
}

Page<clinic::AuditEntry> ClinicReader::audit_entries(const AuditQuery& query) const {
  check_page(query.page);
  // Empty filters match everything: one statement serves every combination.
  static const std::string where =
      "FROM audit_entries WHERE clinic_id = $1 AND ($2 = '' OR patient_id = $2) AND ($3 = '' OR user_id = $3) "
      "AND at >= $4 AND at < $5";
  static const std::string sql = select_from(audit_columns, where + " ORDER BY at DESC, sequence DESC LIMIT $6 OFFSET $7");
  static const std::string count_sql = "SELECT COUNT(*) " + where;
  const std::int64_t from = query.from ? clinic::to_unix_microseconds(*query.from) : std::numeric_limits<std::int64_t>::min();
  const std::int64_t to = query.to ? clinic::to_unix_microseconds(*query.to) : std::numeric_limits<std::int64_t>::max();
  Page<clinic::AuditEntry> result;
  result.items = all_rows(context_.query(sql, context_.clinic_id(), query.patient_id, query.user_id, from, to,
                                         query.page.limit, query.page.offset),
                          audit_entry_from);
  result.total =
      context_.query(count_sql, context_.clinic_id(), query.patient_id, query.user_id, from, to).integer(0, 0);
  return result;
}

// ---- Writes -----------------------------------------------------------------------------------

clinic::Clinic ClinicWriter::update_clinic_settings(const std::string& settings_json) {
  require_write(context_);
  clinic::check_text(settings_json, "settings", 1 << 20, true, true);
  if (!clinic::is_json_object(settings_json)) {
    throw InputError("settings: must be a JSON object", ErrorCode::wrong_type, "settings");
  }
  context_.execute("UPDATE clinics SET settings = $2 WHERE id = $1", context_.clinic_id(), settings_json);
  return clinic();
}

clinic::User ClinicWriter::create_user(const clinic::User& draft) {
  require_write(context_);
  clinic::User user = draft;
  user.clinic_id = context_.clinic_id();
  return insert_user(context_, user);
}

clinic::User ClinicWriter::update_user(const clinic::User& changed) {
  require_write(context_);
  std::optional<clinic::User> user = this->user(changed.id);
  if (!user) not_found("user", "id");
  user->display_name = changed.display_name;
  user->role = changed.role;
  user->password_hash = changed.password_hash;
  user->disabled = changed.disabled;
  clinic::check_user(*user);
  context_.execute(
      "UPDATE users SET display_name = $3, role = $4, password_hash = $5, disabled = $6 WHERE clinic_id = $1 AND id = $2",
      context_.clinic_id(), user->id, user->display_name, std::string(clinic::name(user->role)), user->password_hash,
      user->disabled);
  if (user->disabled) {
    context_.execute("UPDATE auth_sessions SET revoked_at = $3 WHERE clinic_id = $1 AND user_id = $2 AND revoked_at IS NULL",
                     context_.clinic_id(), user->id, context_.now());
  }
  return *user;
}

clinic::Patient ClinicWriter::create_patient(const clinic::Patient& draft) {
  require_write(context_);
  clinic::Patient patient = draft;
  patient.id = clinic::new_record_id();
  patient.clinic_id = context_.clinic_id();
  patient.created_at = patient.updated_at = context_.now();
  if (patient.profile_json.empty()) patient.profile_json = "{}";
  clinic::check_patient(patient, today_of(context_));
  context_.execute_later(
      "INSERT INTO patients (id, clinic_id, identifier, identifier_folded, name, name_folded, birth_year, sex, "
      "fitzpatrick, profile, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
      "$12, $13)",
      patient.id, patient.clinic_id, patient.identifier, fold_for_search(patient.identifier), patient.name,
      fold_for_search(patient.name), patient.birth_year,
      patient.sex ? SqlParam(std::string(clinic::name(*patient.sex))) : SqlParam(SqlNull{}), patient.fitzpatrick,
      patient.profile_json, nullable(patient.created_by), patient.created_at, patient.updated_at);
  return patient;
}

clinic::Patient ClinicWriter::update_patient(const clinic::Patient& changed) {
  require_write(context_);
  std::optional<clinic::Patient> patient = this->patient(changed.id);
  if (!patient) not_found("patient", "id");
  patient->identifier = changed.identifier;
  patient->name = changed.name;
  patient->birth_year = changed.birth_year;
  patient->sex = changed.sex;
  patient->fitzpatrick = changed.fitzpatrick;
  patient->profile_json = changed.profile_json.empty() ? "{}" : changed.profile_json;
  patient->updated_at = context_.now();
  clinic::check_patient(*patient, today_of(context_));
  context_.execute(
      "UPDATE patients SET identifier = $3, identifier_folded = $4, name = $5, name_folded = $6, birth_year = $7, "
      "sex = $8, fitzpatrick = $9, profile = $10, updated_at = $11 WHERE clinic_id = $1 AND id = $2",
      context_.clinic_id(), patient->id, patient->identifier, fold_for_search(patient->identifier), patient->name,
      fold_for_search(patient->name), patient->birth_year,
      patient->sex ? SqlParam(std::string(clinic::name(*patient->sex))) : SqlParam(SqlNull{}), patient->fitzpatrick,
      patient->profile_json, patient->updated_at);
  return *patient;
}

clinic::Consent ClinicWriter::record_consent(const clinic::Consent& draft) {
  require_write(context_);
  clinic::Consent consent = draft;
  clinic::check_consent(consent, today_of(context_));
  if (!patient(consent.patient_id)) not_found("patient", "patient_id");
  consent.id = clinic::new_record_id();
  consent.clinic_id = context_.clinic_id();
  consent.recorded_at = context_.now();
  context_.execute_later(
      "INSERT INTO consents (id, clinic_id, patient_id, kind, state, date, note, recorded_by, recorded_at) VALUES ($1, "
      "$2, $3, $4, $5, $6, $7, $8, $9)",
      consent.id, consent.clinic_id, consent.patient_id, std::string(clinic::name(consent.kind)),
      std::string(clinic::name(consent.state)), consent.date, consent.note, nullable(consent.recorded_by),
      consent.recorded_at);
  return consent;
}

clinic::Visit ClinicWriter::create_visit(const clinic::Visit& draft) {
  require_write(context_);
  clinic::Visit visit = draft;
  clinic::check_visit(visit, today_of(context_));
  if (!patient(visit.patient_id)) not_found("patient", "patient_id");
  visit.id = clinic::new_record_id();
  visit.clinic_id = context_.clinic_id();
  visit.created_at = context_.now();
  context_.execute_later(
      "INSERT INTO visits (id, clinic_id, patient_id, date, region, notes, created_by, created_at) VALUES ($1, $2, $3, "
      "$4, $5, $6, $7, $8)",
      visit.id, visit.clinic_id, visit.patient_id, visit.date, std::string(clinic::name(visit.region)), visit.notes,
      nullable(visit.created_by), visit.created_at);
  return visit;
}

clinic::Scan ClinicWriter::create_scan(const clinic::Scan& draft) {
  require_write(context_);
  clinic::Scan scan = draft;
  clinic::check_scan(scan);
  const std::optional<clinic::Visit> of_visit = visit(scan.visit_id);
  if (!of_visit) not_found("visit", "visit_id");
  const SqlRows blob = context_.query("SELECT size FROM blobs WHERE sha256 = $1", scan.sha256);
  if (blob.empty()) {
    throw InputError("sha256: no stored blob has this hash (store the file first)", ErrorCode::not_found, "sha256");
  }
  if (blob.integer(0, 0) != scan.size_bytes) {
    throw InputError("size_bytes: " + std::to_string(scan.size_bytes) + " does not match the stored blob's " +
                         std::to_string(blob.integer(0, 0)),
                     ErrorCode::bad_input, "size_bytes");
  }
  scan.id = clinic::new_record_id();
  scan.clinic_id = context_.clinic_id();
  scan.patient_id = of_visit->patient_id;
  scan.uploaded_at = context_.now();
  context_.execute_later(
      "INSERT INTO scans (id, clinic_id, patient_id, visit_id, file_name, format, sha256, size_bytes, instrument, "
      "uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      scan.id, scan.clinic_id, scan.patient_id, scan.visit_id, scan.file_name, scan.format, scan.sha256, scan.size_bytes,
      scan.instrument, nullable(scan.uploaded_by), scan.uploaded_at);
  return scan;
}

clinic::Assessment ClinicWriter::store_assessment(const clinic::Assessment& draft) {
  require_write(context_);
  clinic::Assessment assessment = draft;
  clinic::check_document(assessment.analysis, "analysis");
  const std::optional<clinic::Scan> of_scan = scan(assessment.scan_id);
  if (!of_scan) not_found("scan", "scan_id");
  if (!assessment.job_id.empty() && !job(assessment.job_id)) not_found("job", "job_id");
  assessment.id = clinic::new_record_id();
  assessment.clinic_id = context_.clinic_id();
  assessment.patient_id = of_scan->patient_id;
  assessment.visit_id = of_scan->visit_id;
  assessment.created_at = context_.now();
  context_.execute_later(
      "INSERT INTO assessments (id, clinic_id, patient_id, visit_id, scan_id, analysis, analysis_version, "
      "analysis_schema, job_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      assessment.id, assessment.clinic_id, assessment.patient_id, assessment.visit_id, assessment.scan_id,
      assessment.analysis.json, assessment.analysis.version, assessment.analysis.schema, nullable(assessment.job_id),
      assessment.created_at);
  return assessment;
}

clinic::AssessmentCorrection ClinicWriter::add_correction(const clinic::AssessmentCorrection& draft) {
  require_write(context_);
  clinic::AssessmentCorrection correction = draft;
  if (!clinic::is_json_object(correction.clinician_inputs_json)) {
    throw InputError("clinician_inputs: must be a JSON object (the clinician inputs of DESIGN.md)", ErrorCode::wrong_type,
                     "clinician_inputs");
  }
  clinic::check_text(correction.clinician_inputs_json, "clinician_inputs", 4 << 20, true, true);
  if (correction.corrected) clinic::check_document(*correction.corrected, "corrected");
  if (!assessment(correction.assessment_id)) not_found("assessment", "assessment_id");
  correction.id = clinic::new_record_id();
  correction.clinic_id = context_.clinic_id();
  correction.made_at = context_.now();
  const auto& corrected = correction.corrected;
  context_.execute_later(
      "INSERT INTO assessment_corrections (id, clinic_id, assessment_id, clinician_inputs, corrected, corrected_version, "
      "corrected_schema, made_by, made_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      correction.id, correction.clinic_id, correction.assessment_id, correction.clinician_inputs_json,
      corrected ? SqlParam(corrected->json) : SqlParam(SqlNull{}),
      corrected ? SqlParam(corrected->version) : SqlParam(SqlNull{}),
      corrected ? SqlParam(corrected->schema) : SqlParam(SqlNull{}), nullable(correction.made_by), correction.made_at);
  return correction;
}

clinic::Comparison ClinicWriter::store_comparison(const clinic::Comparison& draft) {
  require_write(context_);
  clinic::Comparison comparison = draft;
  clinic::check_document(comparison.result, "result");
  const std::optional<clinic::Scan> baseline = scan(comparison.baseline_scan_id);
  if (!baseline) not_found("scan", "baseline_scan_id");
  const std::optional<clinic::Scan> followup = scan(comparison.followup_scan_id);
  if (!followup) not_found("scan", "followup_scan_id");
  if (baseline->patient_id != followup->patient_id) {
    throw InputError("followup_scan_id: the two scans are of different patients", ErrorCode::bad_input,
                     "followup_scan_id");
  }
  if (!comparison.job_id.empty() && !job(comparison.job_id)) not_found("job", "job_id");
  comparison.id = clinic::new_record_id();
  comparison.clinic_id = context_.clinic_id();
  comparison.patient_id = baseline->patient_id;
  comparison.created_at = context_.now();
  context_.execute_later(
      "INSERT INTO comparisons (id, clinic_id, patient_id, baseline_scan_id, followup_scan_id, result, result_version, "
      "result_schema, job_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      comparison.id, comparison.clinic_id, comparison.patient_id, comparison.baseline_scan_id,
      comparison.followup_scan_id, comparison.result.json, comparison.result.version, comparison.result.schema,
      nullable(comparison.job_id), comparison.created_at);
  return comparison;
}

clinic::Plan ClinicWriter::create_plan(const clinic::Plan& draft) {
  require_write(context_);
  clinic::Plan plan = draft;
  clinic::check_document(plan.proposal, "proposal");
  const std::optional<clinic::Visit> of_visit = visit(plan.visit_id);
  if (!of_visit) not_found("visit", "visit_id");
  plan.id = clinic::new_record_id();
  plan.clinic_id = context_.clinic_id();
  plan.patient_id = of_visit->patient_id;
  plan.status = clinic::PlanStatus::proposed;
  plan.accepted.reset();
  plan.accepted_by.clear();
  plan.accepted_at.reset();
  plan.acceptance_note.clear();
  plan.created_at = context_.now();
  context_.execute_later(
      "INSERT INTO plans (id, clinic_id, patient_id, visit_id, proposal, proposal_version, proposal_schema, status, "
      "created_by, created_at, acceptance_note) VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', $8, $9, '')",
      plan.id, plan.clinic_id, plan.patient_id, plan.visit_id, plan.proposal.json, plan.proposal.version,
      plan.proposal.schema, nullable(plan.created_by), plan.created_at);
  return plan;
}

clinic::Plan ClinicWriter::accept_plan(const std::string& plan_id, const std::string& user_id,
                                       const std::optional<clinic::StoredDocument>& edited, const std::string& note) {
  require_write(context_);
  std::optional<clinic::Plan> plan = this->plan(plan_id);
  if (!plan) not_found("plan", "plan_id");
  if (edited) clinic::check_document(*edited, "accepted");
  clinic::check_text(note, "note", 20000, false, true);
  const clinic::StoredDocument accepted = edited ? *edited : plan->proposal;
  const Timestamp now = context_.now();
  // Conditional on the status: of two clinicians accepting at once, one wins, the other hears why.
  const std::int64_t changed = context_.execute(
      "UPDATE plans SET status = 'accepted', accepted = $3, accepted_version = $4, accepted_schema = $5, "
      "accepted_by = $6, accepted_at = $7, acceptance_note = $8 WHERE clinic_id = $1 AND id = $2 AND status = 'proposed'",
      context_.clinic_id(), plan_id, accepted.json, accepted.version, accepted.schema, nullable(user_id), now, note);
  if (changed != 1) {
    throw InputError("plan_id: the plan is " + std::string(clinic::name(plan->status)) + ", not proposed",
                     ErrorCode::conflict, "plan_id");
  }
  context_.execute(
      "UPDATE plans SET status = 'superseded' WHERE clinic_id = $1 AND patient_id = $2 AND status = 'accepted' AND "
      "id <> $3",
      context_.clinic_id(), plan->patient_id, plan_id);
  return *this->plan(plan_id);
}

clinic::TreatmentSession ClinicWriter::record_treatment_session(const clinic::TreatmentSession& draft,
                                                                const clinic::TreatmentVocabulary& vocabulary) {
  require_write(context_);
  clinic::TreatmentSession session = draft;
  clinic::check_treatment_session(session, today_of(context_));
  vocabulary.check_session(session.modality, session.parameters);
  if (!patient(session.patient_id)) not_found("patient", "patient_id");
  if (!session.visit_id.empty()) {
    const std::optional<clinic::Visit> of_visit = visit(session.visit_id);
    if (!of_visit || of_visit->patient_id != session.patient_id) not_found("visit of this patient", "visit_id");
  }
  if (!session.plan_id.empty()) {
    const std::optional<clinic::Plan> of_plan = plan(session.plan_id);
    if (!of_plan || of_plan->patient_id != session.patient_id) not_found("plan of this patient", "plan_id");
  }
  if (!session.target_assessment_id.empty()) {
    const std::optional<clinic::Assessment> of_assessment = assessment(session.target_assessment_id);
    if (!of_assessment || of_assessment->patient_id != session.patient_id) {
      not_found("assessment of this patient", "target_assessment_id");
    }
  }
  if (!session.operator_id.empty() && !user(session.operator_id)) not_found("user", "operator_id");
  session.id = clinic::new_record_id();
  session.clinic_id = context_.clinic_id();
  session.recorded_at = context_.now();
  context_.execute_later(
      "INSERT INTO treatment_sessions (id, clinic_id, patient_id, visit_id, plan_id, date, modality, parameters, region, "
      "target_assessment_id, target_scar_ids, operator_id, notes, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, "
      "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
      session.id, session.clinic_id, session.patient_id, nullable(session.visit_id), nullable(session.plan_id),
      session.date, session.modality, parameters_json(session.parameters), std::string(clinic::name(session.region)),
      nullable(session.target_assessment_id), scar_ids_json(session.target_scar_ids), nullable(session.operator_id),
      session.notes, nullable(session.recorded_by), session.recorded_at);
  return session;
}

clinic::AdverseEvent ClinicWriter::record_adverse_event(const clinic::AdverseEvent& draft) {
  require_write(context_);
  clinic::AdverseEvent event = draft;
  clinic::check_adverse_event(event, today_of(context_));
  const std::optional<clinic::TreatmentSession> session = treatment_session(event.session_id);
  if (!session) not_found("treatment session", "session_id");
  if (event.onset < session->date) {
    throw InputError("onset: " + event.onset.to_string() + " is before the session of " + session->date.to_string(),
                     ErrorCode::out_of_range, "onset");
  }
  event.id = clinic::new_record_id();
  event.clinic_id = context_.clinic_id();
  event.patient_id = session->patient_id;
  event.recorded_at = context_.now();
  context_.execute_later(
      "INSERT INTO adverse_events (id, clinic_id, patient_id, session_id, kind, severity, onset, resolved, notes, "
      "recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      event.id, event.clinic_id, event.patient_id, event.session_id, std::string(clinic::name(event.kind)),
      std::string(clinic::name(event.severity)), event.onset, event.resolved, event.notes, nullable(event.recorded_by),
      event.recorded_at);
  return event;
}

clinic::AdverseEvent ClinicWriter::update_adverse_event(const clinic::AdverseEvent& changed) {
  require_write(context_);
  std::optional<clinic::AdverseEvent> event = adverse_event(changed.id);
  if (!event) not_found("adverse event", "id");
  event->resolved = changed.resolved;
  event->notes = changed.notes;
  event->severity = changed.severity;
  clinic::check_adverse_event(*event, today_of(context_));
  context_.execute(
      "UPDATE adverse_events SET resolved = $3, notes = $4, severity = $5 WHERE clinic_id = $1 AND id = $2",
      context_.clinic_id(), event->id, event->resolved, event->notes, std::string(clinic::name(event->severity)));
  return *event;
}

clinic::Job ClinicWriter::enqueue_job(clinic::JobKind kind, const std::string& scan_id,
                                      const std::string& baseline_scan_id, int max_attempts) {
  require_write(context_);
  if (max_attempts < 1 || max_attempts > 100) {
    throw InputError("max_attempts: must be 1-100", ErrorCode::out_of_range, "max_attempts");
  }
  const std::optional<clinic::Scan> of_scan = scan(scan_id);
  if (!of_scan) not_found("scan", "scan_id");
  if (kind == clinic::JobKind::comparison) {
    const std::optional<clinic::Scan> baseline = scan(baseline_scan_id);
    if (!baseline) not_found("scan", "baseline_scan_id");
    if (baseline->patient_id != of_scan->patient_id || baseline->id == of_scan->id) {
      throw InputError("baseline_scan_id: must be another scan of the same patient", ErrorCode::bad_input,
                       "baseline_scan_id");
    }
  } else if (!baseline_scan_id.empty()) {
    throw InputError("baseline_scan_id: only comparisons have a baseline", ErrorCode::bad_input, "baseline_scan_id");
  }
  clinic::Job job;
  job.id = clinic::new_record_id();
  job.clinic_id = context_.clinic_id();
  job.patient_id = of_scan->patient_id;
  job.kind = kind;
  job.scan_id = scan_id;
  job.baseline_scan_id = baseline_scan_id;
  job.max_attempts = max_attempts;
  job.created_at = job.updated_at = context_.now();
  context_.execute_later(
      "INSERT INTO jobs (id, clinic_id, patient_id, kind, scan_id, baseline_scan_id, state, attempts, max_attempts, "
      "progress, stage, error, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, 0, '', '', $8, $8)",
      job.id, job.clinic_id, job.patient_id, std::string(clinic::name(kind)), job.scan_id, nullable(job.baseline_scan_id),
      job.max_attempts, job.created_at);
  return job;
}

bool ClinicWriter::complete_job(const std::string& job_id, const std::string& lease_owner, const std::string& result_kind,
                                const std::string& result_id) {
  require_write(context_);
  if (result_kind != "assessment" && result_kind != "comparison") {
    throw InputError("result_kind: must be assessment or comparison", ErrorCode::out_of_range, "result_kind");
  }
  const Timestamp now = context_.now();
  return context_.execute(
             "UPDATE jobs SET state = 'done', result_kind = $4, result_id = $5, lease_owner = NULL, "
             "lease_expires_at = NULL, progress = 1, stage = '', finished_at = $6, updated_at = $6 "
             "WHERE clinic_id = $1 AND id = $2 AND state = 'running' AND lease_owner = $3",
             context_.clinic_id(), job_id, lease_owner, result_kind, result_id, now) == 1;
}

clinic::AuditEntry ClinicWriter::append_audit(const AuditEvent& event) {
  require_write(context_);
  return append_audit_entries(context_, context_.clinic_id(), std::span<const AuditEvent>(&event, 1)).front();
}

std::vector<clinic::AuditEntry> ClinicWriter::append_audit(std::span<const AuditEvent> events) {
  require_write(context_);
  return append_audit_entries(context_, context_.clinic_id(), events);
}

}  // namespace scarscope::store
