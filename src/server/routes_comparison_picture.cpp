// GET /comparisons/{id}/overlay.png: the comparison picture of a stored follow-up comparison
// (baseline | follow-up | difference map, each scar outlined in the colour of its status), for the
// web UI's progress view (issue 18 item 8: "baseline and latest side by side with the difference
// map"). The registered height maps are not stored, so the picture is drawn by comparing the two
// scans again with the scars in force (the library's compare_scans), and kept in the picture cache
// under the comparison's id: a comparison is never changed (a correction queues a new one).
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "server/routes.h"
#include "server/scan_jobs.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"

namespace scarscope::server {

namespace {

struct PictureInputs {
  clinic::Comparison comparison;
  clinic::Scan baseline, followup;
  std::vector<std::byte> baseline_file, followup_file;
  std::optional<ScarInventory> baseline_scars, followup_scars;
};

std::optional<ScarInventory> scars_in_force(const store::ClinicReader& tx, const std::string& scan_id) {
  auto assessment = tx.latest_assessment_of_scan(scan_id);
  if (!assessment) return std::nullopt;
  const clinic::StoredDocument& document = document_in_force(*assessment, tx.corrections(assessment->id));
  return assessment_from_json(nlohmann::json::parse(document.json), "assessment " + assessment->id).scars;
}

Reply comparison_picture(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const std::string key = "comparison:" + id;
  PictureInputs inputs = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) {
    auto comparison = tx.comparison(id);
    if (!comparison) throw ApiError("not_found", "no such comparison", "id");
    auto baseline = tx.scan(comparison->baseline_scan_id);
    auto followup = tx.scan(comparison->followup_scan_id);
    if (!baseline || !followup) throw ApiError("not_found", "no such comparison", "id");
    PictureInputs found{*comparison, *baseline, *followup, {}, {}, std::nullopt, std::nullopt};
    if (!api.pictures.find(key)) {
      found.baseline_file = tx.scan_file(baseline->id);
      found.followup_file = tx.scan_file(followup->id);
      found.baseline_scars = scars_in_force(tx, baseline->id);
      found.followup_scars = scars_in_force(tx, followup->id);
    }
    return found;
  });
  api.audit_read(call, "comparison", id, inputs.comparison.patient_id, "overlay.png");
  std::shared_ptr<const std::string> png = api.pictures.find(key);
  if (!png) {
    if (inputs.baseline_file.empty())  // cached when the transaction looked, aged out since
      throw ApiError("conflict", "the picture was being replaced; ask again", "id");
    CompareRequest request;
    request.baseline = {ScanInput::memory(inputs.baseline_file, inputs.baseline.file_name, inputs.baseline.format),
                        inputs.baseline_scars};
    request.followup = {ScanInput::memory(inputs.followup_file, inputs.followup.file_name, inputs.followup.format),
                        inputs.followup_scars};
    request.overlay_png = true;
    const Comparison drawn = compare_scans(request);
    api.pictures.put(key, std::string(reinterpret_cast<const char*>(drawn.overlay_png.data()), drawn.overlay_png.size()));
    png = api.pictures.find(key);
    if (!png)
      png = std::make_shared<const std::string>(reinterpret_cast<const char*>(drawn.overlay_png.data()),
                                                drawn.overlay_png.size());
  }
  return Reply::bytes(*png, "image/png");
}

}  // namespace

void add_comparison_picture_route(RouteTable& routes, ApiContext& api) {
  routes.add({.method = "GET",
              .path = "/comparisons/{id}/overlay.png",
              .roles = care_team,
              .summary = "The comparison picture: baseline | follow-up | difference map, scars outlined by status "
                         "(drawn from the two scans with the scars in force, then cached)",
              .tag = "scans",
              .response = {200, "image/png", {}, "A PNG picture"},
              .handler = [&api](Call& call) { return comparison_picture(api, call); }});
}

}  // namespace scarscope::server
