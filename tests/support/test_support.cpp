#include "test_support.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace scarscope::test {

namespace fs = std::filesystem;

CommandResult run_cli(const std::string& args) {
  TempDir dir;
  const fs::path out = dir / "stdout";
  const fs::path err = dir / "stderr";
  const std::string command = std::string("'") + SCARSCOPE_CLI + "' " + args + " >'" + out.string() +
                              "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_text_file(out);
  result.err = read_text_file(err);
  return result;
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const auto base = fs::temp_directory_path();
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const fs::path candidate = base / ("scarscope-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter++));
    if (fs::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary folder under " + base.string());
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

fs::path test_data(const std::string& name) { return fs::path(SCARSCOPE_TEST_DATA) / name; }

fs::path test_kb_dir() { return fs::path(SCARSCOPE_SOURCE_DIR) / "kb"; }

}  // namespace scarscope::test
