// The assessment of one scan: what analyze_scan makes from a scan (its summary, the skin's ISO
// parameters, every scar measured and typed, the grades as estimates, an overlay on request), and
// apply_corrections makes from an assessment and a clinician's examination. A typed result with
// its JSON (the analysis JSON of DESIGN.md, stamped "scarscope": {"version", "schema"}).
#pragma once
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/result_version.h"
#include "grading/clinician_inputs.h"
#include "grading/grading.h"
#include "scars/analysis.h"
#include "scars/inventory.h"
#include "surface/parameters.h"
#include "surface/scan_summary.h"
#include "workflows/knowledge.h"
#include "workflows/scan_input.h"

namespace scarscope {

struct Assessment {
  ResultVersion made_by;  // this build's for a new assessment; as stored for one read back
  ScanSummary scan;
  std::optional<SurfaceParameters> surface;  // none when the scan had too few valid points
  // "settings": every scale and threshold the analysis used, with the pixel size, as canonical JSON
  // text (a record of how it was made, which nothing reads back into numbers).
  std::string settings_json;
  ScarInventory scars;  // as reported: the clinician's corrections applied
  // The scars as the analysis found them, when corrections were applied in this process (a stored,
  // corrected assessment does not keep them: correct the assessment as analysed).
  std::optional<ScarInventory> as_analysed;
  std::optional<ClinicianInputs> clinician;  // what was applied (corrections, examination findings)
  Grades grades;
  CandidateTally candidates;
  std::vector<std::string> notes;  // what the analysis had to tolerate
  // PNG pictures, when asked for (not part of the JSON): the scars outlined on the shaded relief
  // of the skin, and the shaded relief of the scan as read.
  std::vector<std::byte> overlay_png;
  std::vector<std::byte> relief_png;
};

struct AnalyzeOptions {
  AnalysisSettings settings;                 // scales and thresholds (defaults: the documented ones)
  std::optional<ClinicianInputs> clinician;  // applied to the result (and to the overlay)
  bool overlay_png = false;
  bool relief_png = false;
};

// Reads, analyses and grades one scan. Throws InputError for a scan that cannot be read or
// analysed, CancelledError when `progress` asks to stop. Reentrant: call it from any number of
// threads at once (with the same Knowledge).
Assessment analyze_scan(const ScanInput& scan, const AnalyzeOptions& options, const Knowledge& knowledge,
                        const Progress* progress = nullptr);

// The same assessment with a clinician's inputs: scar corrections (type, removal, stretch test,
// base, tethering) win over the scan, and the grades are recomputed with what only an examination
// shows. Corrections always apply to the scars as analysed (a second call replaces the first
// call's inputs, it does not add to them); an assessment read back from a corrected document has
// lost those, and is refused (InputError, unsupported). The pictures are not redrawn.
Assessment apply_corrections(const Assessment& assessment, const ClinicianInputs& inputs, const Knowledge& knowledge);

// The analysis JSON of DESIGN.md: "scan", "surface", "settings", "scars", "counts", "coverage_cm2",
// "candidates", "notes", "grades", "scarscope" (+ "clinician_inputs" when inputs were applied).
nlohmann::json to_json(const Assessment& assessment);
// An analysis JSON back: to_json(assessment_from_json(j)) == j. Accepts older schemas (an analysis
// from before versions counts as schema 0), refuses newer ones (unsupported); InputError naming the
// field otherwise. `source` names the document in messages.
Assessment assessment_from_json(const nlohmann::json& document, const std::string& source);

// A batch's summary.csv: the header line, and one row per scan (with the seconds it took) or per
// scan that failed (with the error).
std::string assessment_summary_csv_header();
std::string assessment_summary_csv_row(const std::string& scan_name, const Assessment& assessment, double seconds);
std::string assessment_failure_csv_row(const std::string& scan_name, const std::string& error);

}  // namespace scarscope
