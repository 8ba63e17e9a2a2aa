// `scarscope analyze SCAN [--json [FILE]] [--overlay OUT.png] [--csv OUT.csv] [--clinician FILE]`:
// find, measure and type every scar of a scan, with the grades they imply.
// `scarscope analyze DIR --out RESULTS/ [--threads N] [--overlays]`: the same for every scan of a
// folder, NAME.analysis.json (and NAME.overlay.png) per scan, summary.csv and scars.csv.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
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
#include "cli/read_options.h"
#include "cli/verb.h"
#include "core/error.h"
#include "grading/clinician_inputs.h"
#include "grading/grading.h"
#include "scars/analysis.h"
#include "scars/overlay.h"
#include "scars/scar_csv.h"
#include "surface/io.h"
#include "surface/scan_summary.h"

namespace scarscope::cli {
namespace {

namespace fs = std::filesystem;

struct AnalyzeOptions {
  std::string scan;
  ReadOptions read;
  JsonOutput json;
  std::string overlay;
  std::string csv;
  std::string clinician;
  std::string out;
  int threads = 2;
  bool overlays = false;
};

struct AnalysisOutput {
  nlohmann::json document;
  ScarInventory inventory;  // as reported (clinician corrections applied)
};

// Analyses one scan: the analysis JSON with grades, and the overlay if asked for.
AnalysisOutput analyze_file(const fs::path& path, const ReadOptions& read, const ClinicianInputs* clinician,
                            const GradingKnowledge& knowledge, const std::string& overlay_path) {
  HeightMap map = read_height_map(path, read);
  const nlohmann::json scan = scan_summary_json(map);
  HeightMap relief;
  ScanAnalysis analysis = analyze_height_map(std::move(map), AnalysisSettings{}, overlay_path.empty() ? nullptr : &relief);
  AnalysisOutput output;
  output.document = analysis_to_json(analysis, scan);
  output.document["grades"] = grade_inventory_json(analysis.inventory, clinician, knowledge);
  output.inventory = analysis.inventory;
  if (clinician && !clinician->empty()) {
    output.inventory = apply_corrections(analysis.inventory, *clinician);
    const nlohmann::json corrected = inventory_to_json(output.inventory);
    output.document["scars"] = corrected.at("scars");
    output.document["counts"] = corrected.at("counts");
  }
  if (!overlay_path.empty()) write_overlay_png(relief, output.inventory, overlay_path);
  return output;
}

std::string number(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string grade_value(const nlohmann::json& grade) {
  if (!grade.is_object() || !grade.contains("value")) return "-";
  const auto& value = grade["value"];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return value.dump();
  return "-";
}

void print_summary(const AnalysisOutput& output) {
  const nlohmann::json& d = output.document;
  const nlohmann::json& scan = d["scan"];
  std::cout << scan.value("file", std::string("scan")) << ": " << output.inventory.scars.size() << " scars on "
            << number(d.value("coverage_cm2", 0.0), 2) << " cm2 of skin\n";
  const auto counts = output.inventory.counts();
  std::cout << "  ice pick " << counts.ice_pick << ", boxcar " << counts.boxcar << ", rolling " << counts.rolling
            << ", hypertrophic " << counts.hypertrophic << "\n";
  const nlohmann::json& grades = d["grades"];
  if (grades.is_object()) {
    std::cout << "  grades (estimate from 3D scan): Goodman & Baron quantitative "
              << grade_value(grades.value("goodman_baron_quantitative", nlohmann::json())) << ", qualitative "
              << grade_value(grades.value("goodman_baron_qualitative", nlohmann::json())) << ", ECCA "
              << grade_value(grades.value("ecca", nlohmann::json())) << "\n";
  }
  std::vector<const Scar*> deepest;
  for (const Scar& s : output.inventory.scars)
    if (s.type != ScarType::hypertrophic) deepest.push_back(&s);
  std::sort(deepest.begin(), deepest.end(), [](const Scar* a, const Scar* b) { return a->depth_um > b->depth_um; });
  if (!deepest.empty()) std::cout << "  deepest scars:\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(3, deepest.size()); ++i) {
    const Scar& s = *deepest[i];
    std::cout << "    #" << s.id << " at (" << number(s.centroid_mm[0], 1) << ", " << number(s.centroid_mm[1], 1)
              << ") mm: " << s.reason << " (confidence " << number(s.confidence, 2) << ", volume "
              << number(s.volume_mm3, 3) << " mm3)\n";
  }
  for (const auto& note : d.value("notes", nlohmann::json::array())) std::cout << "  note: " << note.get<std::string>() << "\n";
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw InputError(path.string() + ": cannot write");
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

int run_batch(const AnalyzeOptions& options, const ClinicianInputs* clinician, const GradingKnowledge& knowledge) {
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
  auto worker = [&] {
    for (std::size_t i = next++; i < scans.size(); i = next++) {
      const std::string name = scans[i].stem().string();
      const auto t0 = std::chrono::steady_clock::now();
      Row& row = rows[i];
      try {
        const std::string overlay = options.overlays ? (out / (name + ".overlay.png")).string() : "";
        const AnalysisOutput result = analyze_file(scans[i], options.read, clinician, knowledge, overlay);
        write_file(out / (name + ".analysis.json"), result.document.dump(2) + "\n");
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const auto c = result.inventory.counts();
        const auto& g = result.document["grades"];
        row.summary = "\"" + scans[i].filename().string() + "\",ok," + std::to_string(result.inventory.scars.size()) + "," +
                      std::to_string(c.ice_pick) + "," + std::to_string(c.boxcar) + "," + std::to_string(c.rolling) + "," +
                      std::to_string(c.hypertrophic) + "," + number(result.inventory.coverage_cm2, 3) + "," +
                      grade_value(g.value("goodman_baron_quantitative", nlohmann::json())) + "," +
                      grade_value(g.value("ecca", nlohmann::json())) + "," + number(seconds, 3) + ",\n";
        row.scars = scar_csv_rows(result.inventory, scans[i].filename().string());
      } catch (const std::exception& error) {
        std::string message = error.what();
        std::replace(message.begin(), message.end(), '"', '\'');
        row.summary = "\"" + scans[i].filename().string() + "\",error,,,,,,,,,,\"" + message + "\"\n";
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
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  if (show_progress) std::cerr << "\n";

  std::string summary =
      "scan,status,scars,ice_pick,boxcar,rolling,hypertrophic,coverage_cm2,goodman_baron_quantitative,ecca,seconds,error\n";
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
            << number(seconds, 1) << " s (" << threads << " threads); results in " << out.string() << "\n";
  if (failed > 0) {
    std::cerr << failed << " scan(s) could not be analysed: see the error column of " << (out / "summary.csv").string() << "\n";
    return 2;
  }
  return 0;
}

int run_analyze(const AnalyzeOptions& options) {
  std::optional<ClinicianInputs> clinician;
  if (!options.clinician.empty()) clinician = read_clinician_inputs(options.clinician);
  const GradingKnowledge knowledge = load_grading_knowledge();
  const ClinicianInputs* clinician_ptr = clinician ? &*clinician : nullptr;
  if (fs::is_directory(options.scan)) return run_batch(options, clinician_ptr, knowledge);
  const AnalysisOutput output = analyze_file(options.scan, options.read, clinician_ptr, knowledge, options.overlay);
  if (!options.csv.empty()) {
    write_file(options.csv, scar_csv_header() + scar_csv_rows(output.inventory, fs::path(options.scan).filename().string()));
  }
  if (options.json.requested()) options.json.write(output.document);
  if (!options.json.to_stdout()) print_summary(output);
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<AnalyzeOptions>();
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
  return [options] { return run_analyze(*options); };
}

const VerbRegistrar registrar{{"analyze", "Find, measure and type every scar of a scan (or a folder of scans) and grade them", 30, setup}};

}  // namespace
}  // namespace scarscope::cli
