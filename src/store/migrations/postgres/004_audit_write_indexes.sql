-- Migration 4 (PostgreSQL): nothing to drop. SQLite's migration 4 drops the audit trail's patient
-- and user indexes, which its planner never used; PostgreSQL plans each GET /audit statement with
-- its values and uses them, so they stay. Kept as a migration so that both engines share schema
-- version numbers (a backup moves between engines only at the same version).
COMMENT ON INDEX audit_entries_patient IS 'GET /audit?patient=...: the patient''s entries, newest first';
COMMENT ON INDEX audit_entries_user IS 'GET /audit?user=...: the user''s entries, newest first';
