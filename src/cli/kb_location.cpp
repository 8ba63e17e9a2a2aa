#include "cli/kb_location.h"

#include <cstdlib>
#include <string>
#include <system_error>

#include "core/error.h"

namespace scarscope::cli {
namespace {

namespace fs = std::filesystem;

bool holds_kb(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "grading.json", ec);
}

fs::path installed_kb_dir() {
  std::error_code ec;
  const fs::path binary = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return binary.parent_path().parent_path() / "share" / "scarscope" / "kb";
}

}  // namespace

fs::path knowledge_base_dir() {
  if (const char* dir = std::getenv("SCARSCOPE_KB_DIR"); dir != nullptr && *dir != '\0') {
    if (!holds_kb(dir)) {
      throw InputError(std::string(dir) + ": no knowledge base there (no grading.json); SCARSCOPE_KB_DIR must name a kb/ folder",
                       ErrorCode::not_found, "SCARSCOPE_KB_DIR");
    }
    return dir;
  }
  const fs::path installed = installed_kb_dir();
  if (!installed.empty() && holds_kb(installed)) return installed;
  const fs::path source = fs::path(SCARSCOPE_SOURCE_DIR) / "kb";
  if (holds_kb(source)) return source;
  throw InputError("no knowledge base found (looked in " + (installed.empty() ? std::string() : installed.string() + " and ") +
                       source.string() + "): set SCARSCOPE_KB_DIR to the kb/ folder",
                   ErrorCode::not_found, "SCARSCOPE_KB_DIR");
}

}  // namespace scarscope::cli
