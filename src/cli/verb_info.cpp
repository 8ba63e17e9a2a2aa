// `scarscope info SCAN [--json [FILE]]`: what the file holds and its ISO 25178 parameters
// (after plane removal, over valid points).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/read_options.h"
#include "cli/verb.h"
#include "core/format.h"
#include "surface/form.h"
#include "surface/io.h"
#include "surface/parameters.h"
#include "surface/scan_summary.h"

namespace scarscope::cli {
namespace {

struct InfoOptions {
  std::string scan;
  ReadOptions read;
  JsonOutput json;
};

std::string format_number(double value, int decimals) { return fixed_decimal(value, decimals); }

void print_text(const nlohmann::json& scan, const nlohmann::json& surface) {
  std::cout << scan["file"].get<std::string>() << " (" << scan["format"].get<std::string>() << ")\n";
  std::cout << "  grid        " << scan["nx"] << " x " << scan["ny"] << " points, spacing "
            << format_number(scan["dx_um"].get<double>(), 3) << " x "
            << format_number(scan["dy_um"].get<double>(), 3) << " um\n";
  const double width_mm = scan["nx"].get<double>() * scan["dx_um"].get<double>() / 1000.0;
  const double height_mm = scan["ny"].get<double>() * scan["dy_um"].get<double>() / 1000.0;
  std::cout << "  size        " << format_number(width_mm, 3) << " x " << format_number(height_mm, 3) << " mm\n";
  std::cout << "  valid       " << scan["valid_points"] << " points ("
            << format_number(100.0 * scan["valid_fraction"].get<double>(), 1) << " %)\n";
  if (!scan["z_min_um"].is_null()) {
    std::cout << "  heights     " << format_number(scan["z_min_um"].get<double>(), 3) << " to "
              << format_number(scan["z_max_um"].get<double>(), 3) << " um\n";
  }
  if (!scan["checksum_ok"].is_null()) {
    std::cout << "  checksum    " << (scan["checksum_ok"].get<bool>() ? "ok" : "MISMATCH (data read anyway)") << "\n";
  }
  for (const auto& warning : scan["warnings"]) std::cout << "  warning     " << warning.get<std::string>() << "\n";
  if (!surface.is_null()) {
    std::cout << "  surface     (plane removed) Sa " << format_number(surface["Sa_um"].get<double>(), 3)
              << " um, Sq " << format_number(surface["Sq_um"].get<double>(), 3) << " um, Sz "
              << format_number(surface["Sz_um"].get<double>(), 3) << " um\n";
    std::cout << "              Ssk " << format_number(surface["Ssk"].get<double>(), 3) << ", Sku "
              << format_number(surface["Sku"].get<double>(), 3) << ", Sdq "
              << format_number(surface["Sdq"].get<double>(), 4) << ", Sdr "
              << format_number(surface["Sdr_pct"].get<double>(), 3) << " %\n";
  }
}

int run_info(const InfoOptions& options) {
  const HeightMap map = read_height_map(options.scan, options.read);
  const nlohmann::json scan = scan_summary_json(map);
  nlohmann::json surface = nullptr;
  // A plane needs three valid points; with fewer there are no parameters to report.
  if (map.valid_count() >= 3) {
    surface = surface_parameters_json(compute_surface_parameters(remove_plane(map)));
  }
  if (options.json.requested()) {
    options.json.write({{"scan", scan}, {"surface", surface}});
  }
  if (!options.json.to_stdout()) print_text(scan, surface);
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  app.add_option("SCAN", options->scan, "Height map to describe (X3P, ...)")->required();
  add_read_options(app, options->read);
  options->json.add_to(app);
  return [options] { return run_info(*options); };
}

const VerbRegistrar registrar{{"info", "Describe a scan: grid, spacing, valid points, heights, ISO 25178 parameters", 10, setup}};

}  // namespace
}  // namespace scarscope::cli
