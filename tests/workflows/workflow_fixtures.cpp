#include "workflow_fixtures.h"

#include "test_support.h"

namespace scarscope::test {

const Knowledge& shipped_knowledge() {
  static const Knowledge knowledge = load_knowledge(test_kb_dir());
  return knowledge;
}

}  // namespace scarscope::test
