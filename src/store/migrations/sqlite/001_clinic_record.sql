-- Migration 1 (SQLite): the clinic record, and what the server (issue 16) and the scale-out
-- (issue 20) keep in it: login sessions, login attempts, the hash-chained audit trail, the job
-- queue with leases and per-clinic turns. Times are microseconds since 1970 (UTC), dates
-- 'YYYY-MM-DD', booleans 0/1, documents JSON text. Children name their clinic and reference
-- their parent together with it, so a row can never point into another clinic.

CREATE TABLE clinics (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics (id),
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'assistant')),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  UNIQUE (clinic_id, id)
) STRICT;

CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL CHECK (size >= 0),
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE patients (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics (id),
  identifier TEXT NOT NULL,
  identifier_folded TEXT NOT NULL,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  birth_year INTEGER,
  sex TEXT CHECK (sex IN ('female', 'male', 'other')),
  fitzpatrick INTEGER CHECK (fitzpatrick BETWEEN 1 AND 6),
  profile TEXT NOT NULL,
  created_by TEXT REFERENCES users (id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (clinic_id, id)
) STRICT;
CREATE UNIQUE INDEX patients_identifier ON patients (clinic_id, identifier_folded) WHERE identifier_folded <> '';
CREATE INDEX patients_name ON patients (clinic_id, name_folded);

CREATE TABLE consents (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('treatment', 'photography', 'research')),
  state TEXT NOT NULL CHECK (state IN ('given', 'withdrawn')),
  date TEXT NOT NULL,
  note TEXT NOT NULL,
  recorded_by TEXT REFERENCES users (id),
  recorded_at INTEGER NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id)
) STRICT;
CREATE INDEX consents_patient ON consents (clinic_id, patient_id);

CREATE TABLE visits (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  date TEXT NOT NULL,
  region TEXT NOT NULL,
  notes TEXT NOT NULL,
  created_by TEXT REFERENCES users (id),
  created_at INTEGER NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id)
) STRICT;
CREATE INDEX visits_patient ON visits (clinic_id, patient_id, date);

CREATE TABLE scans (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  format TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  size_bytes INTEGER NOT NULL,
  instrument TEXT NOT NULL,
  uploaded_by TEXT REFERENCES users (id),
  uploaded_at INTEGER NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id)
) STRICT;
CREATE INDEX scans_visit ON scans (clinic_id, visit_id);
CREATE INDEX scans_patient ON scans (clinic_id, patient_id);
CREATE INDEX scans_blob ON scans (sha256);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('analysis', 'comparison')),
  scan_id TEXT NOT NULL,
  baseline_scan_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  lease_owner TEXT,
  lease_expires_at INTEGER,
  heartbeat_at INTEGER,
  progress REAL NOT NULL,
  stage TEXT NOT NULL,
  error TEXT NOT NULL,
  result_kind TEXT,
  result_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, baseline_scan_id) REFERENCES scans (clinic_id, id)
) STRICT;
CREATE INDEX jobs_claimable ON jobs (state, created_at);
CREATE INDEX jobs_scan ON jobs (clinic_id, scan_id);

-- When each clinic last had a job claimed: claims take the clinic that waited longest.
CREATE TABLE job_turns (
  clinic_id TEXT PRIMARY KEY REFERENCES clinics (id),
  last_claimed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE assessments (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  scan_id TEXT NOT NULL,
  analysis TEXT NOT NULL,
  analysis_version TEXT NOT NULL,
  analysis_schema TEXT NOT NULL,
  job_id TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id),
  FOREIGN KEY (clinic_id, scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, job_id) REFERENCES jobs (clinic_id, id)
) STRICT;
CREATE INDEX assessments_scan ON assessments (clinic_id, scan_id, created_at);

CREATE TABLE assessment_corrections (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  assessment_id TEXT NOT NULL,
  clinician_inputs TEXT NOT NULL,
  corrected TEXT,
  corrected_version TEXT,
  corrected_schema TEXT,
  made_by TEXT REFERENCES users (id),
  made_at INTEGER NOT NULL,
  FOREIGN KEY (clinic_id, assessment_id) REFERENCES assessments (clinic_id, id)
) STRICT;
CREATE INDEX assessment_corrections_assessment ON assessment_corrections (clinic_id, assessment_id, made_at);

CREATE TABLE comparisons (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  baseline_scan_id TEXT NOT NULL,
  followup_scan_id TEXT NOT NULL,
  result TEXT NOT NULL,
  result_version TEXT NOT NULL,
  result_schema TEXT NOT NULL,
  job_id TEXT,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, baseline_scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, followup_scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, job_id) REFERENCES jobs (clinic_id, id)
) STRICT;
CREATE INDEX comparisons_patient ON comparisons (clinic_id, patient_id, created_at);

CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  proposal TEXT NOT NULL,
  proposal_version TEXT NOT NULL,
  proposal_schema TEXT NOT NULL,
  accepted TEXT,
  accepted_version TEXT,
  accepted_schema TEXT,
  status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'superseded')),
  created_by TEXT REFERENCES users (id),
  created_at INTEGER NOT NULL,
  accepted_by TEXT REFERENCES users (id),
  accepted_at INTEGER,
  acceptance_note TEXT NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id)
) STRICT;
CREATE INDEX plans_patient ON plans (clinic_id, patient_id, created_at);

CREATE TABLE treatment_sessions (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT,
  plan_id TEXT,
  date TEXT NOT NULL,
  modality TEXT NOT NULL,
  parameters TEXT NOT NULL,
  region TEXT NOT NULL,
  target_assessment_id TEXT,
  target_scar_ids TEXT NOT NULL,
  operator_id TEXT REFERENCES users (id),
  notes TEXT NOT NULL,
  recorded_by TEXT REFERENCES users (id),
  recorded_at INTEGER NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id),
  FOREIGN KEY (clinic_id, plan_id) REFERENCES plans (clinic_id, id),
  FOREIGN KEY (clinic_id, target_assessment_id) REFERENCES assessments (clinic_id, id)
) STRICT;
CREATE INDEX treatment_sessions_patient ON treatment_sessions (clinic_id, patient_id, date);

CREATE TABLE adverse_events (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
  onset TEXT NOT NULL,
  resolved TEXT,
  notes TEXT NOT NULL,
  recorded_by TEXT REFERENCES users (id),
  recorded_at INTEGER NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, session_id) REFERENCES treatment_sessions (clinic_id, id)
) STRICT;
CREATE INDEX adverse_events_session ON adverse_events (clinic_id, session_id);
CREATE INDEX adverse_events_patient ON adverse_events (clinic_id, patient_id, onset);

-- The audit trail: one hash chain per clinic ('' is the record-wide chain), its head here.
CREATE TABLE audit_chains (
  chain TEXT PRIMARY KEY,
  clinic_id TEXT REFERENCES clinics (id),
  last_sequence INTEGER NOT NULL,
  last_hash TEXT NOT NULL
) STRICT;

CREATE TABLE audit_entries (
  id TEXT PRIMARY KEY,
  chain TEXT NOT NULL,
  clinic_id TEXT REFERENCES clinics (id),
  sequence INTEGER NOT NULL,
  at INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('read', 'create', 'update', 'delete', 'export', 'login', 'login_failed', 'backup', 'restore')),
  object_kind TEXT NOT NULL,
  object_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  detail TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (chain, sequence)
) STRICT;
CREATE INDEX audit_entries_time ON audit_entries (clinic_id, at);
CREATE INDEX audit_entries_patient ON audit_entries (clinic_id, patient_id, at);
-- Append-only, as far as SQLite can say it: the server never edits or deletes an entry.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;

CREATE TABLE auth_sessions (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id),
  clinic_id TEXT NOT NULL REFERENCES clinics (id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE login_attempts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  address TEXT NOT NULL,
  at INTEGER NOT NULL,
  succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
) STRICT;
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);
