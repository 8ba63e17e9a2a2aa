#include "server/scan_jobs.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "clinic/documents.h"
#include "core/error.h"
#include "workflows/assessment.h"
#include "workflows/comparison.h"

namespace scarscope::server {

namespace {

std::string as_text(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::span<const std::byte> as_bytes(const std::vector<std::byte>& bytes) { return {bytes.data(), bytes.size()}; }

struct ScanWithFile {
  clinic::Scan scan;
  std::vector<std::byte> file;
  // The scars in force of its latest assessment, when it has one.
  std::optional<ScarInventory> scars;
};

ScanWithFile load_scan(const store::ClinicReader& tx, const std::string& scan_id, bool with_scars) {
  auto scan = tx.scan(scan_id);
  if (!scan) throw InputError("the job's scan no longer exists", ErrorCode::not_found, "scan_id");
  ScanWithFile loaded{*scan, tx.scan_file(scan_id), std::nullopt};
  if (with_scars) {
    auto assessment = tx.latest_assessment_of_scan(scan_id);
    if (assessment) {
      const clinic::StoredDocument& document = document_in_force(*assessment, tx.corrections(assessment->id));
      loaded.scars = assessment_from_json(nlohmann::json::parse(document.json), "assessment " + assessment->id).scars;
    }
  }
  return loaded;
}

// The lease went to another worker while this one worked: nothing of this attempt may be stored.
[[noreturn]] void lease_lost() { throw CancelledError("the job's lease was lost"); }

void run_analysis(store::Store& store, const Knowledge& knowledge, PictureCache* pictures, const clinic::Job& job,
                  JobContext& context) {
  ScanWithFile input = store.read(job.clinic_id, [&](const store::ClinicReader& tx) { return load_scan(tx, job.scan_id, false); });
  AnalyzeOptions options;
  options.overlay_png = pictures != nullptr;
  options.relief_png = pictures != nullptr;
  Assessment assessment = analyze_scan(ScanInput::memory(as_bytes(input.file), input.scan.file_name, input.scan.format),
                                       options, knowledge, &context.progress());
  const clinic::StoredDocument document = clinic::stored_document(to_json(assessment).dump(), "analysis");
  const clinic::Assessment stored = store.write(job.clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Assessment draft;
    draft.scan_id = input.scan.id;
    draft.analysis = document;
    draft.job_id = job.id;
    clinic::Assessment made = tx.store_assessment(draft);
    if (!tx.complete_job(job.id, context.owner(), "assessment", made.id)) lease_lost();
    queue_comparisons(tx, input.scan);
    return made;
  });
  if (pictures != nullptr) {
    pictures->put("relief:" + input.scan.id, as_text(assessment.relief_png));
    pictures->put("overlay:" + stored.id + ":", as_text(assessment.overlay_png));
  }
}

void run_comparison(store::Store& store, const clinic::Job& job, JobContext& context) {
  auto [baseline, followup] = store.read(job.clinic_id, [&](const store::ClinicReader& tx) {
    return std::make_pair(load_scan(tx, job.baseline_scan_id, true), load_scan(tx, job.scan_id, true));
  });
  CompareRequest request;
  request.baseline = {ScanInput::memory(as_bytes(baseline.file), baseline.scan.file_name, baseline.scan.format),
                      baseline.scars};
  request.followup = {ScanInput::memory(as_bytes(followup.file), followup.scan.file_name, followup.scan.format),
                      followup.scars};
  const Comparison comparison = compare_scans(request, &context.progress());
  const clinic::StoredDocument document = clinic::stored_document(to_json(comparison).dump(), "comparison");
  store.write(job.clinic_id, [&](store::ClinicWriter& tx) {
    clinic::Comparison draft;
    draft.patient_id = job.patient_id;
    draft.baseline_scan_id = job.baseline_scan_id;
    draft.followup_scan_id = job.scan_id;
    draft.result = document;
    draft.job_id = job.id;
    const clinic::Comparison made = tx.store_comparison(draft);
    if (!tx.complete_job(job.id, context.owner(), "comparison", made.id)) lease_lost();
  });
}

}  // namespace

const clinic::AssessmentCorrection* latest_correction(const std::vector<clinic::AssessmentCorrection>& corrections) {
  const clinic::AssessmentCorrection* latest = nullptr;
  for (const clinic::AssessmentCorrection& correction : corrections)
    if (correction.corrected) latest = &correction;
  return latest;
}

clinic::StoredDocument document_in_force(const clinic::Assessment& assessment,
                                                const std::vector<clinic::AssessmentCorrection>& corrections) {
  const clinic::AssessmentCorrection* latest = latest_correction(corrections);
  return latest != nullptr ? *latest->corrected : assessment.analysis;
}

std::vector<clinic::Scan> scans_of_region(const store::ClinicReader& tx, const std::string& patient_id,
                                          clinic::Region region) {
  std::map<std::string, clinic::Region> visit_regions;
  for (const clinic::Visit& visit : tx.visits(patient_id)) visit_regions[visit.id] = visit.region;
  std::vector<clinic::Scan> scans;
  for (clinic::Scan& scan : tx.scans_of_patient(patient_id)) {
    auto found = visit_regions.find(scan.visit_id);
    if (found != visit_regions.end() && found->second == region) scans.push_back(std::move(scan));
  }
  return scans;
}

std::vector<clinic::Job> queue_comparisons(store::ClinicWriter& tx, const clinic::Scan& scan, bool again) {
  auto visit = tx.visit(scan.visit_id);
  if (!visit) return {};
  const std::vector<clinic::Scan> scans = scans_of_region(tx, scan.patient_id, visit->region);
  if (scans.size() < 2) return {};
  const clinic::Scan& baseline = scans.front();
  if (!tx.latest_assessment_of_scan(baseline.id)) return {};
  const std::vector<clinic::Comparison> stored = tx.comparisons_of_patient(scan.patient_id);
  std::vector<clinic::Job> queued;
  auto queue = [&](const clinic::Scan& followup) {
    if (!tx.latest_assessment_of_scan(followup.id)) return;
    for (const clinic::Job& job : tx.jobs_of_scan(followup.id)) {
      const bool pending = job.state == clinic::JobState::queued || job.state == clinic::JobState::running;
      if (job.kind == clinic::JobKind::comparison && job.baseline_scan_id == baseline.id && pending) return;
    }
    if (!again) {
      for (const clinic::Comparison& comparison : stored)
        if (comparison.baseline_scan_id == baseline.id && comparison.followup_scan_id == followup.id) return;
    }
    queued.push_back(tx.enqueue_job(clinic::JobKind::comparison, followup.id, baseline.id));
  };
  if (scan.id == baseline.id) {
    for (std::size_t index = 1; index < scans.size(); ++index) queue(scans[index]);
  } else {
    queue(scan);
  }
  return queued;
}

JobWork scan_job_work(store::Store& store, std::shared_ptr<const Knowledge> knowledge, PictureCache* pictures) {
  return [&store, knowledge = std::move(knowledge), pictures](const clinic::Job& job, JobContext& context) {
    if (job.kind == clinic::JobKind::analysis) run_analysis(store, *knowledge, pictures, job, context);
    else run_comparison(store, job, context);
  };
}

std::shared_ptr<const std::string> scan_picture(store::Store& store, const Knowledge& knowledge, PictureCache& pictures,
                                                const std::string& clinic_id, const std::string& scan_id, bool overlay) {
  // What the picture must show decides its key: the relief depends on the scan alone; the overlay
  // on the assessment and the correction in force.
  struct Source {
    clinic::Scan scan;
    std::vector<std::byte> file;
    std::string key;
    std::optional<ClinicianInputs> inputs;
  };
  Source source = store.read(clinic_id, [&](const store::ClinicReader& tx) {
    auto scan = tx.scan(scan_id);
    if (!scan) throw InputError("no such scan", ErrorCode::not_found, "id");
    Source found{*scan, {}, "relief:" + scan_id, std::nullopt};
    if (overlay) {
      auto assessment = tx.latest_assessment_of_scan(scan_id);
      if (!assessment) throw InputError("the scan has not been analysed yet", ErrorCode::conflict, "id");
      const auto corrections = tx.corrections(assessment->id);
      const clinic::AssessmentCorrection* latest = latest_correction(corrections);
      found.key = "overlay:" + assessment->id + ":" + (latest != nullptr ? latest->id : std::string());
      if (latest != nullptr)
        found.inputs = clinician_inputs_from_json(nlohmann::json::parse(latest->clinician_inputs_json), "correction");
    }
    if (!pictures.find(found.key)) found.file = tx.scan_file(scan_id);
    return found;
  });
  if (auto cached = pictures.find(source.key)) return cached;
  if (source.file.empty())  // it was cached when the transaction looked, and aged out since
    source.file = store.read(clinic_id, [&](const store::ClinicReader& tx) { return tx.scan_file(scan_id); });
  AnalyzeOptions options;
  options.overlay_png = overlay;
  options.relief_png = !overlay;
  options.clinician = source.inputs;
  Assessment drawn = analyze_scan(ScanInput::memory(as_bytes(source.file), source.scan.file_name, source.scan.format),
                                  options, knowledge);
  pictures.put(source.key, as_text(overlay ? drawn.overlay_png : drawn.relief_png));
  auto made = pictures.find(source.key);
  return made ? made : std::make_shared<const std::string>(as_text(overlay ? drawn.overlay_png : drawn.relief_png));
}

}  // namespace scarscope::server
