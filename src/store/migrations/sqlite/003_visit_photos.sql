-- Migration 3 (SQLite): manual mode (issue 18 item 9), for clinics without a 3D camera. A visit's
-- photographs of the treated region (JPEG or PNG blobs, like scan files), and a clinician's marks
-- on each (the scars, their types and estimated sizes) with the grades the library made of them;
-- the latest marking of a photograph (the highest sequence: times can tie) is in force, earlier
-- ones are kept with who and when.

CREATE TABLE visit_photos (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png')),
  sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  size_bytes INTEGER NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  uploaded_by TEXT REFERENCES users (id),
  uploaded_at INTEGER NOT NULL,
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, visit_id) REFERENCES visits (clinic_id, id)
) STRICT;
CREATE INDEX visit_photos_visit ON visit_photos (clinic_id, visit_id);
CREATE INDEX visit_photos_patient ON visit_photos (clinic_id, patient_id);
CREATE INDEX visit_photos_blob ON visit_photos (sha256);

CREATE TABLE photo_markings (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  photo_id TEXT NOT NULL,
  sequence INTEGER NOT NULL CHECK (sequence >= 1),
  marks TEXT NOT NULL,
  grades TEXT NOT NULL,
  grades_version TEXT NOT NULL,
  grades_schema TEXT NOT NULL,
  made_by TEXT REFERENCES users (id),
  made_at INTEGER NOT NULL,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
  FOREIGN KEY (clinic_id, photo_id) REFERENCES visit_photos (clinic_id, id),
  UNIQUE (clinic_id, photo_id, sequence)
) STRICT;
