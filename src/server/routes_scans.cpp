// Scans and their assessments: POST /visits/{id}/scans (the upload, which queues its analysis),
// GET /scans/{id}, PATCH /scans/{id}/assessment (a clinician's corrections), the pictures
// (overlay.png, relief.png) and GET /scans/{id}/surface (heights for a 3D view).
#include <sodium.h>

#include <cmath>
#include <cstring>

#include "clinic/documents.h"
#include "clinic/vocabulary.h"
#include "core/error.h"
#include "server/record_json.h"
#include "server/routes.h"
#include "server/scan_jobs.h"
#include "workflows/assessment.h"

namespace scarscope::server {

namespace {

using clinic::AuditAction;

// A file name for people: the last part of what the client said, refused if it tries to be a path.
std::string checked_file_name(const std::string& given) {
  if (given.empty()) return "scan";
  if (given.size() > 255) throw InputError("file_name is longer than 255 bytes", ErrorCode::out_of_range, "file_name");
  for (unsigned char c : given) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
      throw InputError("file_name must be a plain file name, without folders or control characters",
                       ErrorCode::bad_input, "file_name");
  }
  if (given == "." || given == ".." || given.find("..") == 0)
    throw InputError("file_name must be a plain file name", ErrorCode::bad_input, "file_name");
  return given;
}

Reply upload_scan(ApiContext& api, Call& call) {
  const std::string& visit_id = call.parameter("id");
  const std::string clinic_id = call.user().clinic_id;
  // The visit first: an upload for a visit that does not exist is refused before its bytes are read.
  const clinic::Visit visit = api.store.read(clinic_id, [&](const store::ClinicReader& tx) {
    auto found = tx.visit(visit_id);
    if (!found) throw ApiError("not_found", "no such visit", "id");
    return *found;
  });
  const std::string query_name = call.query_value<std::string>("file_name", "");
  if (!query_name.empty()) checked_file_name(query_name);

  // The bytes are kept once, in memory, and checked by the library's reader before anything is
  // written: a file that is not a readable scan stores nothing, and a connection (or a server)
  // that dies during the upload leaves nothing behind. Then the blob is written (temporary file,
  // fsync, rename) and referenced by the scan in one transaction with its analysis job.
  std::string bytes;
  const std::string length = call.header("Content-Length");
  if (!length.empty()) {
    try {
      bytes.reserve(std::min<std::size_t>(std::stoull(length), std::size_t{64} << 20));  // a header may lie
    } catch (const std::exception&) {
    }
  }
  const UploadedFile file = call.read_file([&](std::string_view piece) {
    bytes.append(piece);
    return true;
  });
  if (bytes.empty()) throw InputError("the uploaded file is empty", ErrorCode::bad_format, "file");
  const std::string name = checked_file_name(!file.file_name.empty() ? file.file_name : query_name);
  const std::string format_hint = call.query_value<std::string>("format", "");
  std::string format;
  std::string instrument = call.query_value<std::string>("instrument", "");
  ReadOptions read;
  if (const std::string units = call.query_value<std::string>("units", ""); !units.empty()) read.units = units;
  if (const double spacing = call.query_value<double>("spacing_um", 0.0); spacing > 0) read.spacing_um = spacing;
  {
    // Unit-less files (CSV, XYZ, PLY, OBJ, STL) are kept as the X3P of what was read with the
    // uploader's units and spacing: the jobs and reports that read the blob later are not told them.
    RecordScan kept = read_scan_for_record(ScanInput::memory(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()), name, format_hint,
        read));
    format = kept.format;
    if (instrument.empty()) instrument = kept.map.metadata.instrument.substr(0, 200);
    if (kept.was_converted())
      bytes.assign(reinterpret_cast<const char*>(kept.converted.data()), kept.converted.size());
  }
  const store::BlobRef stored_blob = api.store.put_blob(std::string_view(bytes));
  bytes = std::string();
  auto [scan, job] = api.store.write(clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Scan draft;
    draft.visit_id = visit.id;
    draft.file_name = name;
    draft.format = format;
    draft.sha256 = stored_blob.sha256;
    draft.size_bytes = stored_blob.size;
    draft.instrument = instrument;
    draft.uploaded_by = call.user_id();
    clinic::Scan made = tx.create_scan(draft);
    clinic::Job queued = tx.enqueue_job(clinic::JobKind::analysis, made.id);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "scan", made.id, made.patient_id, format));
    return std::make_pair(made, queued);
  });
  api.jobs_queued();
  Reply reply = Reply::json({{"scan", scan_json(scan)}, {"job", job_json(job)}}, 201);
  reply.headers.emplace_back("Location", std::string(api_prefix) + "/scans/" + scan.id);
  return reply;
}

Reply get_scan(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  struct Found {
    clinic::Scan scan;
    std::optional<clinic::Assessment> assessment;
    std::vector<clinic::AssessmentCorrection> corrections;
    std::vector<clinic::Job> jobs;
  };
  const Found found = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto scan = tx.scan(id);
    if (!scan) throw ApiError("not_found", "no such scan", "id");
    Found result{*scan, tx.latest_assessment_of_scan(id), {}, tx.jobs_of_scan(id)};
    if (result.assessment) result.corrections = tx.corrections(result.assessment->id);
    return result;
  });
  Json jobs = Json::array();
  for (const clinic::Job& job : found.jobs) jobs.push_back(job_json(job));
  api.audit_read(call, "scan", id, found.scan.patient_id);
  return Reply::json({{"scan", scan_json(found.scan)},
                      {"assessment", found.assessment ? assessment_json(*found.assessment, found.corrections) : Json(nullptr)},
                      {"jobs", jobs}});
}

Reply correct_assessment(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  // The library's own reading of the inputs (names the wrong field, refuses unknown scar ids).
  const ClinicianInputs inputs = clinician_inputs_from_json(call.body, "");
  struct Result {
    clinic::Assessment assessment;
    std::vector<clinic::AssessmentCorrection> corrections;
  };
  const Result result = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    auto scan = tx.scan(id);
    if (!scan) throw ApiError("not_found", "no such scan", "id");
    auto assessment = tx.latest_assessment_of_scan(id);
    if (!assessment) throw ApiError("conflict", "the scan has not been analysed yet; wait for its job", "id");
    // Corrections always apply to the scars as analysed; the latest replaces earlier ones.
    const Assessment analysed = assessment_from_json(Json::parse(assessment->analysis.json), "assessment");
    const Assessment corrected = apply_corrections(analysed, inputs, *api.knowledge);
    clinic::AssessmentCorrection draft;
    draft.assessment_id = assessment->id;
    draft.clinician_inputs_json = call.body.dump();
    draft.corrected = clinic::stored_document(to_json(corrected).dump(), "corrected assessment");
    draft.made_by = call.user_id();
    const clinic::AssessmentCorrection made = tx.add_correction(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::update, "assessment", assessment->id, scan->patient_id,
                                       std::to_string(inputs.scars.size()) + " scar corrections"));
    // Comparisons rest on the scars in force: measure them again.
    queue_comparisons(tx, *scan, true);
    return Result{*assessment, tx.corrections(assessment->id)};
  });
  api.jobs_queued();
  return Reply::json(assessment_json(result.assessment, result.corrections));
}

Reply picture(ApiContext& api, Call& call, bool overlay) {
  const std::string& id = call.parameter("id");
  auto png = scan_picture(api.store, *api.knowledge, api.pictures, call.user().clinic_id, id, overlay);
  const std::string patient = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto scan = tx.scan(id);
    return scan ? scan->patient_id : std::string();
  });
  api.audit_read(call, "scan", id, patient, overlay ? "overlay.png" : "relief.png");
  Reply reply = Reply::bytes(*png, "image/png");
  return reply;
}

// Heights for a 3D view: block means over at most 512 x 512 cells (missing where a cell has no
// valid point), float32 little-endian, row-major, as base64 in JSON.
Reply surface(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  auto [scan, file] = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto found = tx.scan(id);
    if (!found) throw ApiError("not_found", "no such scan", "id");
    return std::make_pair(*found, tx.scan_file(id));
  });
  const HeightMap map = read_scan(ScanInput::memory(file, scan.file_name, scan.format));
  const int max_cells = static_cast<int>(call.query_value<std::int64_t>("max_size", 512));
  const int step = std::max({1, (map.nx() + max_cells - 1) / max_cells, (map.ny() + max_cells - 1) / max_cells});
  const int nx = (map.nx() + step - 1) / step;
  const int ny = (map.ny() + step - 1) / step;
  std::vector<float> heights(static_cast<std::size_t>(nx) * ny, std::numeric_limits<float>::quiet_NaN());
  for (int cell_row = 0; cell_row < ny; ++cell_row) {
    for (int cell_col = 0; cell_col < nx; ++cell_col) {
      double sum = 0.0;
      int count = 0;
      for (int row = cell_row * step; row < std::min(map.ny(), (cell_row + 1) * step); ++row)
        for (int col = cell_col * step; col < std::min(map.nx(), (cell_col + 1) * step); ++col)
          if (map.valid(row, col)) {
            sum += map.height(row, col);
            ++count;
          }
      if (count > 0) heights[static_cast<std::size_t>(cell_row) * nx + cell_col] = static_cast<float>(sum / count);
    }
  }
  std::string raw(heights.size() * sizeof(float), '\0');
  for (std::size_t index = 0; index < heights.size(); ++index) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &heights[index], sizeof bits);
    for (int byte = 0; byte < 4; ++byte) raw[index * 4 + byte] = static_cast<char>((bits >> (8 * byte)) & 0xff);
  }
  std::string encoded(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  encoded.resize(std::strlen(encoded.c_str()));
  api.audit_read(call, "scan", id, scan.patient_id, "surface");
  return Reply::json({{"nx", nx},
                      {"ny", ny},
                      {"dx_um", map.dx_um() * step},
                      {"dy_um", map.dy_um() * step},
                      {"step", step},
                      {"source_nx", map.nx()},
                      {"source_ny", map.ny()},
                      {"heights_um_f32le_base64", encoded}});
}

}  // namespace

void add_scan_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  const Json bool_or_null = nullable(boolean());
  routes.components().add(
      "ClinicianInputs",
      object({{"macular_scars",
               object({{"erythematous", integer(0, 10000)},
                       {"hyperpigmented", integer(0, 10000)},
                       {"hypopigmented", integer(0, 10000)}})},
              {"papular_scars", integer(0, 10000)},
              {"hypertrophic_age_months",
               describe(Json{{"type", Json::array({"number", "object"})},
                             {"additionalProperties", number(0, 1200)}},
                        "months per scar id, or one number for every hypertrophic scar")},
              {"superficial_elastolysis",
               describe(Json{{"type", Json::array({"boolean", "integer"})}}, "present, or a count")},
              {"stretch_flattens", boolean()},
              {"notes", string(10000)},
              {"scars", describe(map_of(object({{"type", enumeration({"ice_pick", "boxcar", "rolling", "hypertrophic"})},
                                                {"remove", boolean()},
                                                {"stretch_flattens", bool_or_null},
                                                {"normal_base", bool_or_null},
                                                {"tethered", bool_or_null}}),
                                        10000),
                                 "corrections by scar id (as analysed): a type, or remove: true for a false detection")}}));
  routes.components().add("ScanDetail", object({{"scan", ref("Scan")},
                                                {"assessment", nullable(ref("Assessment"))},
                                                {"jobs", array(ref("Job"), 1000)}},
                                               {"scan", "assessment", "jobs"}));
  routes.add({.method = "POST",
              .path = "/visits/{id}/scans",
              .roles = care_team,
              .summary = "Upload a scan file (raw body, or the 'file' part of multipart/form-data); it is checked, "
                         "stored and its analysis queued",
              .tag = "scans",
              .query = {{"file_name", string(255), "the file's name, for a raw body (multipart gives its own)"},
                        {"format", enumeration({"x3p", "tiff", "png", "csv", "xyz", "ply", "obj", "stl"}),
                         "the format, when the content does not say"},
                        {"units", enumeration({"m", "mm", "um"}),
                         "the unit of heights (and coordinates) of a file that does not say it: CSV, XYZ, PLY, "
                         "OBJ, STL; such files are kept as the X3P of what was read"},
                        {"spacing_um", number(0.1, 10000),
                         "the grid spacing of a CSV, the resampling spacing of XYZ, PLY, OBJ and STL (default: "
                         "from the points)"},
                        {"instrument", string(200), "the scanner, when the file does not say"}},
              .body = Body::file,
              .file_media_types = {"application/octet-stream"},
              .response = {201, "application/json", object({{"scan", ref("Scan")}, {"job", ref("Job")}}, {"scan", "job"}),
                           "Stored; follow the job at GET /jobs/{id}"},
              .handler = [&api](Call& call) { return upload_scan(api, call); },
              .errors = {"bad_format", "unsupported", "too_large"}});
  routes.add({.method = "GET",
              .path = "/scans/{id}",
              .roles = care_team,
              .summary = "A scan, its jobs, and its assessment once analysed (the clinician's corrections applied)",
              .tag = "scans",
              .response = {200, "application/json", ref("ScanDetail")},
              .handler = [&api](Call& call) { return get_scan(api, call); }});
  routes.add({.method = "PATCH",
              .path = "/scans/{id}/assessment",
              .roles = clinicians,
              .summary = "Correct the assessment: scar types, false detections removed, and what only an examination "
                         "shows; the grades are recomputed, who and when are kept",
              .tag = "scans",
              .body = Body::json,
              .request_schema = ref("ClinicianInputs"),
              .response = {200, "application/json", ref("Assessment")},
              .handler = [&api](Call& call) { return correct_assessment(api, call); },
              .errors = {"conflict"}});
  routes.add({.method = "GET",
              .path = "/scans/{id}/overlay.png",
              .roles = care_team,
              .summary = "The scars outlined and numbered on the shaded relief (colours by type; corrections applied)",
              .tag = "scans",
              .response = {200, "image/png", {}, "A PNG picture"},
              .handler = [&api](Call& call) { return picture(api, call, true); },
              .errors = {"conflict"}});
  routes.add({.method = "GET",
              .path = "/scans/{id}/relief.png",
              .roles = care_team,
              .summary = "The shaded relief of the scan as read",
              .tag = "scans",
              .response = {200, "image/png", {}, "A PNG picture"},
              .handler = [&api](Call& call) { return picture(api, call, false); }});
  routes.add({.method = "GET",
              .path = "/scans/{id}/surface",
              .roles = care_team,
              .summary = "Heights for a 3D view: block means on a grid of at most max_size x max_size (default 512), "
                         "float32 little-endian row-major in base64, NaN where missing, with the grid's spacing",
              .tag = "scans",
              .query = {{"max_size", integer(16, 512), "the largest side of the grid (default 512)"}},
              .response = {200, "application/json",
                           object({{"nx", integer(1, 512)},
                                   {"ny", integer(1, 512)},
                                   {"dx_um", number(0, 1.0e9)},
                                   {"dy_um", number(0, 1.0e9)},
                                   {"step", integer(1, 1 << 20)},
                                   {"source_nx", integer(1, 1 << 30)},
                                   {"source_ny", integer(1, 1 << 30)},
                                   {"heights_um_f32le_base64", string(std::size_t{8} << 20)}},
                                  {"nx", "ny", "dx_um", "dy_um", "step", "source_nx", "source_ny",
                                   "heights_um_f32le_base64"})},
              .handler = [&api](Call& call) { return surface(api, call); }});
}

}  // namespace scarscope::server
