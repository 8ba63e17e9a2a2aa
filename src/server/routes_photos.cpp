// Manual mode (issue 18 item 9), for clinics without a 3D camera: a visit's photographs of the
// treated region, a clinician's marks on them, and the grades and plan the library makes of the
// marks, always labelled a clinician's estimate from a photograph (basis clinician_only).
//   POST /visits/{id}/photos        upload a JPEG or PNG photograph (raw body or multipart)
//   GET  /visits/{id}/photos        the visit's photographs with their marks in force
//   GET  /patients/{id}/photos      the patient's, oldest visit first (follow-ups compared by count)
//   GET  /photos/{id}               one photograph with its marks and grades
//   GET  /photos/{id}/image         the picture itself
//   PUT  /photos/{id}/marks         the marks (replacing those in force; earlier kept): graded at once
//   POST /photos/{id}/plan          a plan proposal from the marks in force
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "clinic/documents.h"
#include "clinic/patient_profile_parts.h"
#include "clinic/vocabulary.h"
#include "core/error.h"
#include "planning/planner.h"
#include "server/photo_marks.h"
#include "server/record_json.h"
#include "server/routes.h"
#include "workflows/visit_grades.h"
#include "workflows/visit_plan.h"

namespace scarscope::server {

namespace {

using clinic::AuditAction;

// A photograph of a patch of skin is a few MB; 40 MiB allows a full-resolution camera JPEG or PNG.
constexpr std::size_t max_photo_bytes = std::size_t{40} << 20;

std::string plain_file_name(const std::string& given) {
  if (given.empty()) return "photo";
  if (given.size() > 255) throw InputError("file_name is longer than 255 bytes", ErrorCode::out_of_range, "file_name");
  for (unsigned char c : given) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
      throw InputError("file_name must be a plain file name, without folders or control characters",
                       ErrorCode::bad_input, "file_name");
  }
  if (given.rfind("..", 0) == 0 || given == ".")
    throw InputError("file_name must be a plain file name", ErrorCode::bad_input, "file_name");
  return given;
}

// The marking in force of a photograph as the API shows it, with what the library made of it.
Json marking_json(const clinic::PhotoMarking& marking) {
  Json marks = Json::parse(marking.marks_json, nullptr, false);
  if (!marks.is_object()) marks = Json::object();
  return {{"id", marking.id},
          {"marks", marks.value("marks", Json::array())},
          {"ruler", marks.value("ruler", Json(nullptr))},
          {"made_by", marking.made_by},
          {"made_at", clinic::format_timestamp(marking.made_at)}};
}

Json estimate_json(const clinic::PhotoMarking& marking) {
  Json grades = document_json(marking.grades);
  return {{"basis", "clinician_only"},
          {"label", std::string(photo_estimate_label)},
          {"counts", grades.is_object() ? grades.value("counts", Json::object()) : Json::object()},
          {"grades", grades.is_object() ? grades.value("grades", Json::object()) : Json::object()}};
}

Json photo_json(const clinic::VisitPhoto& photo, const std::optional<clinic::PhotoMarking>& marking) {
  return {{"id", photo.id},
          {"patient_id", photo.patient_id},
          {"visit_id", photo.visit_id},
          {"file_name", photo.file_name},
          {"media_type", photo.media_type},
          {"size_bytes", photo.size_bytes},
          {"width", photo.width},
          {"height", photo.height},
          {"uploaded_by", photo.uploaded_by},
          {"uploaded_at", clinic::format_timestamp(photo.uploaded_at)},
          {"marking", marking ? marking_json(*marking) : Json(nullptr)},
          {"estimate", marking ? estimate_json(*marking) : Json(nullptr)}};
}

clinic::VisitPhoto require_photo(const store::ClinicReader& tx, const std::string& id) {
  auto photo = tx.photo(id);
  if (!photo) throw ApiError("not_found", "no such photograph", "id");
  return *photo;
}

Reply upload_photo(ApiContext& api, Call& call) {
  const std::string& visit_id = call.parameter("id");
  const std::string clinic_id = call.user().clinic_id;
  const clinic::Visit visit = api.store.read(clinic_id, [&](const store::ClinicReader& tx) {
    auto found = tx.visit(visit_id);
    if (!found) throw ApiError("not_found", "no such visit", "id");
    return *found;
  });
  const std::string query_name = call.query_value<std::string>("file_name", "");
  if (!query_name.empty()) plain_file_name(query_name);
  std::unique_ptr<store::BlobWriter> blob = api.store.begin_blob();
  std::string head;  // the first bytes, where the picture's size is
  std::size_t total = 0;
  bool too_large = false;
  // The sink says stop (rather than throwing through the HTTP library) once the file is too large.
  auto sink = [&](std::string_view piece) {
    total += piece.size();
    if (total > max_photo_bytes) {
      too_large = true;
      return false;
    }
    blob->write(piece);
    if (head.size() < photo_header_bytes) head.append(piece.substr(0, photo_header_bytes - head.size()));
    return true;
  };
  UploadedFile file;
  try {
    file = call.read_file(sink);
  } catch (const ApiError&) {
    if (too_large)
      throw InputError("the photograph is larger than " + std::to_string(max_photo_bytes >> 20) + " MiB",
                       ErrorCode::too_large, "file");
    throw;
  }
  const std::string name = plain_file_name(!file.file_name.empty() ? file.file_name : query_name);
  if (total == 0) throw InputError("the uploaded file is empty", ErrorCode::bad_format, "file");
  const PhotoHeader header = read_photo_header(head, name);
  const store::BlobRef stored = blob->commit();
  const clinic::VisitPhoto photo = api.store.write(clinic_id, [&](store::ClinicWriter& tx) {
    clinic::VisitPhoto draft;
    draft.visit_id = visit.id;
    draft.file_name = name;
    draft.media_type = header.media_type;
    draft.sha256 = stored.sha256;
    draft.size_bytes = stored.size;
    draft.width = header.width;
    draft.height = header.height;
    draft.uploaded_by = call.user_id();
    clinic::VisitPhoto made = tx.create_photo(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "photo", made.id, made.patient_id, made.media_type));
    return made;
  });
  Reply reply = Reply::json(photo_json(photo, std::nullopt), 201);
  reply.headers.emplace_back("Location", std::string(api_prefix) + "/photos/" + photo.id);
  return reply;
}

Reply list_visit_photos(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto [patient_id, items] = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto visit = tx.visit(id);
    if (!visit) throw ApiError("not_found", "no such visit", "id");
    Json listed = Json::array();
    for (const clinic::VisitPhoto& photo : tx.photos_of_visit(id)) listed.push_back(photo_json(photo, tx.latest_marking(photo.id)));
    return std::make_pair(visit->patient_id, listed);
  });
  api.audit_read(call, "photo_list", "", patient_id);
  return Reply::json({{"items", items}});
}

Reply list_patient_photos(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  Json items = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    if (!tx.patient(id)) throw ApiError("not_found", "no such patient", "id");
    Json listed = Json::array();
    for (const clinic::VisitPhoto& photo : tx.photos_of_patient(id)) {
      Json entry = photo_json(photo, tx.latest_marking(photo.id));
      if (auto visit = tx.visit(photo.visit_id)) {
        entry["visit_date"] = visit->date.to_string();
        entry["region"] = clinic::name(visit->region);
      }
      listed.push_back(std::move(entry));
    }
    return listed;
  });
  api.audit_read(call, "photo_list", "", id);
  return Reply::json({{"items", items}});
}

Reply get_photo(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto [photo, marking] = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    clinic::VisitPhoto found = require_photo(tx, id);
    return std::make_pair(found, tx.latest_marking(id));
  });
  api.audit_read(call, "photo", id, photo.patient_id);
  return Reply::json(photo_json(photo, marking));
}

Reply photo_image(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto [photo, bytes] = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    clinic::VisitPhoto found = require_photo(tx, id);
    return std::make_pair(found, tx.photo_file(id));
  });
  api.audit_read(call, "photo", id, photo.patient_id, "image");
  return Reply::bytes(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), photo.media_type);
}

Reply put_marks(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const clinic::VisitPhoto photo =
      api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) { return require_photo(tx, id); });
  const PhotoMarks marks = photo_marks_from_json(call.body, photo.width, photo.height);
  const VisitGrades grades = grade_visit({marks_inventory(marks, photo.file_name)}, marks_clinician_inputs(marks),
                                         *api.knowledge);
  const clinic::StoredDocument document = clinic::stored_document(to_json(grades).dump(), "grades");
  const clinic::PhotoMarking made = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    clinic::PhotoMarking draft;
    draft.photo_id = id;
    draft.marks_json = call.body.dump();
    draft.grades = document;
    draft.made_by = call.user_id();
    clinic::PhotoMarking stored = tx.add_marking(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::update, "photo", id, photo.patient_id,
                                       std::to_string(marks.marks.size()) + " marks"));
    return stored;
  });
  return Reply::json(photo_json(photo, made));
}

Reply plan_from_marks(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  struct Inputs {
    clinic::VisitPhoto photo;
    clinic::Visit visit;
    clinic::Patient patient;
    std::optional<clinic::PhotoMarking> marking;
  };
  const Inputs inputs = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    clinic::VisitPhoto photo = require_photo(tx, id);
    auto visit = tx.visit(photo.visit_id);
    auto patient = tx.patient(photo.patient_id);
    if (!visit || !patient) throw ApiError("not_found", "no such photograph", "id");
    return Inputs{photo, *visit, *patient, tx.latest_marking(id)};
  });
  if (!inputs.marking)
    throw ApiError("conflict", "the photograph has no marks yet: mark its scars first (PUT /photos/{id}/marks)", "id");
  const std::vector<std::string> missing = clinic::missing_profile_fields(inputs.patient);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& field : missing) list += (list.empty() ? "" : ", ") + field;
    throw ApiError("incomplete_profile",
                   "the patient's planning profile is incomplete: missing " + list + " (PATCH /patients/{id} with them)",
                   missing.front());
  }
  const PhotoMarks marks = photo_marks_from_json(Json::parse(inputs.marking->marks_json), inputs.photo.width,
                                                 inputs.photo.height);
  PlanVisitRequest request;
  request.assessments = {marks_inventory(marks, inputs.photo.file_name)};
  request.date = call.body.contains("date") ? CalendarDate::parse(call.body["date"].get<std::string>(), "date")
                                            : inputs.visit.date;
  request.patient = clinic::complete_profile(inputs.patient, request.date);
  request.clinician = marks_clinician_inputs(marks);
  request.region = call.body.value("region", clinic::planning_region(inputs.visit.region));
  if (request.region.empty())
    throw InputError("the visit's region (" + std::string(clinic::name(inputs.visit.region)) +
                         ") has no planning region: give region (face, perioral, jawline, chest or back)",
                     ErrorCode::missing_field, "region");
  const VisitPlan plan = plan_visit(request, *api.knowledge);
  const clinic::StoredDocument proposal = clinic::stored_document(to_json(plan).dump(), "plan");
  const clinic::Plan created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Plan draft;
    draft.visit_id = inputs.visit.id;
    draft.proposal = proposal;
    draft.created_by = call.user_id();
    clinic::Plan made = tx.create_plan(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "plan", made.id, made.patient_id, "from photo marks"));
    return made;
  });
  Reply reply = Reply::json(plan_json(created), 201);
  reply.headers.emplace_back("Location", std::string(api_prefix) + "/plans/" + created.id);
  return reply;
}

}  // namespace

void add_photo_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  const Json type = enumeration({"ice_pick", "boxcar", "rolling", "hypertrophic"});
  const Json point = number(0, 1.0e6);
  routes.components().add(
      "PhotoMark",
      object({{"x", describe(point, "pixels from the photograph's left edge")},
              {"y", describe(point, "pixels from the photograph's top edge")},
              {"type", type},
              {"diameter_mm", describe(nullable(number(0.05, 100)), "the clinician's estimate (a ruler, a known distance)")},
              {"depth_class", nullable(enumeration({"shallow", "deep"}))},
              {"stretch_flattens", describe(nullable(boolean()), "the stretch test; null: not done")}},
             {"x", "y", "type"}));
  routes.components().add("PhotoRuler",
                          describe(object({{"x1", point}, {"y1", point}, {"x2", point}, {"y2", point},
                                           {"mm", number(0.01, 1000)}},
                                          {"x1", "y1", "x2", "y2", "mm"}),
                                   "two points of the photograph and the distance between them on the skin"));
  routes.components().add("PhotoMarking", object({{"id", record_id()},
                                                  {"marks", array(ref("PhotoMark"), max_photo_marks)},
                                                  {"ruler", nullable(ref("PhotoRuler"))},
                                                  {"made_by", record_id()},
                                                  {"made_at", date_time()}},
                                                 {"id", "marks", "ruler", "made_by", "made_at"}));
  routes.components().add(
      "PhotoEstimate",
      object({{"basis", enumeration({"clinician_only"})},
              {"label", string(200)},
              {"counts", map_of(integer(0, 1000000))},
              {"grades", document("the grades of the marks (Goodman & Baron, ECCA), basis clinician_only")}},
             {"basis", "label", "counts", "grades"}));
  routes.components().add("Photo", object({{"id", record_id()},
                                           {"patient_id", record_id()},
                                           {"visit_id", record_id()},
                                           {"file_name", string(255)},
                                           {"media_type", enumeration({"image/jpeg", "image/png"})},
                                           {"size_bytes", integer(0, std::int64_t{1} << 40)},
                                           {"width", integer(1, 1 << 20)},
                                           {"height", integer(1, 1 << 20)},
                                           {"uploaded_by", record_id()},
                                           {"uploaded_at", date_time()},
                                           {"marking", nullable(ref("PhotoMarking"))},
                                           {"estimate", nullable(ref("PhotoEstimate"))},
                                           {"visit_date", describe(date(), "in the patient's list")},
                                           {"region", describe(string(50), "in the patient's list")}},
                                          {"id", "patient_id", "visit_id", "file_name", "media_type", "size_bytes",
                                           "width", "height", "uploaded_by", "uploaded_at", "marking", "estimate"}));

  routes.add({.method = "POST",
              .path = "/visits/{id}/photos",
              .roles = care_team,
              .summary = "Manual mode: upload a photograph (JPEG or PNG) of the visit's treated region",
              .tag = "photos",
              .query = {{"file_name", string(255), "the file's name, for a raw body (multipart gives its own)"}},
              .body = Body::file,
              .file_media_types = {"image/jpeg", "image/png", "application/octet-stream"},
              .response = {201, "application/json", ref("Photo")},
              .handler = [&api](Call& call) { return upload_photo(api, call); },
              .errors = {"bad_format", "too_large"}});
  routes.add({.method = "GET",
              .path = "/visits/{id}/photos",
              .roles = care_team,
              .summary = "The visit's photographs, with the marks in force and their grades",
              .tag = "photos",
              .response = {200, "application/json", list_schema("Photo")},
              .handler = [&api](Call& call) { return list_visit_photos(api, call); }});
  routes.add({.method = "GET",
              .path = "/patients/{id}/photos",
              .roles = care_team,
              .summary = "The patient's photographs, by visit date (with the visit's date and region)",
              .tag = "photos",
              .response = {200, "application/json", list_schema("Photo")},
              .handler = [&api](Call& call) { return list_patient_photos(api, call); }});
  routes.add({.method = "GET",
              .path = "/photos/{id}",
              .roles = care_team,
              .summary = "A photograph with the marks in force and the grades made of them (a clinician's estimate)",
              .tag = "photos",
              .response = {200, "application/json", ref("Photo")},
              .handler = [&api](Call& call) { return get_photo(api, call); }});
  routes.add({.method = "GET",
              .path = "/photos/{id}/image",
              .roles = care_team,
              .summary = "The photograph itself (image/jpeg or image/png)",
              .tag = "photos",
              .response = {200, "image/*", {}, "The picture as uploaded (image/jpeg or image/png)"},
              .handler = [&api](Call& call) { return photo_image(api, call); }});
  routes.add({.method = "PUT",
              .path = "/photos/{id}/marks",
              .roles = clinicians,
              .summary = "Mark the photograph's scars (replaces the marks in force; earlier ones are kept): graded at "
                         "once as a clinician's estimate from a photograph, not a measurement",
              .tag = "photos",
              .body = Body::json,
              .request_schema = object({{"marks", array(ref("PhotoMark"), max_photo_marks)},
                                        {"ruler", nullable(ref("PhotoRuler"))}},
                                       {"marks"}),
              .response = {200, "application/json", ref("Photo")},
              .handler = [&api](Call& call) { return put_marks(api, call); },
              .errors = {"out_of_range"}});
  std::vector<std::string_view> regions(planning_regions().begin(), planning_regions().end());
  routes.add({.method = "POST",
              .path = "/photos/{id}/plan",
              .roles = clinicians,
              .summary = "Propose a plan from the photograph's marks (basis clinician_only; 422 incomplete_profile "
                         "names what the profile lacks)",
              .tag = "photos",
              .body = Body::json,
              .request_schema = object({{"date", describe(date(), "anchors waiting periods and the schedule; default: "
                                                                  "the visit's date")},
                                        {"region", enumeration(regions)}}),
              .response = {201, "application/json", ref("Plan"), "A proposal, until a clinician accepts it"},
              .handler = [&api](Call& call) { return plan_from_marks(api, call); },
              .errors = {"incomplete_profile", "conflict"}});
}

}  // namespace scarscope::server
