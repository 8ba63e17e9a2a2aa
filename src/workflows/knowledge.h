// The knowledge a workflow works with, as one value: the grading tables (kb/grading.json) and the
// treatment knowledge base (kb/treatments.json + kb/planning_rules.json, with an optional clinic
// layer). Loaded once (a server at start, a CLI verb per run) and shared by every call, from any
// thread: nothing in it changes after loading. Results record each part's version and content
// hash, never where it was loaded from. The library never looks for a knowledge base by itself
// (no environment variable, no built-in path): the caller says where it is.
#pragma once
#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "grading/grading.h"
#include "planning/knowledge_base.h"

namespace scarscope {

struct Knowledge {
  GradingKnowledge grading;                         // what grades are computed with
  std::shared_ptr<const KnowledgeBase> treatments;  // what plans are made with (null: plans refused)

  // The treatment knowledge base; InputError if none was loaded.
  const KnowledgeBase& treatment_knowledge() const;
};

// KB_DIR/grading.json, KB_DIR/treatments.json and KB_DIR/planning_rules.json.
Knowledge load_knowledge(const std::filesystem::path& kb_dir);
// Only KB_DIR/grading.json (enough to analyse and grade; plan_visit then refuses).
Knowledge load_grading_only(const std::filesystem::path& kb_dir);
// The same from JSON values (a server's configuration, a test); `source` names them in messages.
Knowledge knowledge_from_json(const nlohmann::json& grading, const nlohmann::json& treatments,
                              const nlohmann::json& planning_rules, const std::string& source = "knowledge base");
// The same knowledge with a clinic's layer over the treatment knowledge base (see with_clinic_override
// in planning/knowledge_base.h); the base is shared, not copied.
Knowledge with_clinic_override(const Knowledge& knowledge, const nlohmann::json& clinic_override,
                               const std::string& source);

}  // namespace scarscope
