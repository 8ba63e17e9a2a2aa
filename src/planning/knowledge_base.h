// The treatment knowledge base (kb/treatments.json + kb/planning_rules.json): modalities, what they
// treat, their protocol numbers with evidence, and the planning thresholds. Data, read at run time:
// a clinic corrects it, or overrides it with its own file, without a rebuild.
//
// A KnowledgeBase is a value, loaded once (from a folder or from JSON values) and shared by every
// plan made with it. It has two layers: the base (the two files) and, optionally, a clinic's own
// layer put over it explicitly (with_clinic_override). Each layer has a content hash (SHA-256 of
// its canonical JSON), which plans record with the version, never a path.
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace scarscope {

struct NumericRange {
  double min = 0.0;
  double max = 0.0;
  bool operator==(const NumericRange&) const = default;
};

// Where a number or a rule comes from, and how strong it is.
struct Evidence {
  std::string citation;
  // rct | systematic_review | review | consensus | series | expert | low_authority
  std::string kind;
  bool confirmed = false;
  // The figures this source itself gives, by field ("expected_improvement_pct"), where the kb records
  // them because sources disagree: the kb's own value is the strongest source's (evidence_strength),
  // the others stay here as alternatives.
  std::map<std::string, NumericRange> figures;
  bool operator==(const Evidence&) const = default;
};

// The evidence-ranking rule: where sources give different figures, the one shown is the strongest
// kind's. 4: rct, systematic_review; 3: consensus, review; 2: series; 1: expert (opinion,
// commentary, common practice); 0: low_authority (clinic pages, vendors, the customer's material).
int evidence_strength(const std::string& kind);

// A number (or a [min, max] range) from the kb with its evidence. A missing value means the sources
// give none: the plan then says so instead of inventing one.
struct SourcedValue {
  std::optional<NumericRange> value;  // a single number is stored as min == max
  std::vector<Evidence> evidence;
  std::string note;
  // The scar classes the sources measured it on (an improvement figure from series of ice pick
  // scars); empty: not restricted.
  std::vector<std::string> applies_to;
  bool known() const { return value.has_value(); }
};

struct IsotretinoinWait {
  SourcedValue wait_months;
  bool disputed = false;  // Spring 2017 and Waldman 2017 disagree
  bool not_addressed = false;  // neither paper addresses it: the wait is an analogy, and the plan says so
  std::string note;
};

struct FitzpatrickCaution {
  std::string action;  // exclude | caution | prime | prefer (applies from the dark-skin threshold up)
  std::string text;
  std::vector<Evidence> evidence;
};

struct ModalityRequirements {
  std::map<std::string, SourcedValue> max_diameter_mm;  // by scar class, "*" for every class
  bool normal_base = false;               // needs a normal-looking base (clinician input)
  bool distensible_or_tethered = false;   // needs a distensible or tethered scar
  std::vector<std::string> never_for;     // scar classes it must never be planned for
  std::vector<std::string> only_for;      // if not empty, the only scar classes it may treat
};

struct Modality {
  std::string id;    // stable identifier (tca_cross, ...)
  std::string name;  // for people
  std::string stage;
  bool procedure = true;
  std::set<std::string> tags;  // excisional, ablative, fully_ablative, dermabrasion, medium_deep_peel, injection, ...
  std::vector<std::string> treats;
  std::vector<Evidence> treats_evidence;
  SourcedValue sessions, interval_weeks, downtime_days, expected_improvement_pct;
  std::vector<std::string> side_effects;
  IsotretinoinWait isotretinoin;
  bool hsv_prophylaxis = false;
  std::optional<FitzpatrickCaution> fitzpatrick;
  ModalityRequirements requirements;
  std::string notes;
  bool has_tag(const std::string& tag) const { return tags.count(tag) > 0; }
};

struct RuleInfo {
  std::string id;
  std::string title;
  std::vector<Evidence> evidence;
};

struct StageInfo {
  std::string id;
  std::string goal;
};

struct KnowledgeBase {
  std::string version;
  std::map<std::string, Modality> modalities;
  std::map<std::string, RuleInfo> rules;
  std::map<std::string, SourcedValue> thresholds;
  std::vector<StageInfo> stages;
  std::vector<Evidence> stages_evidence;
  std::map<std::string, std::vector<std::string>> first_line;  // scar class -> modalities, preferred first
  std::vector<Evidence> first_line_evidence;
  std::vector<std::string> resurfacing_preference, resurfacing_preference_dark_skin;
  std::vector<Evidence> resurfacing_preference_evidence;
  std::vector<std::string> filler_preference;
  std::vector<Evidence> filler_preference_evidence;
  std::vector<std::pair<std::string, std::string>> same_day_pairs;
  std::vector<Evidence> same_day_pairs_evidence;
  std::vector<std::string> keloid_prone_regions, perioral_regions;
  std::vector<Evidence> keloid_prone_regions_evidence;
  // The procedures pigment-prone (darker) skin is primed for, before their first session.
  std::vector<std::string> pigment_priming_modalities;
  std::vector<Evidence> pigment_priming_modalities_evidence;
  // From a clinic override file: the modalities the clinic offers (none = all) and its name.
  std::optional<std::set<std::string>> clinic_modalities;
  std::string clinic_name;
  // What it was made from. sha256: the base layer's canonical JSON; clinic_sha256: the clinic
  // layer's (empty without one). base_document: the base layer's canonical JSON, so that a clinic
  // layer can be put over it later. source: names it in messages (a folder; never recorded).
  std::string sha256;
  std::string clinic_sha256;
  std::string base_document;
  std::string source;

  const Modality& modality(const std::string& id) const;  // throws InputError for an unknown id
  const RuleInfo& rule(const std::string& id) const;
  const SourcedValue& threshold(const std::string& name) const;
  double threshold_min(const std::string& name) const { return threshold(name).value->min; }
  double threshold_max(const std::string& name) const { return threshold(name).value->max; }
  bool same_day_allowed(const std::string& a, const std::string& b) const;
  int stage_index(const std::string& stage) const;  // position in `stages`, -1 if unknown
};

// Parses the merged kb document ({"modalities": ..., "thresholds": ..., ...}); throws InputError
// naming the field that is wrong (`source` says which file).
KnowledgeBase knowledge_base_from_json(const nlohmann::json& document, const std::string& source);

// The base document: treatments.json with planning_rules.json's keys added (a key in both is an
// error). `source` names them in messages.
nlohmann::json knowledge_base_document(const nlohmann::json& treatments, const nlohmann::json& planning_rules,
                                       const std::string& source);
// The base layer from the two documents.
KnowledgeBase knowledge_base_from_documents(const nlohmann::json& treatments, const nlohmann::json& planning_rules,
                                            const std::string& source);
// The base layer from KB_DIR/treatments.json and KB_DIR/planning_rules.json.
KnowledgeBase load_knowledge_base(const std::filesystem::path& kb_dir);
// The base document of KB_DIR (for tests).
nlohmann::json read_knowledge_base_document(const std::filesystem::path& kb_dir);

// A clinic's layer over `base` (replacing any clinic layer it had): a JSON merge patch (RFC 7396)
// over the base document, plus "available_modalities" (what the clinic offers) and "clinic" (its
// name). Throws InputError naming the field when the result is not a valid knowledge base.
KnowledgeBase with_clinic_override(const KnowledgeBase& base, const nlohmann::json& clinic_override,
                                   const std::string& source);
// load_knowledge_base(kb_dir) with the clinic layer read from a file.
KnowledgeBase load_knowledge_base(const std::filesystem::path& kb_dir, const std::filesystem::path& clinic_override_file);

}  // namespace scarscope
