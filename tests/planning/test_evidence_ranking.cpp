// The evidence-ranking rule (README, "Treatment planning"): where sources give different figures,
// the number kb/ shows is the strongest source's (rct and systematic review over consensus and
// narrative review, over case series, over expert opinion and commentary, over low-authority pages);
// the others stay in its evidence with their own figures, and plans carry them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "planning_support.h"

namespace scarscope::test {
namespace {

// Every place a figure is shown with evidence that may disagree with it.
std::vector<std::pair<std::string, const SourcedValue*>> sourced_values(const KnowledgeBase& kb) {
  std::vector<std::pair<std::string, const SourcedValue*>> out;
  for (const auto& [id, m] : kb.modalities) {
    out.emplace_back(id + ".sessions", &m.sessions);
    out.emplace_back(id + ".interval_weeks", &m.interval_weeks);
    out.emplace_back(id + ".downtime_days", &m.downtime_days);
    out.emplace_back(id + ".expected_improvement_pct", &m.expected_improvement_pct);
    out.emplace_back(id + ".isotretinoin.wait_months", &m.isotretinoin.wait_months);
    for (const auto& [scar_class, limit] : m.requirements.max_diameter_mm) {
      out.emplace_back(id + ".max_diameter_mm." + scar_class, &limit);
    }
  }
  for (const auto& [name, value] : kb.thresholds) out.emplace_back("thresholds." + name, &value);
  return out;
}

// The figures shown by a weaker source than one whose own, different figure is kept aside.
std::vector<std::string> ranking_violations(const KnowledgeBase& kb) {
  std::vector<std::string> out;
  for (const auto& [where, sourced] : sourced_values(kb)) {
    if (!sourced->value) continue;
    int supporting = -1;
    int alternative = -1;
    std::string strongest_alternative;
    for (const Evidence& e : sourced->evidence) {
      const bool differs = std::any_of(e.figures.begin(), e.figures.end(),
                                       [&](const auto& figure) { return figure.second != *sourced->value; });
      if (differs) {
        if (evidence_strength(e.kind) > alternative) strongest_alternative = e.citation;
        alternative = std::max(alternative, evidence_strength(e.kind));
      } else {
        supporting = std::max(supporting, evidence_strength(e.kind));
      }
    }
    if (alternative > supporting) out.push_back(where + ": a stronger source gives another figure (" + strongest_alternative + ")");
  }
  return out;
}

TEST(EvidenceRanking, StrengthOrder) {
  EXPECT_EQ(evidence_strength("rct"), evidence_strength("systematic_review"));
  EXPECT_GT(evidence_strength("systematic_review"), evidence_strength("consensus"));
  EXPECT_EQ(evidence_strength("consensus"), evidence_strength("review"));
  EXPECT_GT(evidence_strength("review"), evidence_strength("series"));
  EXPECT_GT(evidence_strength("series"), evidence_strength("expert"));
  EXPECT_GT(evidence_strength("expert"), evidence_strength("low_authority"));
}

TEST(EvidenceRanking, EveryFigureInTheKnowledgeBaseIsTheStrongestSources) {
  for (const auto& violation : ranking_violations(knowledge_base())) ADD_FAILURE() << violation;
}

// The check bites: microneedling showing the commentary's 50-75 % over the RCT's 41 % is caught.
TEST(EvidenceRanking, AWeakerSourcesFigureShownIsCaught) {
  nlohmann::json document = planning_kb_document();
  document["modalities"]["microneedling"]["expected_improvement_pct"]["value"] = nlohmann::json::array({50, 75});
  const auto violations = ranking_violations(knowledge_base_from_json(document, "test"));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("microneedling.expected_improvement_pct"), std::string::npos);
  EXPECT_NE(violations[0].find("Alam"), std::string::npos);
}

TEST(EvidenceRanking, AnEvidenceEntrysOwnFigureIsParsedAndChecked) {
  const Modality& needling = knowledge_base().modality("microneedling");
  bool commentary_kept = false;
  for (const Evidence& e : needling.expected_improvement_pct.evidence) {
    if (e.citation.rfind("Minutilli", 0) == 0) {
      EXPECT_EQ(e.kind, "expert") << "a single-author commentary, not a review";
      ASSERT_TRUE(e.figures.count("expected_improvement_pct"));
      EXPECT_EQ(e.figures.at("expected_improvement_pct"), (NumericRange{50, 75}));
      commentary_kept = true;
    }
  }
  EXPECT_TRUE(commentary_kept);
  nlohmann::json document = planning_kb_document();
  document["modalities"]["microneedling"]["expected_improvement_pct"]["evidence"][0]["value"] = nlohmann::json::array({60, 40});
  try {
    knowledge_base_from_json(document, "test");
    FAIL() << "a reversed range accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("modalities.microneedling.expected_improvement_pct.evidence[0].value"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace scarscope::test
