// Where the knowledge base (kb/: grading thresholds, treatments, with their citations) is read from.
// It is data, read at run time, so a clinic can change it without a rebuild.
#pragma once
#include <filesystem>
#include <string>

namespace scarscope {

// $SCARSCOPE_KB_DIR if set, else the kb/ folder of the source tree this binary was built from.
std::filesystem::path knowledge_base_dir();

// The path of kb/NAME; throws InputError naming it when it is missing.
std::filesystem::path knowledge_base_file(const std::string& name);

}  // namespace scarscope
