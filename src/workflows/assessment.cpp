#include "workflows/assessment.h"

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/csv.h"
#include "core/json_fields.h"
#include "scars/overlay.h"
#include "surface/png_codec.h"
#include "surface/shaded_relief.h"
#include "workflows/workflow_guard.h"

namespace scarscope {

using nlohmann::json;
using workflow_detail::guarded;

namespace {

std::vector<std::byte> relief_png_of(const HeightMap& map) {
  const RgbImage image = render_shaded_relief(map);
  if (image.width == 0 || image.height == 0) return {};
  return to_bytes(encode_png(image.rgb.data(), image.width, image.height, 3, 8, map.metadata.source_file));
}

bool inputs_given(const std::optional<ClinicianInputs>& clinician) { return clinician && !clinician->empty(); }

// Grades the scars as analysed with the clinician's inputs (grade_inventory applies the corrections
// itself) and reports the corrected scars.
void grade_and_correct(Assessment& assessment, const ScarInventory& analysed, const std::optional<ClinicianInputs>& clinician,
                       const Knowledge& knowledge) {
  assessment.grades = grade_inventory(analysed, clinician ? &*clinician : nullptr, knowledge.grading);
  assessment.clinician = clinician;
  if (inputs_given(clinician)) {
    assessment.as_analysed = analysed;
    assessment.scars = apply_corrections(analysed, *clinician);
  } else {
    assessment.as_analysed.reset();
    assessment.scars = analysed;
  }
}

std::optional<SurfaceParameters> surface_from_json(const JsonField& field) {
  if (field.is_null()) return std::nullopt;
  field.expect_object();
  SurfaceParameters p;
  p.Sa_um = field.required("Sa_um").number();
  p.Sq_um = field.required("Sq_um").number();
  p.Sp_um = field.required("Sp_um").number();
  p.Sv_um = field.required("Sv_um").number();
  p.Sz_um = field.required("Sz_um").number();
  p.Ssk = field.required("Ssk").number();
  p.Sku = field.required("Sku").number();
  p.Sdq = field.required("Sdq").number();
  p.Sdr_pct = field.required("Sdr_pct").number();
  return p;
}

}  // namespace

Assessment analyze_scan(const ScanInput& scan, const AnalyzeOptions& options, const Knowledge& knowledge,
                        const Progress* progress) {
  return guarded(scan.display_name(), [&] {
    progress_step(progress, "reading", 0.0);
    HeightMap map = read_scan(scan);
    Assessment assessment;
    assessment.made_by = current_result_version(ResultKind::analysis);
    assessment.scan = summarize_scan(map);
    if (options.relief_png) assessment.relief_png = relief_png_of(map);
    progress_step(progress, "analysis", 0.1);
    HeightMap relief;
    const Progress analysis_progress = sub_progress(progress, 0.1, 0.85);
    const ScanAnalysis analysis =
        analyze_height_map(std::move(map), options.settings, options.overlay_png ? &relief : nullptr, &analysis_progress);
    progress_step(progress, "grading", 0.85);
    // The analysis part's own JSON gives the settings and the candidates as written.
    const json described = analysis_to_json(analysis, scan_summary_to_json(assessment.scan));
    assessment.settings_json = canonical_json(described.at("settings"));
    assessment.surface = analysis.surface_measured ? std::optional<SurfaceParameters>(analysis.surface) : std::nullopt;
    assessment.candidates = analysis.tally;
    assessment.notes = analysis.notes;
    grade_and_correct(assessment, analysis.inventory, options.clinician, knowledge);
    if (options.overlay_png) {
      progress_step(progress, "overlay", 0.9);
      assessment.overlay_png = overlay_png(relief, assessment.scars);
    }
    progress_step(progress, "done", 1.0);
    return assessment;
  });
}

Assessment apply_corrections(const Assessment& assessment, const ClinicianInputs& inputs, const Knowledge& knowledge) {
  return guarded("clinician inputs", [&] {
    if (inputs_given(assessment.clinician) && !assessment.as_analysed) {
      throw InputError("this assessment was corrected by a clinician before and no longer holds the scars as analysed: "
                       "apply the corrections to the assessment as analysed",
                       ErrorCode::unsupported, "clinician_inputs");
    }
    const ScarInventory analysed = assessment.as_analysed ? *assessment.as_analysed : assessment.scars;
    Assessment corrected = assessment;
    corrected.made_by = current_result_version(ResultKind::analysis);
    grade_and_correct(corrected, analysed, inputs, knowledge);
    return corrected;
  });
}

json to_json(const Assessment& assessment) {
  json document;
  document["scan"] = scan_summary_to_json(assessment.scan);
  document["surface"] = assessment.surface ? surface_parameters_json(*assessment.surface) : json(nullptr);
  document["settings"] = assessment.settings_json.empty() ? json::object() : json::parse(assessment.settings_json);
  const json inventory = inventory_to_json(assessment.scars);
  document["scars"] = inventory.at("scars");
  document["counts"] = inventory.at("counts");
  document["coverage_cm2"] = assessment.scars.coverage_cm2;
  document["candidates"] = candidate_tally_json(assessment.candidates);
  document["notes"] = assessment.notes;
  document["grades"] = grades_to_json(assessment.grades);
  if (inputs_given(assessment.clinician)) document["clinician_inputs"] = clinician_inputs_to_json(*assessment.clinician);
  document["scarscope"] = result_version_json(assessment.made_by);
  return document;
}

Assessment assessment_from_json(const json& document, const std::string& source) {
  return guarded(source, [&] {
    const JsonField root(document, source);
    root.expect_object("expected an analysis JSON object");
    Assessment assessment;
    assessment.made_by = read_result_version(document, ResultKind::analysis, source);
    assessment.scan = scan_summary_from_json(root.required("scan").value(), source, "scan");
    assessment.surface = surface_from_json(root.member("surface"));
    assessment.settings_json = canonical_json(root.required("settings").expect_object().value());
    assessment.scars = inventory_from_json(document, source);
    const JsonField candidates = root.required("candidates");
    assessment.candidates.candidates = candidates.required("found").count();
    assessment.candidates.rejected_pores = candidates.required("rejected_pores").count();
    assessment.candidates.rejected_furrows = candidates.required("rejected_furrows").count();
    assessment.candidates.rejected_shallow = candidates.required("rejected_shallow").count();
    assessment.notes = root.required("notes").texts();
    assessment.grades = grades_from_json(root.required("grades").value(), source, "grades");
    if (const auto inputs = root.optional("clinician_inputs")) {
      assessment.clinician = clinician_inputs_from_json(inputs->value(), source.empty() ? "clinician_inputs" : source + ": clinician_inputs");
    }
    return assessment;
  });
}

std::string assessment_summary_csv_header() {
  return "scan,status,scars,ice_pick,boxcar,rolling,hypertrophic,coverage_cm2,goodman_baron_quantitative,ecca,seconds,error\n";
}

std::string assessment_summary_csv_row(const std::string& scan_name, const Assessment& assessment, double seconds) {
  const ScarCounts c = assessment.scars.counts();
  return CsvRow()
      .text(scan_name)
      .plain("ok")
      .integer(static_cast<long long>(assessment.scars.scars.size()))
      .integer(c.ice_pick)
      .integer(c.boxcar)
      .integer(c.rolling)
      .integer(c.hypertrophic)
      .number(assessment.scars.coverage_cm2, 3)
      .integer(assessment.grades.goodman_baron_quantitative.value)
      .integer(assessment.grades.ecca.value)
      .number(seconds, 3)
      .empty()
      .line();
}

std::string assessment_failure_csv_row(const std::string& scan_name, const std::string& error) {
  // Quotes become apostrophes, so the cell reads the same in a viewer that does not unquote.
  std::string message = error;
  std::replace(message.begin(), message.end(), '"', '\'');
  CsvRow row;
  row.text(scan_name).plain("error");
  for (int i = 0; i < 9; ++i) row.empty();
  return row.text(message).line();
}

}  // namespace scarscope
