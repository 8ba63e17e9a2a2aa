#include "workflows/knowledge.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_fields.h"

namespace scarscope {

const KnowledgeBase& Knowledge::treatment_knowledge() const {
  if (!treatments) {
    throw InputError("no treatment knowledge base was loaded (kb/treatments.json and kb/planning_rules.json)",
                     ErrorCode::missing_field, "knowledge_base");
  }
  return *treatments;
}

Knowledge load_grading_only(const std::filesystem::path& kb_dir) {
  Knowledge knowledge;
  knowledge.grading = load_grading_knowledge(kb_dir / "grading.json");
  return knowledge;
}

Knowledge load_knowledge(const std::filesystem::path& kb_dir) {
  Knowledge knowledge = load_grading_only(kb_dir);
  knowledge.treatments = std::make_shared<const KnowledgeBase>(load_knowledge_base(kb_dir));
  return knowledge;
}

Knowledge knowledge_from_json(const nlohmann::json& grading, const nlohmann::json& treatments,
                              const nlohmann::json& planning_rules, const std::string& source) {
  Knowledge knowledge;
  knowledge.grading = grading_knowledge_from_json(grading, "grading.json");
  knowledge.treatments =
      std::make_shared<const KnowledgeBase>(knowledge_base_from_documents(treatments, planning_rules, source));
  return knowledge;
}

Knowledge with_clinic_override(const Knowledge& knowledge, const nlohmann::json& clinic_override, const std::string& source) {
  Knowledge layered = knowledge;
  layered.treatments =
      std::make_shared<const KnowledgeBase>(with_clinic_override(knowledge.treatment_knowledge(), clinic_override, source));
  return layered;
}

}  // namespace scarscope
