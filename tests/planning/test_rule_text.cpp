// The planner's rules as a table, and the numbers their texts quote: every clinical number a rule
// writes comes from kb/ (where the evidence test checks its source), never from a literal in the
// rule's code.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "planning_support.h"
#include "test_support.h"

namespace scarscope::test {
namespace {

namespace fs = std::filesystem;

// The string literals of a C++ source, with their line numbers (no raw strings in the rule files).
std::vector<std::pair<int, std::string>> string_literals(const std::string& code) {
  std::vector<std::pair<int, std::string>> out;
  int line = 1;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char ch = code[i];
    if (ch == '\n') ++line;
    if (ch == '/' && i + 1 < code.size() && code[i + 1] == '/') {
      while (i < code.size() && code[i] != '\n') ++i;
      ++line;
      continue;
    }
    if (ch == '\'') {  // a character literal: skip it
      i += code[i + 1] == '\\' ? 3 : 2;
      continue;
    }
    if (ch != '"') continue;
    std::string literal;
    for (++i; i < code.size() && code[i] != '"'; ++i) {
      if (code[i] == '\\') literal += code[i++];
      literal += code[i];
    }
    out.emplace_back(line, literal);
  }
  return out;
}

TEST(RuleText, EveryClinicalNumberInARuleTextComesFromTheKnowledgeBase) {
  const fs::path rules = fs::path(SCARSCOPE_SOURCE_DIR) / "src" / "planning" / "rules";
  // Citation years ("Jacob 2001"), the drug name 5-FU and the 0-10 distress scale are not clinical
  // numbers; nor are kb keys ("intralesional_5fu").
  const std::regex allowed(R"(\b(19|20)\d\d\b|5-FU|/10\b)");
  const std::regex kb_key(R"([a-z0-9_]+)");
  int files = 0;
  std::vector<std::string> offenders;
  for (const auto& entry : fs::directory_iterator(rules)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 10 || name.substr(name.size() - 10) != "_rules.cpp") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream code;
    code << in.rdbuf();
    for (const auto& [line, literal] : string_literals(code.str())) {
      if (std::regex_match(literal, kb_key)) continue;
      const std::string rest = std::regex_replace(literal, allowed, "");
      if (std::any_of(rest.begin(), rest.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        offenders.push_back(name + ":" + std::to_string(line) + ": \"" + literal + "\"");
      }
    }
  }
  EXPECT_GE(files, 6) << "the rule families in " << rules;
  for (const auto& offender : offenders) ADD_FAILURE() << "number in rule text, not from kb/: " << offender;
}

TEST(RuleText, TheRuleTableRunsEveryKnowledgeBaseRuleAndNothingElse) {
  const auto& ids = planning_rule_ids();
  std::set<std::string> in_table(ids.begin(), ids.end());
  EXPECT_EQ(in_table.size(), ids.size()) << "each rule id once";
  std::set<std::string> in_kb;
  for (const auto& [id, info] : knowledge_base().rules) in_kb.insert(id);
  EXPECT_EQ(in_table, in_kb);
}

// A number quoted by a rule follows kb/ without a rebuild: change it and the warning changes.
TEST(RuleText, QuotedNumbersFollowTheKnowledgeBase) {
  nlohmann::json document = planning_kb_document();
  document["thresholds"]["bdd_screen_specificity_pct"]["value"] = 91;
  document["thresholds"]["keloid_recurrence_after_excision_pct"]["value"] = nlohmann::json::array({18, 44});
  const KnowledgeBase kb = knowledge_base_from_json(document, "test");
  PatientProfile patient = healthy_patient();
  patient.bdd_screen_positive = true;
  patient.keloid_history = true;
  const Plan plan = make_plan(request_for({deep_boxcar(1, 3.3, 5, 5)}, patient), kb);
  const std::string text = plan_to_text(plan, true);
  EXPECT_NE(text.find("specificity 91%"), std::string::npos) << text;
  EXPECT_NE(plan.find_exclusion("punch_excision")->reason.find("18-44%"), std::string::npos);
}

}  // namespace
}  // namespace scarscope::test
