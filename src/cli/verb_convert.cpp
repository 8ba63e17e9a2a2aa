// `scarscope convert IN OUT [--units U] [--spacing-um S] [--preview PNG]`: a height map from any
// format ScarScope reads into any it writes (by OUT's extension), and optionally a shaded-relief
// picture of it. Unit-less outputs are written in micrometres, and the command says so.
// `--region X,Y,Z,R` or `--region-points X1,Y1,Z1,X2,Y2,Z2,X3,Y3,Z3 [--radius-mm R]` take a region
// of a 3D mesh (a face scan) instead, seen along its own plane (surface/mesh_region.h).
#include <CLI/CLI.hpp>
#include <array>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "cli/read_options.h"
#include "cli/verb.h"
#include "core/error.h"
#include "surface/formats/format_common.h"
#include "surface/io.h"
#include "surface/mesh_region.h"
#include "surface/shaded_relief.h"

namespace scarscope::cli {
namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
  std::string preview;
  ReadOptions read;
  std::string region;         // "X,Y,Z,RADIUS_MM"
  std::string region_points;  // nine numbers
  std::optional<double> radius_mm;
};

// `count` comma-separated numbers; InputError naming the flag otherwise.
std::vector<double> parse_numbers(const std::string& text, std::size_t count, const std::string& flag,
                                  const std::string& expected) {
  std::vector<double> numbers;
  std::string_view rest = text;
  for (;;) {
    const std::size_t comma = rest.find(',');
    const std::string_view word = formats::trim(rest.substr(0, comma));
    const std::optional<double> number = formats::parse_number(word);
    if (!number || !std::isfinite(*number)) {
      throw InputError(flag + ": '" + std::string(word.substr(0, 40)) + "' is not a number (expected " + expected + ")");
    }
    numbers.push_back(*number);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (numbers.size() != count) {
    throw InputError(flag + ": " + std::to_string(numbers.size()) + " numbers given, expected " + expected);
  }
  return numbers;
}

HeightMap read_region(const ConvertOptions& options) {
  if (!options.region.empty() && !options.region_points.empty()) {
    throw InputError("--region and --region-points: give one of them, not both");
  }
  if (options.radius_mm && options.region_points.empty()) {
    throw InputError("--radius-mm goes with --region-points (--region states its radius itself)");
  }
  const formats::Mesh mesh = read_mesh(options.input, options.read);
  const double unit = mesh.micrometres_per_unit;  // the coordinates are in the mesh's units
  MeshRegion region;
  if (!options.region.empty()) {
    const std::vector<double> n = parse_numbers(options.region, 4, "--region", "X,Y,Z,RADIUS_MM");
    region.centre_um = {n[0] * unit, n[1] * unit, n[2] * unit};
    region.radius_um = n[3] * 1000.0;
    if (!(n[3] > 0.0)) throw InputError("--region: the radius must be positive (got " + formats::format_number(n[3]) + " mm)");
  } else {
    const std::vector<double> n =
        parse_numbers(options.region_points, 9, "--region-points", "X1,Y1,Z1,X2,Y2,Z2,X3,Y3,Z3");
    const std::array<formats::Point3, 3> points{formats::Point3{n[0] * unit, n[1] * unit, n[2] * unit},
                                               formats::Point3{n[3] * unit, n[4] * unit, n[5] * unit},
                                               formats::Point3{n[6] * unit, n[7] * unit, n[8] * unit}};
    std::optional<double> radius_um;
    if (options.radius_mm) {
      if (!(*options.radius_mm > 0.0)) {
        throw InputError("--radius-mm: the radius must be positive (got " + formats::format_number(*options.radius_mm) + ")");
      }
      radius_um = *options.radius_mm * 1000.0;
    }
    region = region_from_points(points, radius_um);
  }
  MeshRegionMap result = mesh_region_height_map(mesh, region, options.read.spacing_um, options.read.max_points, options.input);
  std::cerr << "note: region of " << result.triangles << " triangles, seen along (" << formats::format_number(result.normal.x)
            << ", " << formats::format_number(result.normal.y) << ", " << formats::format_number(result.normal.z) << ")";
  if (!region.normal) std::cerr << "; " << result.outlier_triangles << " left out of the plane's re-fit";
  std::cerr << "\n";
  result.map.metadata.source_file = options.input;
  result.map.metadata.source_format = detect_format(options.input);
  return std::move(result.map);
}

int run_convert(const ConvertOptions& options) {
  if (std::filesystem::path(options.input) == std::filesystem::path(options.output)) {
    throw InputError(options.output + ": the output would overwrite the input; choose another name");
  }
  const bool region = !options.region.empty() || !options.region_points.empty() || options.radius_mm;
  const HeightMap map = region ? read_region(options) : read_height_map(options.input, options.read);
  const std::string format = map.metadata.source_format;
  if ((format == "x3p") && (options.read.units || options.read.spacing_um)) {
    std::cerr << "note: " << options.input << " states its own units and spacing; --units/--spacing-um ignored\n";
  }
  for (const std::string& warning : map.metadata.warnings) std::cerr << "note: " << options.input << ": " << warning << "\n";
  const std::vector<std::string> notes = write_height_map(map, options.output);
  for (const std::string& note : notes) std::cerr << "note: " << note << "\n";
  std::cout << options.input << " (" << format << ", " << map.nx() << " x " << map.ny() << " points, "
            << map.dx_um() << " x " << map.dy_um() << " um, " << map.valid_count() << " valid) -> " << options.output
            << "\n";
  if (!options.preview.empty()) {
    write_png(render_shaded_relief(map), options.preview);
    std::cout << "shaded relief -> " << options.preview << "\n";
  }
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<ConvertOptions>();
  app.add_option("IN", options->input, "Height map to read (X3P, TIFF, PNG + sidecar, CSV, XYZ, PLY, OBJ, STL)")->required();
  app.add_option("OUT", options->output, "Height map to write; the extension picks the format (.x3p .tif .png .csv .xyz)")
      ->required();
  add_read_options(app, options->read);
  app.add_option("--preview", options->preview, "Also write a shaded-relief picture of the surface to this PNG");
  app.add_option("--region", options->region,
                 "X,Y,Z,RADIUS_MM: of a 3D mesh (PLY, OBJ, STL), only the triangles within RADIUS_MM of the point X,Y,Z "
                 "(in the mesh's units), seen along their robustly fitted plane");
  app.add_option("--region-points", options->region_points,
                 "X1,Y1,Z1,X2,Y2,Z2,X3,Y3,Z3: the region three picked points span (their plane, centred on their "
                 "centroid, radius the farthest of them unless --radius-mm)");
  app.add_option_function<double>(
      "--radius-mm", [options](double radius) { options->radius_mm = radius; }, "Radius of the --region-points region, mm");
  return [options] { return run_convert(*options); };
}

const VerbRegistrar registrar{{"convert", "Convert a height map between formats (units never guessed); --preview PNG", 20, setup}};

}  // namespace
}  // namespace scarscope::cli
