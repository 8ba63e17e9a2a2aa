-- Migration 3 (PostgreSQL): manual mode (issue 18 item 9), for clinics without a 3D camera. A
-- visit's photographs of the treated region (JPEG or PNG blobs, like scan files), and a clinician's
-- marks on each (the scars, their types and estimated sizes) with the grades the library made of
-- them; the latest marking of a photograph is in force, earlier ones are kept with who and when.

CREATE TABLE visit_photos (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png')),
  sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  size_bytes BIGINT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  uploaded_by TEXT REFERENCES users (id),
  uploaded_at BIGINT NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id)
);
CREATE INDEX visit_photos_visit ON visit_photos (clinic_id, visit_id);
CREATE INDEX visit_photos_patient ON visit_photos (clinic_id, patient_id);
CREATE INDEX visit_photos_blob ON visit_photos (sha256);

CREATE TABLE photo_markings (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  photo_id TEXT NOT NULL,
  sequence INTEGER NOT NULL CHECK (sequence >= 1),
  marks JSON NOT NULL,
  grades JSON NOT NULL,
  grades_version TEXT NOT NULL,
  grades_schema TEXT NOT NULL,
  made_by TEXT REFERENCES users (id),
  made_at BIGINT NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, photo_id) REFERENCES visit_photos (clinic_id, id),
  UNIQUE (clinic_id, photo_id, sequence)
);

-- The same wall as every clinic table (migration 1), and a photograph's bytes readable in a clinic
-- through one of its photographs as a scan file is through one of its scans.
DO $$
DECLARE
  t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['visit_photos', 'photo_markings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY clinic_isolation ON %I USING '
                   '(clinic_id = current_setting(''scarscope.clinic_id'', true) '
                   'OR current_setting(''scarscope.scope'', true) = ''system'')', t);
  END LOOP;
END $$;

DROP POLICY clinic_isolation ON blob_chunks;
CREATE POLICY clinic_isolation ON blob_chunks USING
  (current_setting('scarscope.scope', true) = 'system'
   OR EXISTS (SELECT 1 FROM scans s WHERE s.sha256 = blob_chunks.blob_key)
   OR EXISTS (SELECT 1 FROM visit_photos p WHERE p.sha256 = blob_chunks.blob_key));

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scarscope_app') THEN
    GRANT SELECT, INSERT, UPDATE ON visit_photos, photo_markings TO scarscope_app;
  END IF;
END $$;
