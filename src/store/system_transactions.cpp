// Record-wide transactions: clinics, logins (users by email, sessions, attempts), the job queue's
// claims and leases, and the record-wide audit chain.
#include "clinic/ids.h"
#include "clinic/validation.h"
#include "clinic/vocabulary.h"
#include "core/error.h"
#include "store/detail/rows.h"
#include "store/detail/shared_writes.h"
#include "store/detail/store_impl.h"
#include "store/transactions.h"

namespace scarscope::store {

using namespace detail;
using clinic::Timestamp;

namespace {

std::string select_from(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

// "id, name" -> "s.id, s.name".
std::string prefixed(std::string_view columns, std::string_view prefix) {
  std::string out(prefix);
  for (char c : columns) {
    out += c;
    if (c == ' ') out += prefix;
  }
  return out;
}

void require_write(const TransactionContext& context) {
  if (context.kind() != TransactionKind::system_write) throw std::logic_error("a write in a read-only transaction");
}

}  // namespace

namespace detail {

clinic::User insert_user(TransactionContext& context, clinic::User user) {
  user.email = clinic::normalise_email(user.email);
  clinic::check_user(user);
  user.id = clinic::new_record_id();
  user.created_at = context.now();
  // Emails are unique across clinics (a login names its clinic). Ask the whole record: a clinic's
  // own view (row-level security) would not see another clinic's user.
  context.execute_later(
      "INSERT INTO users (id, clinic_id, email, display_name, role, password_hash, disabled, created_at) VALUES ($1, $2, "
      "$3, $4, $5, $6, $7, $8)",
      user.id, user.clinic_id, user.email, user.display_name, std::string(clinic::name(user.role)), user.password_hash,
      user.disabled, user.created_at);
  return user;
}

}  // namespace detail

std::vector<clinic::Clinic> SystemReader::clinics() const {
  static const std::string sql = select_from(clinic_columns, "FROM clinics ORDER BY name, id");
  return all_rows(context_.query(sql), clinic_from);
}

std::optional<clinic::Clinic> SystemReader::clinic(const std::string& clinic_id) const {
  static const std::string sql = select_from(clinic_columns, "FROM clinics WHERE id = $1");
  return first_row(context_.query(sql, clinic_id), clinic_from);
}

std::optional<clinic::Clinic> SystemReader::clinic_by_name(const std::string& name) const {
  static const std::string sql = select_from(clinic_columns, "FROM clinics WHERE name = $1");
  return first_row(context_.query(sql, name), clinic_from);
}

std::optional<clinic::User> SystemReader::user(const std::string& user_id) const {
  static const std::string sql = select_from(user_columns, "FROM users WHERE id = $1");
  return first_row(context_.query(sql, user_id), user_from);
}

std::optional<clinic::User> SystemReader::user_by_email(const std::string& email) const {
  static const std::string sql = select_from(user_columns, "FROM users WHERE email = $1");
  std::string address;
  try {
    address = clinic::normalise_email(email);
  } catch (const InputError&) {
    return std::nullopt;  // not an address: no such user
  }
  return first_row(context_.query(sql, address), user_from);
}

std::vector<clinic::User> SystemReader::users() const {
  static const std::string sql = "SELECT " + prefixed(user_columns, "u.") +
                                 " FROM users u JOIN clinics c ON c.id = u.clinic_id ORDER BY c.name, u.email";
  return all_rows(context_.query(sql), user_from);
}

std::optional<ActiveSession> SystemReader::active_session(const std::string& token_hash) const {
  static const std::string sql = "SELECT " + prefixed(auth_session_columns, "s.") + ", " + prefixed(user_columns, "u.") +
                                 " FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND "
                                 "s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled = 0";
  const SqlRows rows = context_.query(sql, token_hash, context_.now());
  if (rows.empty()) return std::nullopt;
  ActiveSession active;
  active.session = auth_session_from(rows, 0);
  // The user's columns follow the session's seven.
  std::vector<std::string> columns(rows.columns().begin() + 7, rows.columns().end());
  std::vector<SqlCell> cells;
  for (std::size_t c = 7; c < rows.columns().size(); ++c) cells.push_back(rows.cell(0, c));
  active.user = user_from(SqlRows(std::move(columns), std::move(cells)), 0);
  return active;
}

std::int64_t SystemReader::failed_logins_for_email(const std::string& email, Timestamp since) const {
  return context_.query("SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at >= $2 AND succeeded = 0", email, since)
      .integer(0, 0);
}

std::int64_t SystemReader::failed_logins_from_address(const std::string& address, Timestamp since) const {
  return context_
      .query("SELECT COUNT(*) FROM login_attempts WHERE address = $1 AND at >= $2 AND succeeded = 0", address, since)
      .integer(0, 0);
}

std::optional<clinic::Job> SystemReader::job(const std::string& job_id) const {
  static const std::string sql = select_from(job_columns, "FROM jobs WHERE id = $1");
  return first_row(context_.query(sql, job_id), job_from);
}

Page<clinic::Job> SystemReader::jobs(const JobQuery& query) const {
  if (query.page.limit < 1 || query.page.limit > 1000 || query.page.offset < 0) {
    throw InputError("limit: must be 1-1000 (and offset 0 or more)", ErrorCode::out_of_range, "limit");
  }
  static const std::string where = "FROM jobs WHERE ($1 = '' OR state = $1) AND ($2 = '' OR clinic_id = $2)";
  static const std::string sql = select_from(job_columns, where + " ORDER BY created_at, id LIMIT $3 OFFSET $4");
  static const std::string count_sql = "SELECT COUNT(*) " + where;
  const std::string state = query.state ? std::string(clinic::name(*query.state)) : std::string();
  Page<clinic::Job> page;
  page.items = all_rows(context_.query(sql, state, query.clinic_id, query.page.limit, query.page.offset), job_from);
  page.total = context_.query(count_sql, state, query.clinic_id).integer(0, 0);
  return page;
}

std::map<clinic::JobState, std::int64_t> SystemReader::job_counts() const {
  std::map<clinic::JobState, std::int64_t> counts;
  for (auto state : {clinic::JobState::queued, clinic::JobState::running, clinic::JobState::done, clinic::JobState::failed,
                     clinic::JobState::cancelled}) {
    counts[state] = 0;
  }
  const SqlRows rows = context_.query("SELECT state, COUNT(*) FROM jobs GROUP BY state");
  for (std::size_t r = 0; r < rows.size(); ++r) counts[clinic::parse_job_state(rows.text(r, 0))] = rows.integer(r, 1);
  return counts;
}

std::map<std::string, std::int64_t> SystemReader::record_counts() const {
  std::map<std::string, std::int64_t> counts;
  for (const TableInfo& table : record_tables()) {
    // Table names come from the schema's own list, never from input.
    counts[std::string(table.name)] =
        context_.query("SELECT COUNT(*) FROM " + std::string(table.name)).integer(0, 0);
  }
  return counts;
}

// ---- Writes -----------------------------------------------------------------------------------

clinic::Clinic SystemWriter::create_clinic(const std::string& name) {
  require_write(context_);
  clinic::check_clinic_name(name);
  clinic::Clinic clinic{clinic::new_record_id(), name, context_.now(), "{}"};
  context_.execute_later("INSERT INTO clinics (id, name, created_at) VALUES ($1, $2, $3)", clinic.id, clinic.name,
                   clinic.created_at);
  return clinic;
}

clinic::Clinic SystemWriter::ensure_clinic(const std::string& name) {
  if (std::optional<clinic::Clinic> existing = clinic_by_name(name)) return *existing;
  return create_clinic(name);
}

clinic::User SystemWriter::create_user(const clinic::User& draft) {
  require_write(context_);
  if (!clinic(draft.clinic_id)) {
    throw InputError("clinic_id: no clinic with this id", ErrorCode::not_found, "clinic_id");
  }
  return insert_user(context_, draft);
}

bool SystemWriter::set_user_disabled(const std::string& user_id, bool disabled) {
  require_write(context_);
  if (context_.execute("UPDATE users SET disabled = $2 WHERE id = $1", user_id, disabled) != 1) return false;
  if (disabled) revoke_sessions_of_user(user_id);
  return true;
}

clinic::AuthSession SystemWriter::create_auth_session(const std::string& user_id, const std::string& token_hash,
                                                      Timestamp expires_at) {
  require_write(context_);
  const std::optional<clinic::User> owner = user(user_id);
  if (!owner) throw InputError("user_id: no user with this id", ErrorCode::not_found, "user_id");
  if (token_hash.size() != 64) {
    throw InputError("token_hash: must be the SHA-256 of the token (clinic/ids.h)", ErrorCode::bad_input, "token_hash");
  }
  clinic::AuthSession session;
  session.id = clinic::new_record_id();
  session.token_hash = token_hash;
  session.user_id = user_id;
  session.clinic_id = owner->clinic_id;
  session.created_at = context_.now();
  session.expires_at = expires_at;
  context_.execute_later(
      "INSERT INTO auth_sessions (id, token_hash, user_id, clinic_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, "
      "$6)",
      session.id, session.token_hash, session.user_id, session.clinic_id, session.created_at, session.expires_at);
  return session;
}

bool SystemWriter::revoke_auth_session(const std::string& token_hash) {
  require_write(context_);
  return context_.execute("UPDATE auth_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
                          token_hash, context_.now()) == 1;
}

std::int64_t SystemWriter::revoke_sessions_of_user(const std::string& user_id) {
  require_write(context_);
  return context_.execute("UPDATE auth_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", user_id,
                          context_.now());
}

std::int64_t SystemWriter::delete_expired_auth_sessions() {
  require_write(context_);
  return context_.execute("DELETE FROM auth_sessions WHERE expires_at <= $1 OR revoked_at IS NOT NULL", context_.now());
}

void SystemWriter::record_login_attempt(const clinic::LoginAttempt& attempt) {
  require_write(context_);
  clinic::check_text(attempt.email, "email", 320);
  clinic::check_text(attempt.address, "address", 64);
  context_.execute_later("INSERT INTO login_attempts (id, email, address, at, succeeded) VALUES ($1, $2, $3, $4, $5)",
                   clinic::new_record_id(), attempt.email, attempt.address, attempt.at, attempt.succeeded);
}

std::int64_t SystemWriter::delete_login_attempts_before(Timestamp moment) {
  require_write(context_);
  return context_.execute("DELETE FROM login_attempts WHERE at < $1", moment);
}

std::optional<clinic::Job> SystemWriter::claim_job(const JobClaim& claim) {
  require_write(context_);
  clinic::check_text(claim.owner, "owner", 200, true);
  if (claim.lease.count() <= 0) throw InputError("lease: must be positive", ErrorCode::out_of_range, "lease");
  if (claim.max_attempts < 1 || claim.max_attempts > 100)
    throw InputError("max_attempts: must be 1-100", ErrorCode::out_of_range, "max_attempts");
  const Timestamp now = context_.now();
  // A running job whose lease ran out on its last attempt has failed: its worker died each time.
  context_.execute(
      "UPDATE jobs SET state = 'failed', error = CASE WHEN error = '' THEN $2 ELSE error END, lease_owner = NULL, "
      "lease_expires_at = NULL, finished_at = $1, updated_at = $1 WHERE state = 'running' AND lease_expires_at <= $1 AND "
      "(attempts >= max_attempts OR attempts >= $3)",
      now, std::string("the worker stopped renewing its lease on every attempt"), claim.max_attempts);
  bool analysis = false, comparison = false;
  for (clinic::JobKind kind : claim.kinds) {
    analysis = analysis || kind == clinic::JobKind::analysis;
    comparison = comparison || kind == clinic::JobKind::comparison;
  }
  // Clinics take turns (the one whose last claim is oldest first), then the oldest job.
  const std::string sql =
      "SELECT j.id, j.clinic_id FROM jobs j LEFT JOIN job_turns t ON t.clinic_id = j.clinic_id "
      "WHERE (j.state = 'queued' OR (j.state = 'running' AND j.lease_expires_at <= $1)) AND j.attempts < j.max_attempts "
      "AND j.attempts < $4 AND (($2 = 1 AND j.kind = 'analysis') OR ($3 = 1 AND j.kind = 'comparison')) "
      "ORDER BY " + std::string(claim.clinic_share ? "COALESCE(t.last_claimed_at, 0), " : "") +
      "j.created_at, j.id LIMIT 1" +
      std::string(context_.store().claim_lock_clause());
  const SqlRows candidate = context_.query(sql, now, analysis ? 1 : 0, comparison ? 1 : 0, claim.max_attempts);
  if (candidate.empty()) return std::nullopt;
  const std::string job_id = candidate.text(0, 0);
  const std::string clinic_id = candidate.text(0, 1);
  const Timestamp expires = now + claim.lease;
  context_.execute_later(
      "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $2, lease_expires_at = $3, "
      "heartbeat_at = $4, progress = 0, stage = '', updated_at = $4 WHERE id = $1",
      job_id, claim.owner, expires, now);
  context_.execute_later(
      "INSERT INTO job_turns (clinic_id, last_claimed_at) VALUES ($1, $2) ON CONFLICT (clinic_id) DO UPDATE SET "
      "last_claimed_at = excluded.last_claimed_at",
      clinic_id, now);
  return job(job_id);
}

bool SystemWriter::heartbeat_job(const std::string& job_id, const std::string& owner, double progress,
                                 const std::string& stage, std::chrono::microseconds lease) {
  require_write(context_);
  if (!(progress >= 0.0 && progress <= 1.0)) throw InputError("progress: must be 0-1", ErrorCode::out_of_range, "progress");
  clinic::check_text(stage, "stage", 200);
  const Timestamp now = context_.now();
  return context_.execute(
             "UPDATE jobs SET lease_expires_at = $3, heartbeat_at = $4, progress = $5, stage = $6, updated_at = $4 "
             "WHERE id = $1 AND state = 'running' AND lease_owner = $2",
             job_id, owner, now + lease, now, progress, stage) == 1;
}

std::optional<clinic::Job> SystemWriter::fail_job(const std::string& job_id, const std::string& owner,
                                                  const std::string& error, int max_attempts) {
  require_write(context_);
  const std::string message = error.substr(0, 2000);
  const Timestamp now = context_.now();
  const std::int64_t changed = context_.execute(
      "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts OR attempts >= $5 THEN 'failed' ELSE 'queued' END, "
      "error = $3, lease_owner = NULL, lease_expires_at = NULL, updated_at = $4, "
      "finished_at = CASE WHEN attempts >= max_attempts OR attempts >= $5 THEN CAST($4 AS BIGINT) ELSE NULL END "
      "WHERE id = $1 AND state = 'running' AND lease_owner = $2",
      job_id, owner, message, now, max_attempts);
  if (changed != 1) return std::nullopt;
  return job(job_id);
}

bool SystemWriter::release_job(const std::string& job_id, const std::string& owner) {
  require_write(context_);
  return context_.execute(
             "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL, "
             "updated_at = $3 WHERE id = $1 AND state = 'running' AND lease_owner = $2",
             job_id, owner, context_.now()) == 1;
}

bool SystemWriter::retry_job(const std::string& job_id) {
  require_write(context_);
  return context_.execute(
             "UPDATE jobs SET state = 'queued', attempts = 0, error = '', lease_owner = NULL, lease_expires_at = NULL, "
             "finished_at = NULL, progress = 0, stage = '', updated_at = $2 WHERE id = $1 AND state IN ('failed', "
             "'cancelled')",
             job_id, context_.now()) == 1;
}

bool SystemWriter::cancel_job(const std::string& job_id) {
  require_write(context_);
  const Timestamp now = context_.now();
  return context_.execute(
             "UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, finished_at = $2, "
             "updated_at = $2 WHERE id = $1 AND state IN ('queued', 'running')",
             job_id, now) == 1;
}

clinic::AuditEntry SystemWriter::append_audit(const std::string& clinic_id, const AuditEvent& event) {
  require_write(context_);
  if (!clinic_id.empty() && !clinic(clinic_id)) {
    throw InputError("clinic_id: no clinic with this id", ErrorCode::not_found, "clinic_id");
  }
  return append_audit_entries(context_, clinic_id, std::span<const AuditEvent>(&event, 1)).front();
}

}  // namespace scarscope::store

namespace scarscope::store::detail {

const std::vector<TableInfo>& record_tables() {
  // Parents before children: the order a restore inserts them in.
  static const std::vector<TableInfo> tables = {
      {"clinics", "id"},
      {"users", "id"},
      {"blobs", "sha256"},
      {"patients", "id"},
      {"consents", "id"},
      {"visits", "id"},
      {"scans", "id"},
      {"jobs", "id"},
      {"job_turns", "clinic_id"},
      {"assessments", "id"},
      {"assessment_corrections", "id"},
      {"comparisons", "id"},
      {"plans", "id"},
      {"treatment_sessions", "id"},
      {"adverse_events", "id"},
      {"visit_photos", "id"},
      {"photo_markings", "id"},
      {"audit_chains", "chain"},
      {"audit_entries", "chain, sequence"},
      {"auth_sessions", "id"},
      {"login_attempts", "id"},
  };
  return tables;
}

}  // namespace scarscope::store::detail
