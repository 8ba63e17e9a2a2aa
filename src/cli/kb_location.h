// Where the scarscope command finds its knowledge base (kb/: grading tables, treatments, planning
// rules). The library never looks for it; the CLI does, in this order:
//   1. $SCARSCOPE_KB_DIR, if set;
//   2. an installation's share/scarscope/kb beside the binary's bin/ (cmake --install);
//   3. the kb/ folder of the source tree the binary was built from.
#pragma once
#include <filesystem>

namespace scarscope::cli {

// The folder; InputError (not_found) naming what was tried when none of them holds grading.json.
std::filesystem::path knowledge_base_dir();

}  // namespace scarscope::cli
