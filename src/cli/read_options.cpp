#include "cli/read_options.h"

#include <CLI/CLI.hpp>

namespace scarscope::cli {

void add_read_options(CLI::App& app, ReadOptions& options) {
  app.add_option_function<std::string>(
         "--units", [&options](const std::string& units) { options.units = units; },
         "Height (and coordinate) unit of a unit-less input: m, mm or um")
      ->check(CLI::IsMember({"m", "mm", "um"}));
  app.add_option_function<double>(
         "--spacing-um", [&options](double spacing) { options.spacing_um = spacing; },
         "Grid spacing in micrometres (CSV), or resampling spacing (XYZ, PLY)")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-points", options.max_points,
                 "Largest grid accepted, in points (default 2^28); larger claims are refused")
      ->check(CLI::PositiveNumber);
}

}  // namespace scarscope::cli
