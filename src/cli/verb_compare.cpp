// `scarscope compare BASELINE FOLLOWUP [--json [FILE]] [--overlay OUT.png] [--baseline-analysis A.json]
//  [--followup-analysis B.json] [--retest SCAN]`: register a follow-up onto its baseline and say how
// much each scar changed, beyond or within its own measurement noise.
// `scarscope compare --series V1 V2 V3 ...`: every visit against the first, one trajectory per scar.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/json_output.h"
#include "cli/read_options.h"
#include "cli/verb.h"
#include "core/error.h"
#include "core/format.h"
#include "core/progress.h"
#include "followup/comparison.h"
#include "followup/series.h"
#include "scars/inventory.h"
#include "surface/io.h"
#include "workflows/comparison.h"
#include "workflows/progress_series.h"

namespace scarscope::cli {
namespace {

namespace fs = std::filesystem;

struct CompareCliOptions {
  std::vector<std::string> scans;
  bool series = false;
  std::string baseline_analysis;
  std::string followup_analysis;
  std::string retest;
  std::string overlay;
  ReadOptions read;
  JsonOutput json;
};

std::string number(double value, int decimals) { return fixed_decimal(value, decimals, "-"); }

// Progress lines go to a terminal only.
Progress terminal_progress() {
  Progress progress;
  if (stderr_is_terminal()) {
    progress.report = [](std::string_view stage, double) { std::cerr << std::string(stage) << " ...\n"; };
  }
  return progress;
}

ComparedVisit visit(const std::string& scan, const std::string& analysis_file, const ReadOptions& read) {
  ComparedVisit v;
  v.scan = ScanInput::file(scan, read);
  if (!analysis_file.empty()) v.scars = read_inventory(analysis_file);
  return v;
}

void write_png(const fs::path& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw InputError(path.string() + ": cannot write the PNG");
}

void print_registration(const Registration& reg) {
  std::cout << "registration: rotation " << number(reg.transform.rotation_deg, 2) << " deg, shift ("
            << number(reg.transform.shift_mm[0], 3) << ", " << number(reg.transform.shift_mm[1], 3) << ") mm about ("
            << number(reg.transform.center_mm[0], 2) << ", " << number(reg.transform.center_mm[1], 2) << ") mm\n"
            << "  residual " << number(reg.residual_um, 2) << " um RMS on unchanged skin, overlap "
            << number(100.0 * reg.overlap_fraction, 1) << " % of the baseline\n";
}

void print_comparison(const VisitComparison& c, const std::string& baseline_name, const std::string& followup_name) {
  std::cout << followup_name << " against " << baseline_name << "\n";
  print_registration(c.registration);
  if (!c.registration.registered) return;
  std::cout << "  measurement noise (MDC95) from the " << c.mdc_source << "\n\n";
  std::cout << "  scar        type          volume mm3 before -> after   change\n";
  for (const ScarChange& s : c.scars) {
    std::string ids = s.baseline_id ? "#" + std::to_string(*s.baseline_id) : "new";
    if (s.followup_id) ids += " -> " + std::to_string(*s.followup_id);
    char line[160];
    std::snprintf(line, sizeof line, "  %-11s %-13s %8s -> %-8s          ", ids.c_str(), s.type.c_str(),
                  number(s.volume_mm3[0], 3).c_str(), number(s.volume_mm3[1], 3).c_str());
    std::cout << line << change_status_name(s.status) << ": " << (s.note.empty() ? describe_change(s) : s.note) << "\n";
  }
  const GlobalChange& g = c.global;
  std::cout << "\n  total volume of the depressed scars both scans see: " << number(g.volume_before_mm3, 3) << " -> "
            << number(g.volume_after_mm3, 3) << " mm3";
  if (std::isfinite(g.volume_change_pct)) {
    const bool beyond = std::fabs(g.volume_after_mm3 - g.volume_before_mm3) > g.volume_mdc_mm3;
    std::cout << " (" << number(std::fabs(g.volume_change_pct), 0) << " % "
              << (g.volume_change_pct < 0 ? "less" : "more") << " volume, "
              << (beyond ? "beyond" : "within") << " measurement noise)";
  }
  std::cout << "\n  " << g.count_baseline << " scars at baseline, " << g.count_followup << " at follow-up: " << g.improved
            << " improved, " << g.stable << " stable, " << g.worse << " worse, " << g.new_scars << " new, " << g.resolved
            << " resolved, " << g.not_found << " outside the overlap\n";
  for (const std::string& note : c.notes) std::cout << "  note: " << note << "\n";
}

fs::path overlay_for_visit(const std::string& overlay, int visit) {
  fs::path path(overlay);
  const std::string stem = path.stem().string();
  return path.parent_path() / (stem + ".v" + std::to_string(visit) + path.extension().string());
}

int run_pair(const CompareCliOptions& options) {
  if (options.scans.size() != 2) {
    throw InputError("compare takes two scans, BASELINE FOLLOWUP (got " + std::to_string(options.scans.size()) +
                     "); for a course of visits use --series V1 V2 V3 ...");
  }
  CompareRequest request;
  request.baseline = visit(options.scans[0], options.baseline_analysis, options.read);
  request.followup = visit(options.scans[1], options.followup_analysis, options.read);
  if (!options.retest.empty()) request.baseline_retest = ScanInput::file(options.retest, options.read);
  request.overlay_png = !options.overlay.empty();
  const Progress progress = terminal_progress();
  const Comparison result = compare_scans(request, &progress);
  if (options.json.requested()) options.json.write(to_json(result));
  if (!options.json.to_stdout()) print_comparison(result.comparison, result.baseline_file, result.followup_file);
  if (!options.overlay.empty()) write_png(options.overlay, result.overlay_png);
  if (!result.comparison.registration.registered) {
    throw InputError(result.followup_file + " against " + result.baseline_file + ": " + result.comparison.registration.problem);
  }
  return 0;
}

int run_series(const CompareCliOptions& options) {
  if (options.scans.size() < 2) throw InputError("--series needs at least two scans (the first is the baseline)");
  std::vector<ComparedVisit> visits;
  for (std::size_t i = 0; i < options.scans.size(); ++i) {
    visits.push_back(visit(options.scans[i], i == 0 ? options.baseline_analysis : std::string(), options.read));
  }
  const Progress progress = terminal_progress();
  const ProgressSeries result = progress_series(visits, CompareOptions{}, !options.overlay.empty(), &progress);
  const SeriesComparison& series = result.series;
  if (options.json.requested()) options.json.write(to_json(result));
  if (!options.json.to_stdout()) {
    for (std::size_t k = 0; k < series.comparisons.size(); ++k) {
      print_comparison(series.comparisons[k], result.visit_files[0], result.visit_files[k + 1]);
      std::cout << "\n";
    }
    std::cout << "trajectories (volume mm3 per visit; ids stable across the series)\n";
    for (const ScarTrajectory& t : series.scars) {
      std::cout << "  #" << t.id << " " << t.type << ":";
      for (const TrajectoryPoint& p : t.points) {
        std::cout << "  v" << p.visit << " " << number(p.volume_mm3, 3);
        if (p.visit > 1) std::cout << " (" << trajectory_status_name(p.status) << ")";
      }
      std::cout << "\n";
    }
  }
  if (!options.overlay.empty()) {
    for (std::size_t k = 1; k < options.scans.size(); ++k) {
      write_png(overlay_for_visit(options.overlay, static_cast<int>(k) + 1), result.overlay_pngs[k - 1]);
    }
  }
  for (std::size_t k = 0; k < series.comparisons.size(); ++k) {
    if (!series.comparisons[k].registration.registered) {
      throw InputError(result.visit_files[k + 1] + " against " + result.visit_files[0] + ": " +
                       series.comparisons[k].registration.problem);
    }
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<CompareCliOptions>();
  app.add_option("SCANS", options->scans, "BASELINE FOLLOWUP (or, with --series, every visit in order)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_flag("--series", options->series, "Compare a course of visits: every visit against the first");
  app.add_option("--baseline-analysis", options->baseline_analysis,
                 "Analysis JSON of the baseline (scarscope analyze --json), instead of analysing it again")
      ->check(CLI::ExistingFile);
  app.add_option("--followup-analysis", options->followup_analysis, "Analysis JSON of the follow-up")
      ->check(CLI::ExistingFile);
  app.add_option("--retest", options->retest,
                 "A second scan of the baseline visit: the MDC then comes from this test-retest pair")
      ->check(CLI::ExistingFile);
  app.add_option("--overlay", options->overlay,
                 "PNG: baseline and follow-up side by side with matched outlines and ids, and the difference map");
  add_read_options(app, options->read);
  options->json.add_to(app);
  return [options] { return options->series ? run_series(*options) : run_pair(*options); };
}

const VerbRegistrar registrar{
    {"compare", "Register a follow-up scan onto its baseline and measure how much each scar changed", 35, setup}};

}  // namespace
}  // namespace scarscope::cli
