// `scarscope convert IN OUT [--units U] [--spacing-um S] [--preview PNG]`: a height map from any
// format ScarScope reads into any it writes (by OUT's extension), and optionally a shaded-relief
// picture of it. Unit-less outputs are written in micrometres, and the command says so.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/read_options.h"
#include "cli/verb.h"
#include "core/error.h"
#include "surface/io.h"
#include "surface/shaded_relief.h"

namespace scarscope::cli {
namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
  std::string preview;
  ReadOptions read;
};

int run_convert(const ConvertOptions& options) {
  if (std::filesystem::path(options.input) == std::filesystem::path(options.output)) {
    throw InputError(options.output + ": the output would overwrite the input; choose another name");
  }
  const HeightMap map = read_height_map(options.input, options.read);
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
  app.add_option("IN", options->input, "Height map to read (X3P, TIFF, PNG + sidecar, CSV, XYZ, PLY)")->required();
  app.add_option("OUT", options->output, "Height map to write; the extension picks the format (.x3p .tif .png .csv .xyz)")
      ->required();
  add_read_options(app, options->read);
  app.add_option("--preview", options->preview, "Also write a shaded-relief picture of the surface to this PNG");
  return [options] { return run_convert(*options); };
}

const VerbRegistrar registrar{{"convert", "Convert a height map between formats (units never guessed); --preview PNG", 20, setup}};

}  // namespace
}  // namespace scarscope::cli
