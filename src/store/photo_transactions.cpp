// Manual mode's records (migration 3): a visit's photographs and the clinician's marks on them.
// Clinic-scoped like every other record: each statement names the transaction's clinic, and the
// visit or photograph a row refers to is looked up in that clinic first.
#include "clinic/documents.h"
#include "clinic/ids.h"
#include "clinic/validation.h"
#include "core/error.h"
#include "store/detail/rows.h"
#include "store/detail/store_impl.h"
#include "store/transactions.h"

namespace scarscope::store {

using namespace detail;

namespace {

constexpr std::string_view photo_columns =
    "id, clinic_id, patient_id, visit_id, file_name, media_type, sha256, size_bytes, width, height, uploaded_by, "
    "uploaded_at";
constexpr std::string_view marking_columns =
    "id, clinic_id, patient_id, photo_id, marks, grades, grades_version, grades_schema, made_by, made_at";

// Largest side of a photograph the record accepts (a 100-megapixel camera is about 12,000).
constexpr int max_photo_side = 30000;

clinic::VisitPhoto photo_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::VisitPhoto photo;
  photo.id = r.text();
  photo.clinic_id = r.text();
  photo.patient_id = r.text();
  photo.visit_id = r.text();
  photo.file_name = r.text();
  photo.media_type = r.text();
  photo.sha256 = r.text();
  photo.size_bytes = r.integer();
  photo.width = static_cast<int>(r.integer());
  photo.height = static_cast<int>(r.integer());
  photo.uploaded_by = r.text();
  photo.uploaded_at = r.timestamp();
  return photo;
}

clinic::PhotoMarking marking_from(const SqlRows& rows, std::size_t row) {
  RowReader r(rows, row);
  clinic::PhotoMarking marking;
  marking.id = r.text();
  marking.clinic_id = r.text();
  marking.patient_id = r.text();
  marking.photo_id = r.text();
  marking.marks_json = r.text();
  marking.grades = r.document();
  marking.made_by = r.text();
  marking.made_at = r.timestamp();
  return marking;
}

std::string select_from(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

[[noreturn]] void not_found(const std::string& what, const std::string& field) {
  throw InputError(field + ": no " + what + " with this id in this clinic", ErrorCode::not_found, field);
}

void require_write(const TransactionContext& context) {
  if (context.kind() != TransactionKind::clinic_write) throw std::logic_error("a write in a read-only transaction");
}

}  // namespace

std::optional<clinic::VisitPhoto> ClinicReader::photo(const std::string& photo_id) const {
  static const std::string sql = select_from(photo_columns, "FROM visit_photos WHERE clinic_id = $1 AND id = $2");
  return first_row(context_.query(sql, context_.clinic_id(), photo_id), photo_from);
}

std::vector<clinic::VisitPhoto> ClinicReader::photos_of_visit(const std::string& visit_id) const {
  static const std::string sql =
      select_from(photo_columns, "FROM visit_photos WHERE clinic_id = $1 AND visit_id = $2 ORDER BY uploaded_at, id");
  return all_rows(context_.query(sql, context_.clinic_id(), visit_id), photo_from);
}

std::vector<clinic::VisitPhoto> ClinicReader::photos_of_patient(const std::string& patient_id) const {
  static const std::string sql =
      "SELECT p.id, p.clinic_id, p.patient_id, p.visit_id, p.file_name, p.media_type, p.sha256, p.size_bytes, p.width, "
      "p.height, p.uploaded_by, p.uploaded_at FROM visit_photos p JOIN visits v ON v.clinic_id = p.clinic_id AND "
      "v.id = p.visit_id WHERE p.clinic_id = $1 AND p.patient_id = $2 ORDER BY v.date, p.uploaded_at, p.id";
  return all_rows(context_.query(sql, context_.clinic_id(), patient_id), photo_from);
}

std::vector<std::byte> ClinicReader::photo_file(const std::string& photo_id) const {
  const std::optional<clinic::VisitPhoto> found = photo(photo_id);
  if (!found) not_found("photograph", "photo_id");
  std::vector<std::byte> bytes;
  context_.store().read_blob(context_, found->sha256, found->size_bytes, [&](std::span<const std::byte> piece) {
    bytes.insert(bytes.end(), piece.begin(), piece.end());
  });
  return bytes;
}

std::optional<clinic::PhotoMarking> ClinicReader::latest_marking(const std::string& photo_id) const {
  static const std::string sql = select_from(
      marking_columns, "FROM photo_markings WHERE clinic_id = $1 AND photo_id = $2 ORDER BY sequence DESC LIMIT 1");
  return first_row(context_.query(sql, context_.clinic_id(), photo_id), marking_from);
}

std::vector<clinic::PhotoMarking> ClinicReader::markings(const std::string& photo_id) const {
  static const std::string sql =
      select_from(marking_columns, "FROM photo_markings WHERE clinic_id = $1 AND photo_id = $2 ORDER BY sequence");
  return all_rows(context_.query(sql, context_.clinic_id(), photo_id), marking_from);
}

clinic::VisitPhoto ClinicWriter::create_photo(const clinic::VisitPhoto& draft) {
  require_write(context_);
  clinic::VisitPhoto photo = draft;
  clinic::check_text(photo.file_name, "file_name", 255, true);
  if (photo.media_type != "image/jpeg" && photo.media_type != "image/png")
    throw InputError("media_type: a photograph is image/jpeg or image/png", ErrorCode::unsupported, "media_type");
  if (photo.width < 1 || photo.height < 1 || photo.width > max_photo_side || photo.height > max_photo_side)
    throw InputError("width, height: a photograph of 1-" + std::to_string(max_photo_side) + " pixels a side",
                     ErrorCode::out_of_range, "width");
  if (photo.sha256.size() != 64) throw InputError("sha256: must name a stored blob", ErrorCode::bad_input, "sha256");
  const std::optional<clinic::Visit> of_visit = visit(photo.visit_id);
  if (!of_visit) not_found("visit", "visit_id");
  const SqlRows blob = context_.query("SELECT size FROM blobs WHERE sha256 = $1", photo.sha256);
  if (blob.empty()) throw InputError("sha256: no stored blob has this hash (store the file first)", ErrorCode::not_found, "sha256");
  if (blob.integer(0, 0) != photo.size_bytes)
    throw InputError("size_bytes: " + std::to_string(photo.size_bytes) + " does not match the stored blob's " +
                         std::to_string(blob.integer(0, 0)),
                     ErrorCode::bad_input, "size_bytes");
  photo.id = clinic::new_record_id();
  photo.clinic_id = context_.clinic_id();
  photo.patient_id = of_visit->patient_id;
  photo.uploaded_at = context_.now();
  context_.execute(
      "INSERT INTO visit_photos (id, clinic_id, patient_id, visit_id, file_name, media_type, sha256, size_bytes, width, "
      "height, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      photo.id, photo.clinic_id, photo.patient_id, photo.visit_id, photo.file_name, photo.media_type, photo.sha256,
      photo.size_bytes, static_cast<std::int64_t>(photo.width), static_cast<std::int64_t>(photo.height),
      nullable(photo.uploaded_by), photo.uploaded_at);
  return photo;
}

clinic::PhotoMarking ClinicWriter::add_marking(const clinic::PhotoMarking& draft) {
  require_write(context_);
  clinic::PhotoMarking marking = draft;
  if (!clinic::is_json_object(marking.marks_json))
    throw InputError("marks: must be a JSON object", ErrorCode::wrong_type, "marks");
  clinic::check_text(marking.marks_json, "marks", 4 << 20, true, true);
  clinic::check_document(marking.grades, "grades");
  const std::optional<clinic::VisitPhoto> of_photo = photo(marking.photo_id);
  if (!of_photo) not_found("photograph", "photo_id");
  marking.id = clinic::new_record_id();
  marking.clinic_id = context_.clinic_id();
  marking.patient_id = of_photo->patient_id;
  marking.made_at = context_.now();
  // The order of markings is their sequence (two can share a time); two writers that race for the
  // same number meet the unique constraint instead of both being "latest".
  const std::int64_t sequence =
      context_.query("SELECT COALESCE(MAX(sequence), 0) + 1 FROM photo_markings WHERE clinic_id = $1 AND photo_id = $2",
                     context_.clinic_id(), marking.photo_id)
          .integer(0, 0);
  context_.execute(
      "INSERT INTO photo_markings (id, clinic_id, patient_id, photo_id, sequence, marks, grades, grades_version, "
      "grades_schema, made_by, made_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      marking.id, marking.clinic_id, marking.patient_id, marking.photo_id, sequence, marking.marks_json,
      marking.grades.json, marking.grades.version, marking.grades.schema, nullable(marking.made_by), marking.made_at);
  return marking;
}

}  // namespace scarscope::store
