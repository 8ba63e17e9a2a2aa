// A user installs ScarScope (`cmake --install`) and runs the installed command from anywhere: it
// finds its knowledge base beside it (share/scarscope/kb), not in the source tree it was built from.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "test_support.h"

namespace scarscope::test {
namespace {

// The command's exit status (0: success), its output discarded.
int shell(const std::string& command) {
  const int status = std::system((command + " > /dev/null 2>&1").c_str());
  return status == -1 ? -1 : WEXITSTATUS(status);
}

TEST(Install, TheInstalledCommandUsesTheInstalledKnowledgeBase) {
  TempDir prefix;
  const std::string install = std::string("\"") + SCARSCOPE_CMAKE + "\" --install \"" + SCARSCOPE_BUILD_DIR +
                              "\" --component cli --prefix \"" + prefix.path().string() + "\"";
  ASSERT_EQ(shell(install), 0) << install;
  const std::filesystem::path binary = prefix / "bin/scarscope";
  const std::filesystem::path kb = prefix / "share/scarscope/kb";
  ASSERT_TRUE(std::filesystem::is_regular_file(binary));
  ASSERT_TRUE(std::filesystem::is_regular_file(kb / "grading.json"));
  ASSERT_TRUE(std::filesystem::is_regular_file(prefix / "share/doc/ScarScope/LICENSE"));

  // The installed kb is the one used: give it a version of its own.
  nlohmann::json grading = read_json_file(kb / "grading.json");
  grading["version"] = "installed copy";
  write_text_file(kb / "grading.json", grading.dump(2));

  TempDir work;
  const std::string run = "cd \"" + work.path().string() + "\" && env -u SCARSCOPE_KB_DIR \"" + binary.string() + "\" ";
  ASSERT_EQ(shell(run + "synth --seed 3 --size-mm 10 10 --spacing-um 40 --scars 3 --out cheek.x3p"), 0);
  ASSERT_EQ(shell(run + "analyze cheek.x3p --json cheek.analysis.json"), 0);
  const nlohmann::json analysis = read_json_file(work / "cheek.analysis.json");
  EXPECT_EQ(analysis["grades"]["knowledge_base"]["version"], "installed copy");
  EXPECT_EQ(analysis["grades"]["knowledge_base"]["file"], "grading.json");

  // Without a knowledge base anywhere (SCARSCOPE_KB_DIR pointing at an empty folder) it says so.
  const std::string empty = "cd \"" + work.path().string() + "\" && SCARSCOPE_KB_DIR=\"" + work.path().string() + "\" \"" +
                            binary.string() + "\" analyze cheek.x3p";
  EXPECT_EQ(shell(empty), 2);
}

}  // namespace
}  // namespace scarscope::test
