#include "core/kb.h"

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace scarscope {

std::filesystem::path knowledge_base_dir() {
  if (const char* dir = std::getenv("SCARSCOPE_KB_DIR"); dir != nullptr && *dir != '\0') return dir;
  return std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "kb";
}

std::filesystem::path knowledge_base_file(const std::string& name) {
  const auto path = knowledge_base_dir() / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError(path.string() + ": knowledge base file not found (set SCARSCOPE_KB_DIR to the kb/ folder)");
  }
  return path;
}

}  // namespace scarscope
