-- Migration 2 (PostgreSQL): clinic settings, the JSON object an admin keeps for the clinic (issue 16:
-- "clinic settings"; the server decides its fields, the record keeps it), and an index for the
-- audit trail filtered by user (GET /audit?user=...). The application role's table privileges
-- cover the new column.
ALTER TABLE clinics ADD COLUMN settings JSON NOT NULL DEFAULT '{}';
CREATE INDEX audit_entries_user ON audit_entries (clinic_id, user_id, at);
