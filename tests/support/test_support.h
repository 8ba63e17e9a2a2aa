// Helpers shared by the tests: run the real CLI, make temporary folders, read files.
#pragma once
#include <filesystem>
#include <locale>
#include <string>

namespace scarscope::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `scarscope ARGS` (the built CLI) through the shell and captures both streams.
// `args` is appended to the command line as is, so quote paths that may hold spaces.
CommandResult run_cli(const std::string& args);

// A fresh, empty folder under the system temp folder, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string read_text_file(const std::filesystem::path& path);
void write_text_file(const std::filesystem::path& path, const std::string& text);

// While alive, the whole process runs under a comma-decimal locale (de_DE.UTF-8: printf and
// iostreams write "0,5"), as a server embedding the library might; the locale is generated for the
// test with localedef (Debian package locales) into a temporary folder, and "C" comes back at the
// end. Throws std::runtime_error when it cannot be generated.
class CommaDecimalLocale {
 public:
  CommaDecimalLocale();
  ~CommaDecimalLocale();
  CommaDecimalLocale(const CommaDecimalLocale&) = delete;
  CommaDecimalLocale& operator=(const CommaDecimalLocale&) = delete;

 private:
  TempDir dir_;
  std::locale before_;
};

// Folder of checked-in test data (tests/data).
std::filesystem::path test_data(const std::string& name);

// The knowledge base of the source tree (kb/): tests say where it is, as every caller of the library does.
std::filesystem::path test_kb_dir();

}  // namespace scarscope::test
