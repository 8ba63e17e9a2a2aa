// Options every verb that reads a scan shares: --units, --spacing-um, --max-points.
#pragma once
#include "surface/io.h"

namespace CLI {
class App;
}

namespace scarscope::cli {

void add_read_options(CLI::App& app, ReadOptions& options);

}  // namespace scarscope::cli
