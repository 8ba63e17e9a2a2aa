-- Migration 1 (PostgreSQL): the clinic record, and what the server (issue 16) and the scale-out
-- (issue 20) keep in it: login sessions, login attempts, the hash-chained audit trail, the job
-- queue with leases and per-clinic turns. Times are microseconds since 1970 (UTC), dates
-- 'YYYY-MM-DD', booleans 0/1, documents JSON text. Children name their clinic and reference
-- their parent together with it, so a row can never point into another clinic.

CREATE TABLE clinics (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics (id),
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'assistant')),
  password_hash TEXT NOT NULL,
  disabled BIGINT NOT NULL CHECK (disabled IN (0, 1)),
  created_at BIGINT NOT NULL,
  UNIQUE (clinic_id, id)
);

CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL CHECK (size >= 0),
  created_at BIGINT NOT NULL
);

-- Blob bytes in 1 MiB pieces. An upload writes its pieces under a temporary key and renames them to
-- the hash when complete, all in one transaction: a blob is there whole or not at all.
CREATE TABLE blob_chunks (
  blob_key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (blob_key, seq)
);

CREATE TABLE patients (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics (id),
  identifier TEXT NOT NULL,
  identifier_folded TEXT NOT NULL,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  birth_year BIGINT,
  sex TEXT CHECK (sex IN ('female', 'male', 'other')),
  fitzpatrick BIGINT CHECK (fitzpatrick BETWEEN 1 AND 6),
  profile JSON NOT NULL,
  created_by TEXT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (clinic_id, id)
);
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
  recorded_at BIGINT NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id)
);
CREATE INDEX consents_patient ON consents (clinic_id, patient_id);

CREATE TABLE visits (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  date TEXT NOT NULL,
  region TEXT NOT NULL,
  notes TEXT NOT NULL,
  created_by TEXT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id)
);
CREATE INDEX visits_patient ON visits (clinic_id, patient_id, date);

CREATE TABLE scans (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  format TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  size_bytes BIGINT NOT NULL,
  instrument TEXT NOT NULL,
  uploaded_by TEXT REFERENCES users (id),
  uploaded_at BIGINT NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id)
);
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
  attempts BIGINT NOT NULL,
  max_attempts BIGINT NOT NULL CHECK (max_attempts >= 1),
  lease_owner TEXT,
  lease_expires_at BIGINT,
  heartbeat_at BIGINT,
  progress DOUBLE PRECISION NOT NULL,
  stage TEXT NOT NULL,
  error TEXT NOT NULL,
  result_kind TEXT,
  result_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, baseline_scan_id) REFERENCES scans (clinic_id, id)
);
CREATE INDEX jobs_claimable ON jobs (state, created_at);
CREATE INDEX jobs_scan ON jobs (clinic_id, scan_id);

-- When each clinic last had a job claimed: claims take the clinic that waited longest.
CREATE TABLE job_turns (
  clinic_id TEXT PRIMARY KEY REFERENCES clinics (id),
  last_claimed_at BIGINT NOT NULL
);

CREATE TABLE assessments (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  scan_id TEXT NOT NULL,
  analysis JSON NOT NULL,
  analysis_version TEXT NOT NULL,
  analysis_schema TEXT NOT NULL,
  job_id TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id),
  FOREIGN KEY (clinic_id, scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, job_id) REFERENCES jobs (clinic_id, id)
);
CREATE INDEX assessments_scan ON assessments (clinic_id, scan_id, created_at);

CREATE TABLE assessment_corrections (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  assessment_id TEXT NOT NULL,
  clinician_inputs JSON NOT NULL,
  corrected JSON,
  corrected_version TEXT,
  corrected_schema TEXT,
  made_by TEXT REFERENCES users (id),
  made_at BIGINT NOT NULL,
  FOREIGN KEY (clinic_id, assessment_id) REFERENCES assessments (clinic_id, id)
);
CREATE INDEX assessment_corrections_assessment ON assessment_corrections (clinic_id, assessment_id, made_at);

CREATE TABLE comparisons (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  baseline_scan_id TEXT NOT NULL,
  followup_scan_id TEXT NOT NULL,
  result JSON NOT NULL,
  result_version TEXT NOT NULL,
  result_schema TEXT NOT NULL,
  job_id TEXT,
  created_at BIGINT NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, baseline_scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, followup_scan_id) REFERENCES scans (clinic_id, id),
  FOREIGN KEY (clinic_id, job_id) REFERENCES jobs (clinic_id, id)
);
CREATE INDEX comparisons_patient ON comparisons (clinic_id, patient_id, created_at);

CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  proposal JSON NOT NULL,
  proposal_version TEXT NOT NULL,
  proposal_schema TEXT NOT NULL,
  accepted JSON,
  accepted_version TEXT,
  accepted_schema TEXT,
  status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'superseded')),
  created_by TEXT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  accepted_by TEXT REFERENCES users (id),
  accepted_at BIGINT,
  acceptance_note TEXT NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id)
);
CREATE INDEX plans_patient ON plans (clinic_id, patient_id, created_at);

CREATE TABLE treatment_sessions (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT,
  plan_id TEXT,
  date TEXT NOT NULL,
  modality TEXT NOT NULL,
  parameters JSON NOT NULL,
  region TEXT NOT NULL,
  target_assessment_id TEXT,
  target_scar_ids JSON NOT NULL,
  operator_id TEXT REFERENCES users (id),
  notes TEXT NOT NULL,
  recorded_by TEXT REFERENCES users (id),
  recorded_at BIGINT NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id),
  FOREIGN KEY (clinic_id, plan_id) REFERENCES plans (clinic_id, id),
  FOREIGN KEY (clinic_id, target_assessment_id) REFERENCES assessments (clinic_id, id)
);
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
  recorded_at BIGINT NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, session_id) REFERENCES treatment_sessions (clinic_id, id)
);
CREATE INDEX adverse_events_session ON adverse_events (clinic_id, session_id);
CREATE INDEX adverse_events_patient ON adverse_events (clinic_id, patient_id, onset);

-- The audit trail: one hash chain per clinic ('' is the record-wide chain), its head here.
CREATE TABLE audit_chains (
  chain TEXT PRIMARY KEY,
  clinic_id TEXT REFERENCES clinics (id),
  last_sequence BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);

CREATE TABLE audit_entries (
  id TEXT PRIMARY KEY,
  chain TEXT NOT NULL,
  clinic_id TEXT REFERENCES clinics (id),
  sequence BIGINT NOT NULL,
  at BIGINT NOT NULL,
  user_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('read', 'create', 'update', 'delete', 'export', 'login', 'login_failed', 'backup', 'restore')),
  object_kind TEXT NOT NULL,
  object_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  detail TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (chain, sequence)
);
CREATE INDEX audit_entries_time ON audit_entries (clinic_id, at);
CREATE INDEX audit_entries_patient ON audit_entries (clinic_id, patient_id, at);
-- Append-only: a trigger refuses edits and deletions (and the application role has no UPDATE or
-- DELETE privilege on the table); the hash chain shows it if the owner bypasses both.
CREATE FUNCTION scarscope_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END $$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION scarscope_audit_append_only();

CREATE TABLE auth_sessions (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id),
  clinic_id TEXT NOT NULL REFERENCES clinics (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE login_attempts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  address TEXT NOT NULL,
  at BIGINT NOT NULL,
  succeeded BIGINT NOT NULL CHECK (succeeded IN (0, 1))
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

-- Row-level security: a second wall for per-clinic isolation. The store sets scarscope.clinic_id
-- (and scarscope.scope = 'clinic') for each clinic-scoped transaction, or scarscope.scope = 'system'
-- for record-wide work; a query whose SQL forgot its clinic predicate still sees only its clinic.
-- FORCE makes the policies apply to the tables' owner too (superusers and BYPASSRLS roles are never
-- bound: connect the application as a plain role, see README "Clinic record").
DO $$
DECLARE
  t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'patients', 'consents', 'visits', 'scans', 'jobs', 'job_turns', 'assessments',
                           'assessment_corrections', 'comparisons', 'plans', 'treatment_sessions', 'adverse_events',
                           'audit_chains', 'audit_entries', 'auth_sessions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY clinic_isolation ON %I USING '
                   '(clinic_id = current_setting(''scarscope.clinic_id'', true) '
                   'OR current_setting(''scarscope.scope'', true) = ''system'')', t);
  END LOOP;
END $$;

ALTER TABLE clinics ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinics FORCE ROW LEVEL SECURITY;
CREATE POLICY clinic_isolation ON clinics USING
  (id = current_setting('scarscope.clinic_id', true) OR current_setting('scarscope.scope', true) = 'system');

ALTER TABLE login_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON login_attempts USING (current_setting('scarscope.scope', true) = 'system');

-- Blob bytes: written by record-wide work; read in a clinic only through one of its scans. (The
-- blobs table itself holds only hashes and sizes, which a clinic needs to see to reference a new upload.)
ALTER TABLE blob_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE blob_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY clinic_isolation ON blob_chunks USING
  (current_setting('scarscope.scope', true) = 'system'
   OR EXISTS (SELECT 1 FROM scans s WHERE s.sha256 = blob_chunks.blob_key));

-- The application's role: scarscope_app (NOLOGIN). Give it to the login role the servers use
-- (GRANT scarscope_app TO clinic_server). It may read and add records but not edit or delete the
-- audit trail, and it deletes only blobs (fsck --repair), sessions and login attempts.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scarscope_app') THEN
    BEGIN
      CREATE ROLE scarscope_app NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;  -- made at the same moment for another database
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot create role scarscope_app (no CREATEROLE): create it and rerun the grants in README';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scarscope_app') THEN
    GRANT USAGE ON SCHEMA public TO scarscope_app;
    GRANT SELECT ON scarscope_schema TO scarscope_app;
    GRANT SELECT, INSERT, UPDATE ON clinics, users, patients, consents, visits, scans, jobs, job_turns, assessments,
      assessment_corrections, comparisons, plans, treatment_sessions, adverse_events, audit_chains TO scarscope_app;
    GRANT SELECT, INSERT ON audit_entries TO scarscope_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON blobs, blob_chunks, auth_sessions, login_attempts TO scarscope_app;
  END IF;
END $$;
