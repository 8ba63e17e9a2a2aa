-- Migration 4 (SQLite): the audit trail drops its patient and user indexes (issue 16: the read
-- audit's cost). SQLite never used them: GET /audit runs one statement for every combination of
-- filters ("$2 = '' OR patient_id = $2"), planned once, and its plan walks audit_entries_time
-- (clinic_id, at) and filters the rows it meets (EXPLAIN QUERY PLAN, with or without a patient).
-- Each of them still cost a B-tree insert per entry, and the patient index a random leaf page:
-- every audited read dirtied one page more, written to the WAL with two pwrite calls, and the WAL
-- grew to 80-100 MB in a 6 s read load (bench/RESULTS.md, issue 16). PostgreSQL keeps both: it
-- plans each statement with its values and uses them.
DROP INDEX audit_entries_patient;
DROP INDEX audit_entries_user;
