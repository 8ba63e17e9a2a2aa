// Helpers shared by the tests: run the real CLI, make temporary folders, read files.
#pragma once
#include <filesystem>
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

// Folder of checked-in test data (tests/data).
std::filesystem::path test_data(const std::string& name);

// The knowledge base of the source tree (kb/): tests say where it is, as every caller of the library does.
std::filesystem::path test_kb_dir();

}  // namespace scarscope::test
