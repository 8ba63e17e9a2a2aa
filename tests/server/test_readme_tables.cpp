// The README's roles x routes table and error-code table are exactly what the server enforces.
#include <gtest/gtest.h>

#include "server/route_docs.h"
#include "server_test_support.h"

namespace scarscope::test {
namespace {

TEST(ReadmeTables, TheRolesAndErrorTablesAreTheServersOwn) {
  TestServer server(store::Engine::sqlite);
  const std::string readme = read_text_file(std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "README.md");
  const std::string roles = server::roles_table_markdown(server.routes());
  const std::string codes = server::error_codes_markdown();
  EXPECT_NE(readme.find(roles), std::string::npos) << "README.md must hold this roles x routes table:\n" << roles;
  EXPECT_NE(readme.find(codes), std::string::npos) << "README.md must hold this error-code table:\n" << codes;
}

}  // namespace
}  // namespace scarscope::test
