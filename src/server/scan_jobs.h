// The work of the analysis and comparison jobs (run by server/job_runner.h's workers): read the
// scan from the record, run the library's workflow, and store the result and complete the job in
// one transaction. An analysis that completes queues, in the same transaction, the comparison of
// the patient's scans of that region with their baseline (the region's first scan) once both are
// analysed. Shared with the routes: which document is in force, and the scars it lists.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clinic/records.h"
#include "server/job_runner.h"
#include "server/picture_cache.h"
#include "store/store.h"
#include "workflows/knowledge.h"

namespace scarscope::server {

JobWork scan_job_work(store::Store& store, std::shared_ptr<const Knowledge> knowledge, PictureCache* pictures);

// The assessment document in force (a copy: it outlives the lists it came from): the latest
// correction's, else the analysis as measured.
clinic::StoredDocument document_in_force(const clinic::Assessment& assessment,
                                                const std::vector<clinic::AssessmentCorrection>& corrections);
// The latest correction that holds a corrected document, if any.
const clinic::AssessmentCorrection* latest_correction(const std::vector<clinic::AssessmentCorrection>& corrections);

// The region's scans of the patient, baseline first (visit date, then upload time).
std::vector<clinic::Scan> scans_of_region(const store::ClinicReader& tx, const std::string& patient_id,
                                          clinic::Region region);

// Queues the comparisons that `scan` now makes possible (it was just analysed or corrected):
// against the region's baseline, or, for the baseline itself, of every later analysed scan. A
// comparison already stored for the same assessments, queued or running is not queued twice;
// `again` queues even when one was stored (the scars it used were corrected since).
std::vector<clinic::Job> queue_comparisons(store::ClinicWriter& tx, const clinic::Scan& scan, bool again = false);

// Pictures of a scan for the routes: drawn by analysing the scan again with the corrections in
// force when the cache does not have them.
std::shared_ptr<const std::string> scan_picture(store::Store& store, const Knowledge& knowledge, PictureCache& pictures,
                                                const std::string& clinic_id, const std::string& scan_id, bool overlay);

}  // namespace scarscope::server
