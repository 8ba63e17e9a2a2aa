#include "test_support.h"

#include <array>
#include <atomic>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

CommaDecimalLocale::CommaDecimalLocale() {
  const std::string command = "localedef -i de_DE -f UTF-8 '" + (dir_ / "de_DE.UTF-8").string() + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("cannot generate de_DE.UTF-8 with localedef (Debian package locales)");
  }
  setenv("LOCPATH", dir_.path().c_str(), 1);
  before_ = std::locale::global(std::locale("de_DE.UTF-8"));  // a named locale: setlocale(LC_ALL) too
  char printed[16];
  std::snprintf(printed, sizeof printed, "%.1f", 0.5);
  if (std::string(printed) != "0,5") throw std::runtime_error("de_DE.UTF-8 is not in force (printf wrote " + std::string(printed) + ")");
}

CommaDecimalLocale::~CommaDecimalLocale() {
  std::locale::global(before_);
  std::setlocale(LC_ALL, "C");
  unsetenv("LOCPATH");
}

}  // namespace scarscope::test
