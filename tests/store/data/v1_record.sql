-- A clinic record as schema version 1 stored it: one of everything, written once and kept as it
-- is. The upgrade test loads it into a version-1 database (either engine) and opens it with the
-- current scarscope, which must migrate it and read every record back unchanged. Never edit these
-- rows to match a newer schema: they are what an old record holds. (Blob bytes are engine-specific
-- and added by the test: "v1 baseline scan bytes" and "v1 follow-up scan bytes".)
INSERT INTO clinics (id, name, created_at) VALUES ('v1clinic00000000000001', 'Version One Clinic', 1790000000000000);
INSERT INTO users (id, clinic_id, email, display_name, role, password_hash, disabled, created_at) VALUES
  ('v1user0000000000000001', 'v1clinic00000000000001', 'dr.one@clinic.example', 'Dr One', 'clinician',
   '$argon2id$v=19$m=65536,t=2,p=1$jHM1yx1pWe3YklOCpLKzlg$ARK/Z7cCfqRVjD6EmWTWqqWwDW6upMET0K4EeskgGlQ', 0, 1790000000000000);
INSERT INTO blobs (sha256, size, created_at) VALUES
  ('1329d38b2145068334e51d129d64cdbf86f58e07e1983cea27869c6742df129e', 22, 1790000000000000),
  ('73988e00ef1dcbcd8aa2c81a92b6aa11cb333a3c42c3fb3410401bc813e1cb09', 23, 1790000000000000);
INSERT INTO patients (id, clinic_id, identifier, identifier_folded, name, name_folded, birth_year, sex, fitzpatrick,
                      profile, created_by, created_at, updated_at) VALUES
  ('v1patient0000000000001', 'v1clinic00000000000001', 'V1-1', 'v1-1', 'Uma Version', 'uma version', 1990, 'female', 3,
   '{"active_acne": "none"}', 'v1user0000000000000001', 1790000000000000, 1790000000000000);
INSERT INTO consents (id, clinic_id, patient_id, kind, state, date, note, recorded_by, recorded_at) VALUES
  ('v1consent0000000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'photography', 'given', '2026-01-10', '',
   'v1user0000000000000001', 1790000000000000);
INSERT INTO visits (id, clinic_id, patient_id, date, region, notes, created_by, created_at) VALUES
  ('v1visit000000000000001', 'v1clinic00000000000001', 'v1patient0000000000001', '2026-01-10', 'left_cheek', 'baseline',
   'v1user0000000000000001', 1790000000000000),
  ('v1visit000000000000002', 'v1clinic00000000000001', 'v1patient0000000000001', '2026-03-10', 'left_cheek', '',
   'v1user0000000000000001', 1790000000000000);
INSERT INTO scans (id, clinic_id, patient_id, visit_id, file_name, format, sha256, size_bytes, instrument, uploaded_by,
                   uploaded_at) VALUES
  ('v1scan0000000000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'v1visit000000000000001', 'cheek.x3p',
   'x3p', '1329d38b2145068334e51d129d64cdbf86f58e07e1983cea27869c6742df129e', 22, 'scanner', 'v1user0000000000000001',
   1790000000000000),
  ('v1scan0000000000000002', 'v1clinic00000000000001', 'v1patient0000000000001', 'v1visit000000000000002', 'cheek2.x3p',
   'x3p', '73988e00ef1dcbcd8aa2c81a92b6aa11cb333a3c42c3fb3410401bc813e1cb09', 23, 'scanner', 'v1user0000000000000001',
   1790000000000000);
INSERT INTO jobs (id, clinic_id, patient_id, kind, scan_id, baseline_scan_id, state, attempts, max_attempts, lease_owner,
                  lease_expires_at, heartbeat_at, progress, stage, error, result_kind, result_id, created_at, updated_at,
                  finished_at) VALUES
  ('v1job00000000000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'analysis', 'v1scan0000000000000001',
   NULL, 'done', 1, 3, NULL, NULL, 1790000000500000, 1.0, '', '', 'assessment', 'v1assessment0000000001',
   1790000000000000, 1790000001000000, 1790000001000000),
  ('v1job00000000000000002', 'v1clinic00000000000001', 'v1patient0000000000001', 'comparison', 'v1scan0000000000000002',
   'v1scan0000000000000001', 'queued', 0, 3, NULL, NULL, NULL, 0.0, '', '', NULL, NULL, 1790000002000000,
   1790000002000000, NULL);
INSERT INTO job_turns (clinic_id, last_claimed_at) VALUES ('v1clinic00000000000001', 1790000000100000);
INSERT INTO assessments (id, clinic_id, patient_id, visit_id, scan_id, analysis, analysis_version, analysis_schema,
                         job_id, created_at) VALUES
  ('v1assessment0000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'v1visit000000000000001',
   'v1scan0000000000000001', '{"scars": [], "scarscope": {"version": "0.1.0", "schema": 1}}', '0.1.0', '1',
   'v1job00000000000000001', 1790000001000000);
INSERT INTO assessment_corrections (id, clinic_id, assessment_id, clinician_inputs, corrected, corrected_version,
                                    corrected_schema, made_by, made_at) VALUES
  ('v1correction0000000001', 'v1clinic00000000000001', 'v1assessment0000000001', '{"papular_scars": 1}', NULL, NULL,
   NULL, 'v1user0000000000000001', 1790000003000000);
INSERT INTO comparisons (id, clinic_id, patient_id, baseline_scan_id, followup_scan_id, result, result_version,
                         result_schema, job_id, created_at) VALUES
  ('v1comparison0000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'v1scan0000000000000001',
   'v1scan0000000000000002', '{"scars": [], "scarscope": {"version": "0.1.0", "schema": 1}}', '0.1.0', '1', NULL,
   1790000004000000);
INSERT INTO plans (id, clinic_id, patient_id, visit_id, proposal, proposal_version, proposal_schema, accepted,
                   accepted_version, accepted_schema, status, created_by, created_at, accepted_by, accepted_at,
                   acceptance_note) VALUES
  ('v1plan0000000000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'v1visit000000000000001',
   '{"stages": [], "scarscope": {"version": "0.1.0", "schema": 1}}', '0.1.0', '1',
   '{"stages": [], "scarscope": {"version": "0.1.0", "schema": 1}}', '0.1.0', '1', 'accepted',
   'v1user0000000000000001', 1790000001500000, 'v1user0000000000000001', 1790000001600000, 'as proposed');
INSERT INTO treatment_sessions (id, clinic_id, patient_id, visit_id, plan_id, date, modality, parameters, region,
                                target_assessment_id, target_scar_ids, operator_id, notes, recorded_by, recorded_at)
VALUES
  ('v1session0000000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'v1visit000000000000001',
   'v1plan0000000000000001', '2026-01-10', 'tca_cross', '{"tca_concentration_pct": 100}', 'left_cheek',
   'v1assessment0000000001', '[2, 5]', 'v1user0000000000000001', '', 'v1user0000000000000001', 1790000002500000);
INSERT INTO adverse_events (id, clinic_id, patient_id, session_id, kind, severity, onset, resolved, notes, recorded_by,
                            recorded_at) VALUES
  ('v1event000000000000001', 'v1clinic00000000000001', 'v1patient0000000000001', 'v1session0000000000001', 'erythema',
   'mild', '2026-01-11', '2026-01-14', '', 'v1user0000000000000001', 1790000002600000);
INSERT INTO audit_chains (chain, clinic_id, last_sequence, last_hash) VALUES
  ('v1clinic00000000000001', 'v1clinic00000000000001', 2, '7ec269d0385aae847ea26a4dbeb5b51bd988571a198839584c9864c1caa72bf7'),
  ('', NULL, 1, '1d339fbb642f3cd96d13a7de5b09d1b8be53756c2dd3259b1289281ab51da69a');
INSERT INTO audit_entries (id, chain, clinic_id, sequence, at, user_id, action, object_kind, object_id, patient_id,
                           detail, previous_hash, hash) VALUES
  ('v1audit000000000000001', 'v1clinic00000000000001', 'v1clinic00000000000001', 1, 1790000100000000,
   'v1user0000000000000001', 'create', 'patient', 'v1patient0000000000001', 'v1patient0000000000001', '',
   '0000000000000000000000000000000000000000000000000000000000000000',
   '8ac3230e4999d69b45284ad55754535dce2db84a93184db268c5b89e3508d6d5'),
  ('v1audit000000000000002', 'v1clinic00000000000001', 'v1clinic00000000000001', 2, 1790000200000000,
   'v1user0000000000000001', 'read', 'scan', 'v1scan0000000000000001', 'v1patient0000000000001', '',
   '8ac3230e4999d69b45284ad55754535dce2db84a93184db268c5b89e3508d6d5',
   '7ec269d0385aae847ea26a4dbeb5b51bd988571a198839584c9864c1caa72bf7'),
  ('v1audit000000000000003', '', NULL, 1, 1790000300000000, '', 'login_failed', 'user', '', '', 'unknown email',
   '0000000000000000000000000000000000000000000000000000000000000000',
   '1d339fbb642f3cd96d13a7de5b09d1b8be53756c2dd3259b1289281ab51da69a');
INSERT INTO auth_sessions (id, token_hash, user_id, clinic_id, created_at, expires_at, revoked_at) VALUES
  ('v1authsession000000001', 'd2f1e6c1b9a1b8f0f9d0d5b6c1c8e3a5b9f3d4e6a7b8c9d0e1f2a3b4c5d6e7f8',
   'v1user0000000000000001', 'v1clinic00000000000001', 1790000000000000, 1890000000000000, NULL);
INSERT INTO login_attempts (id, email, address, at, succeeded) VALUES
  ('v1attempt0000000000001', 'nobody@clinic.example', '10.0.0.7', 1790000300000000, 0);
