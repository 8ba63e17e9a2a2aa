// `scarscope analyze SCAN [--json [FILE]] [--overlay OUT.png] [--csv OUT.csv] [--clinician FILE]`:
// find, measure and type every scar of a scan, with the grades they imply.
// `scarscope analyze DIR --out RESULTS/ [--threads N] [--overlays]`: the same for every scan of a
// folder, NAME.analysis.json (and NAME.overlay.png) per scan, summary.csv and scars.csv.
// The work is the analyze_scan workflow's; this file reads options, runs it and writes files.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <malloc.h>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/json_output.h"
#include "cli/kb_location.h"
#include "cli/read_options.h"
#include "cli/verb.h"
#include "core/error.h"
#include "core/format.h"
#include "grading/clinician_inputs.h"
#include "scars/scar_csv.h"
#include "workflows/assessment.h"
#include "workflows/threads.h"

namespace scarscope::cli {
namespace {

namespace fs = std::filesystem;

struct AnalyzeCliOptions {
  std::string scan;
  ReadOptions read;
  JsonOutput json;
  std::string overlay;
  std::string csv;
  std::string clinician;
  std::string out;
  int threads = 2;
  bool overlays = false;
  std::string sdq = "central-differences";
};

void print_summary(const Assessment& assessment) {
  std::cout << assessment.scan.file << ": "
            << assessment.scars.scars.size() << " scars on " << fixed_decimal(assessment.scars.coverage_cm2, 2)
            << " cm2 of skin\n";
  const auto counts = assessment.scars.counts();
  std::cout << "  ice pick " << counts.ice_pick << ", boxcar " << counts.boxcar << ", rolling " << counts.rolling
            << ", hypertrophic " << counts.hypertrophic << "\n";
  const Grades& grades = assessment.grades;
  std::cout << "  grades (estimate from 3D scan): Goodman & Baron quantitative " << grades.goodman_baron_quantitative.value
            << ", qualitative " << grades.goodman_baron_qualitative.value_text() << ", ECCA " << grades.ecca.value << "\n";
  std::vector<const Scar*> deepest;
  for (const Scar& s : assessment.scars.scars)
    if (s.type != ScarType::hypertrophic) deepest.push_back(&s);
  std::sort(deepest.begin(), deepest.end(), [](const Scar* a, const Scar* b) { return a->depth_um > b->depth_um; });
  if (!deepest.empty()) std::cout << "  deepest scars:\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(3, deepest.size()); ++i) {
    const Scar& s = *deepest[i];
    std::cout << "    #" << s.id << " at (" << fixed_decimal(s.centroid_mm[0], 1) << ", " << fixed_decimal(s.centroid_mm[1], 1)
              << ") mm: " << s.reason << " (confidence " << fixed_decimal(s.confidence, 2) << ", volume "
              << fixed_decimal(s.volume_mm3, 3) << " mm3)\n";
  }
  for (const std::string& note : assessment.notes) std::cout << "  note: " << note << "\n";
}

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw InputError(path.string() + ": cannot write");
}

void write_file(const fs::path& path, const std::vector<std::byte>& bytes) {
  write_file(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::vector<fs::path> scans_in(const fs::path& folder) {
  std::vector<fs::path> scans;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    // Results and truth files sit beside scans; they are not scans.
    const std::string file = entry.path().filename().string();
    if (ext == ".json" || ext == ".md" || ext == ".txt" || file == "summary.csv" || file == "scars.csv" ||
        file.ends_with(".overlay.png")) {
      continue;
    }
    try {
      detect_format(entry.path());
      scans.push_back(entry.path());
    } catch (const InputError&) {
      // Not a height map: skipped.
    }
  }
  std::sort(scans.begin(), scans.end());
  return scans;
}

// A batch allocates and frees a height map and its work buffers per scan (tens of MB). By default
// glibc serves blocks that large with mmap and hands freed heap tops back to the kernel, so every
// scan pays again for fresh zeroed pages: page faults were ~8 % of the CPU over the 66 scans of a
// benchmark suite. Keeping freed memory for the next scan costs no more peak memory than the
// largest scans in flight, which a batch needs anyway.
void keep_freed_memory_for_the_next_scan() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest threshold on 64-bit: bigger blocks still use mmap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int run_batch(const AnalyzeCliOptions& options, const AnalyzeOptions& analyze, const Knowledge& knowledge) {
  if (options.out.empty()) throw InputError(options.scan + " is a folder: give --out RESULTS/ for the per-scan results");
  const fs::path out = options.out;
  fs::create_directories(out);
  const std::vector<fs::path> scans = scans_in(options.scan);
  if (scans.empty()) throw InputError(options.scan + ": no scan found in this folder");
  struct Row {
    std::string summary;
    std::string scars;
    bool failed = false;
  };
  std::vector<Row> rows(scans.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  const bool show_progress = stderr_is_terminal();
  const auto start = std::chrono::steady_clock::now();
  AnalyzeOptions per_scan = analyze;
  per_scan.overlay_png = options.overlays;
  auto worker = [&] {
    for (std::size_t i = next++; i < scans.size(); i = next++) {
      const std::string name = scans[i].stem().string();
      const std::string file = scans[i].filename().string();
      const auto t0 = std::chrono::steady_clock::now();
      Row& row = rows[i];
      try {
        const Assessment assessment = analyze_scan(ScanInput::file(scans[i], options.read), per_scan, knowledge);
        write_file(out / (name + ".analysis.json"), to_json(assessment).dump(2) + "\n");
        if (options.overlays) write_file(out / (name + ".overlay.png"), assessment.overlay_png);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        row.summary = assessment_summary_csv_row(file, assessment, seconds);
        row.scars = scar_csv_rows(assessment.scars, file);
      } catch (const std::exception& error) {
        row.summary = assessment_failure_csv_row(file, error.what());
        row.failed = true;
      }
      const std::size_t finished = ++done;
      if (show_progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        std::cerr << "\ranalysed " << finished << "/" << scans.size() << " scans" << std::flush;
      }
    }
  };
  const int threads = std::clamp(options.threads, 1, 64);
  keep_freed_memory_for_the_next_scan();
  // The batch's own threads are the parallelism: OpenCV's pool would oversubscribe the cores, and
  // with --threads 1 its worker thread would spin beside the one asked for (0.19 s CPU of 9.5 s over
  // the 66 tuning scans, ~13,000 sched_yield calls: bench/RESULTS.md, issue 17).
  set_library_threads(1);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  if (show_progress) std::cerr << "\n";

  std::string summary = assessment_summary_csv_header();
  std::string scars_csv = scar_csv_header();
  int failed = 0;
  for (const Row& row : rows) {
    summary += row.summary;
    scars_csv += row.scars;
    failed += row.failed ? 1 : 0;
  }
  write_file(out / "summary.csv", summary);
  write_file(out / "scars.csv", scars_csv);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "analysed " << scans.size() - static_cast<std::size_t>(failed) << " of " << scans.size() << " scans in "
            << fixed_decimal(seconds, 1) << " s (" << threads << " threads); results in " << out.string() << "\n";
  if (failed > 0) {
    std::cerr << failed << " scan(s) could not be analysed: see the error column of " << (out / "summary.csv").string() << "\n";
    return 2;
  }
  return 0;
}

int run_analyze(const AnalyzeCliOptions& options) {
  AnalyzeOptions analyze;
  if (options.sdq == "two-point") analyze.settings.surface.sdq = SdqMethod::two_point;
  if (!options.clinician.empty()) analyze.clinician = read_clinician_inputs(options.clinician);
  const Knowledge knowledge = load_grading_only(knowledge_base_dir());
  if (fs::is_directory(options.scan)) return run_batch(options, analyze, knowledge);
  analyze.overlay_png = !options.overlay.empty();
  const Assessment assessment = analyze_scan(ScanInput::file(options.scan, options.read), analyze, knowledge);
  if (!options.overlay.empty()) write_file(options.overlay, assessment.overlay_png);
  if (!options.csv.empty()) {
    write_file(options.csv, scar_csv_header() + scar_csv_rows(assessment.scars, fs::path(options.scan).filename().string()));
  }
  if (options.json.requested()) options.json.write(to_json(assessment));
  if (!options.json.to_stdout()) print_summary(assessment);
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<AnalyzeCliOptions>();
  app.add_option("SCAN", options->scan, "Height map to analyse (X3P, ...), or a folder of them with --out")->required();
  add_read_options(app, options->read);
  options->json.add_to(app);
  app.add_option("--overlay", options->overlay, "Write a shaded-relief PNG with the scars outlined by type and numbered");
  app.add_option("--csv", options->csv, "Write one CSV row per scar");
  app.add_option("--clinician", options->clinician,
                 "Clinician inputs JSON: corrections of the scars and what only an examination shows");
  app.add_option("--out", options->out, "Batch: folder for NAME.analysis.json, summary.csv and scars.csv");
  app.add_option("--threads", options->threads, "Batch: scans analysed at once (default 2)")->check(CLI::Range(1, 64));
  app.add_flag("--overlays", options->overlays, "Batch: also write NAME.overlay.png for each scan");
  app.add_option("--sdq", options->sdq,
                 "Slope of the surface's Sdq: central-differences (default) or two-point (ISO 25178-2, as Gwyddion)")
      ->check(CLI::IsMember({"central-differences", "two-point"}));
  return [options] { return run_analyze(*options); };
}

const VerbRegistrar registrar{{"analyze", "Find, measure and type every scar of a scan (or a folder of scans) and grade them", 30, setup}};

}  // namespace
}  // namespace scarscope::cli
