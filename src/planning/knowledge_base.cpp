#include "planning/knowledge_base.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_fields.h"
#include "core/sha256.h"

namespace scarscope {
namespace {

using nlohmann::json;

const std::set<std::string> kEvidenceKinds = {"rct",    "systematic_review", "review",       "consensus",
                                              "series", "expert",            "low_authority"};

// The helpers below read through JsonField (core/json_fields.h), so every kb error is an
// InputError with the field's path and a stable code. `path` arguments end with "." (or are empty).
std::string trimmed(const std::string& path) { return path.ends_with('.') ? path.substr(0, path.size() - 1) : path; }

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& problem,
                       ErrorCode code = ErrorCode::bad_input) {
  JsonField(json(nullptr), source, field).fail(code, problem);
}

const json& require(const json& object, const std::string& key, const std::string& source, const std::string& path) {
  if (!object.is_object() || !object.contains(key)) fail(source, path + key, "missing", ErrorCode::missing_field);
  return object.at(key);
}

std::string string_of(const json& value, const std::string& source, const std::string& field) {
  return JsonField(value, source, field).text("must be a string");
}

std::vector<std::string> strings_of(const json& value, const std::string& source, const std::string& field) {
  if (!value.is_array()) fail(source, field, "must be a list of strings", ErrorCode::wrong_type);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) out.push_back(string_of(value[i], source, field + "[" + std::to_string(i) + "]"));
  return out;
}

void check_keys(const json& object, const std::set<std::string>& allowed, const std::string& source,
                const std::string& path) {
  if (!object.is_object()) fail(source, path.empty() ? "(top level)" : trimmed(path), "must be an object", ErrorCode::wrong_type);
  JsonField(object, source, trimmed(path))
      .reject_unknown(std::vector<std::string>(allowed.begin(), allowed.end()), "not a field of the knowledge base");
}

double number_of(const json& value, const std::string& source, const std::string& field);

// A number, or [min, max].
NumericRange range_of(const json& number, const std::string& source, const std::string& field) {
  if (number.is_array()) {
    if (number.size() != 2) fail(source, field, "must be a number or [min, max]");
    const double low = number_of(number[0], source, field + "[0]");
    const double high = number_of(number[1], source, field + "[1]");
    if (low > high) fail(source, field, "min is greater than max");
    return NumericRange{low, high};
  }
  const double single = number_of(number, source, field);
  return NumericRange{single, single};
}

// `figure_field`: the field the list is the evidence of ("sessions"), for an entry's own "value".
std::vector<Evidence> evidence_of(const json& value, const std::string& source, const std::string& field,
                                  const std::string& figure_field = "") {
  if (!value.is_array() || value.empty()) fail(source, field, "must be a non-empty list of {citation, kind, confirmed}");
  std::vector<Evidence> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item = field + "[" + std::to_string(i) + "]";
    if (figure_field.empty()) {
      check_keys(value[i], {"citation", "kind", "confirmed"}, source, item + ".");
    } else {
      check_keys(value[i], {"citation", "kind", "confirmed", "value"}, source, item + ".");
    }
    Evidence evidence;
    evidence.citation = string_of(require(value[i], "citation", source, item + "."), source, item + ".citation");
    evidence.kind = string_of(require(value[i], "kind", source, item + "."), source, item + ".kind");
    if (!kEvidenceKinds.count(evidence.kind)) {
      fail(source, item + ".kind", "\"" + evidence.kind + "\" is not one of rct|systematic_review|review|consensus|series|expert|low_authority");
    }
    const json& confirmed = require(value[i], "confirmed", source, item + ".");
    if (!confirmed.is_boolean()) fail(source, item + ".confirmed", "must be true or false");
    evidence.confirmed = confirmed.get<bool>();
    if (!figure_field.empty() && value[i].contains("value")) {
      evidence.figures[figure_field] = range_of(value[i]["value"], source, item + ".value");
    }
    out.push_back(evidence);
  }
  return out;
}

double number_of(const json& value, const std::string& source, const std::string& field) {
  return JsonField(value, source, field).number("must be a number");
}

// {"value": number | [min, max], "evidence": [...], "note": "..", "applies_to": [scar classes]}, or
// null when the sources give none. An evidence entry may carry the "value" that source gives.
SourcedValue sourced_of(const json& value, const std::string& source, const std::string& field) {
  SourcedValue out;
  if (value.is_null()) return out;
  check_keys(value, {"value", "evidence", "note", "applies_to"}, source, field + ".");
  const json& number = require(value, "value", source, field + ".");
  if (!number.is_null()) out.value = range_of(number, source, field + ".value");
  const std::string figure_field = field.substr(field.rfind('.') + 1);
  out.evidence = evidence_of(require(value, "evidence", source, field + "."), source, field + ".evidence", figure_field);
  if (value.contains("note")) out.note = string_of(value["note"], source, field + ".note");
  if (value.contains("applies_to")) out.applies_to = strings_of(value["applies_to"], source, field + ".applies_to");
  if (out.value && out.value->min < 0) fail(source, field + ".value", "must not be negative");
  return out;
}

Modality modality_of(const std::string& id, const json& value, const std::string& source) {
  const std::string path = "modalities." + id + ".";
  check_keys(value, {"name", "stage", "procedure", "tags", "treats", "treats_evidence", "sessions", "interval_weeks",
                     "downtime_days", "expected_improvement_pct", "side_effects", "isotretinoin", "hsv_prophylaxis",
                     "fitzpatrick", "requirements", "notes"},
             source, path);
  Modality m;
  m.id = id;
  m.name = string_of(require(value, "name", source, path), source, path + "name");
  m.stage = string_of(require(value, "stage", source, path), source, path + "stage");
  if (value.contains("procedure")) {
    if (!value["procedure"].is_boolean()) fail(source, path + "procedure", "must be true or false");
    m.procedure = value["procedure"].get<bool>();
  }
  for (const auto& tag : strings_of(require(value, "tags", source, path), source, path + "tags")) m.tags.insert(tag);
  m.treats = strings_of(require(value, "treats", source, path), source, path + "treats");
  m.treats_evidence = evidence_of(require(value, "treats_evidence", source, path), source, path + "treats_evidence");
  m.sessions = sourced_of(require(value, "sessions", source, path), source, path + "sessions");
  m.interval_weeks = sourced_of(require(value, "interval_weeks", source, path), source, path + "interval_weeks");
  m.downtime_days = sourced_of(require(value, "downtime_days", source, path), source, path + "downtime_days");
  m.expected_improvement_pct =
      sourced_of(require(value, "expected_improvement_pct", source, path), source, path + "expected_improvement_pct");
  if (m.expected_improvement_pct.value && m.expected_improvement_pct.value->max > 100) {
    fail(source, path + "expected_improvement_pct.value", "must be at most 100 (%)");
  }
  m.side_effects = strings_of(require(value, "side_effects", source, path), source, path + "side_effects");
  const json& iso = require(value, "isotretinoin", source, path);
  check_keys(iso, {"wait_months", "disputed", "not_addressed", "note"}, source, path + "isotretinoin.");
  m.isotretinoin.wait_months = sourced_of(require(iso, "wait_months", source, path + "isotretinoin."), source,
                                          path + "isotretinoin.wait_months");
  if (iso.contains("disputed")) {
    if (!iso["disputed"].is_boolean()) fail(source, path + "isotretinoin.disputed", "must be true or false");
    m.isotretinoin.disputed = iso["disputed"].get<bool>();
  }
  if (iso.contains("not_addressed")) {
    if (!iso["not_addressed"].is_boolean()) fail(source, path + "isotretinoin.not_addressed", "must be true or false");
    m.isotretinoin.not_addressed = iso["not_addressed"].get<bool>();
  }
  if (iso.contains("note")) m.isotretinoin.note = string_of(iso["note"], source, path + "isotretinoin.note");
  if (value.contains("hsv_prophylaxis")) {
    if (!value["hsv_prophylaxis"].is_boolean()) fail(source, path + "hsv_prophylaxis", "must be true or false");
    m.hsv_prophylaxis = value["hsv_prophylaxis"].get<bool>();
  }
  if (value.contains("fitzpatrick") && !value["fitzpatrick"].is_null()) {
    const json& fitz = value["fitzpatrick"];
    check_keys(fitz, {"action", "text", "evidence"}, source, path + "fitzpatrick.");
    FitzpatrickCaution caution;
    caution.action = string_of(require(fitz, "action", source, path + "fitzpatrick."), source, path + "fitzpatrick.action");
    if (caution.action != "exclude" && caution.action != "caution" && caution.action != "prime" && caution.action != "prefer") {
      fail(source, path + "fitzpatrick.action", "must be exclude, caution, prime or prefer");
    }
    caution.text = string_of(require(fitz, "text", source, path + "fitzpatrick."), source, path + "fitzpatrick.text");
    caution.evidence = evidence_of(require(fitz, "evidence", source, path + "fitzpatrick."), source, path + "fitzpatrick.evidence");
    m.fitzpatrick = caution;
  }
  if (value.contains("requirements")) {
    const json& req = value["requirements"];
    const std::string rpath = path + "requirements.";
    check_keys(req, {"max_diameter_mm", "normal_base", "distensible_or_tethered", "never_for", "only_for"}, source, rpath);
    if (req.contains("max_diameter_mm")) {
      if (!req["max_diameter_mm"].is_object()) fail(source, rpath + "max_diameter_mm", "must be an object by scar class");
      for (const auto& [scar_class, limit] : req["max_diameter_mm"].items()) {
        m.requirements.max_diameter_mm[scar_class] = sourced_of(limit, source, rpath + "max_diameter_mm." + scar_class);
      }
    }
    for (const char* flag : {"normal_base", "distensible_or_tethered"}) {
      if (!req.contains(flag)) continue;
      if (!req[flag].is_boolean()) fail(source, rpath + flag, "must be true or false");
      (std::string(flag) == "normal_base" ? m.requirements.normal_base : m.requirements.distensible_or_tethered) =
          req[flag].get<bool>();
    }
    if (req.contains("never_for")) m.requirements.never_for = strings_of(req["never_for"], source, rpath + "never_for");
    if (req.contains("only_for")) m.requirements.only_for = strings_of(req["only_for"], source, rpath + "only_for");
  }
  if (value.contains("notes")) m.notes = string_of(value["notes"], source, path + "notes");
  return m;
}

}  // namespace

int evidence_strength(const std::string& kind) {
  if (kind == "rct" || kind == "systematic_review") return 4;
  if (kind == "consensus" || kind == "review") return 3;
  if (kind == "series") return 2;
  if (kind == "expert") return 1;
  return 0;
}

const Modality& KnowledgeBase::modality(const std::string& id) const {
  const auto found = modalities.find(id);
  if (found == modalities.end()) throw InputError("unknown modality \"" + id + "\"", ErrorCode::bad_input);
  return found->second;
}

const RuleInfo& KnowledgeBase::rule(const std::string& id) const {
  const auto found = rules.find(id);
  if (found == rules.end()) throw InputError("knowledge base: rules." + id + ": missing", ErrorCode::missing_field, "rules." + id);
  return found->second;
}

const SourcedValue& KnowledgeBase::threshold(const std::string& name) const {
  const auto found = thresholds.find(name);
  if (found == thresholds.end() || !found->second.value) {
    throw InputError("knowledge base: thresholds." + name + ": missing", ErrorCode::missing_field, "thresholds." + name);
  }
  return found->second;
}

bool KnowledgeBase::same_day_allowed(const std::string& a, const std::string& b) const {
  return std::any_of(same_day_pairs.begin(), same_day_pairs.end(), [&](const auto& pair) {
    return (pair.first == a && pair.second == b) || (pair.first == b && pair.second == a);
  });
}

int KnowledgeBase::stage_index(const std::string& stage) const {
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (stages[i].id == stage) return static_cast<int>(i);
  }
  return -1;
}

KnowledgeBase knowledge_base_from_json(const json& document, const std::string& source) {
  check_keys(document,
             {"version", "version_rules", "description", "modalities", "thresholds", "stages", "stages_evidence",
              "first_line", "first_line_evidence", "resurfacing_preference", "resurfacing_preference_dark_skin",
              "resurfacing_preference_evidence", "filler_preference", "filler_preference_evidence", "same_day_pairs",
              "same_day_pairs_evidence", "keloid_prone_regions", "keloid_prone_regions_evidence", "perioral_regions",
              "pigment_priming_modalities", "pigment_priming_modalities_evidence", "rules"},
             source, "");
  KnowledgeBase kb;
  kb.version = string_of(require(document, "version", source, ""), source, "version");
  const json& modalities = require(document, "modalities", source, "");
  if (!modalities.is_object()) fail(source, "modalities", "must be an object keyed by modality id");
  for (const auto& [id, value] : modalities.items()) {
    if (value.is_null()) continue;  // a merge patch may remove a modality
    kb.modalities.emplace(id, modality_of(id, value, source));
  }
  const json& thresholds = require(document, "thresholds", source, "");
  if (!thresholds.is_object()) fail(source, "thresholds", "must be an object");
  for (const auto& [name, value] : thresholds.items()) {
    kb.thresholds[name] = sourced_of(value, source, "thresholds." + name);
  }
  for (const char* name : {"deep_boxcar_min_depth_um", "narrow_boxcar_max_diameter_mm", "punch_min_spacing_mm",
                           "punch_min_weeks_between_sessions", "stage_gap_weeks", "same_day_offset_days",
                           "acne_control_review_weeks", "distress_referral_min", "distress_referral_max_grade",
                           "dark_skin_min_fitzpatrick", "isotretinoin_conservative_wait_months",
                           "hsv_valacyclovir_mg", "hsv_course_days", "priming_weeks",
                           "priming_hydroquinone_pct", "bdd_screen_sensitivity_pct", "bdd_screen_specificity_pct",
                           "keloid_recurrence_after_excision_pct", "hypertrophic_good_excellent_tac_5fu_pdl_pct",
                           "hypertrophic_good_excellent_tac_alone_pct", "isotretinoin_traditional_wait_months"}) {
    if (!kb.thresholds.count(name) || !kb.thresholds[name].value) fail(source, std::string("thresholds.") + name, "missing");
  }
  const json& stages = require(document, "stages", source, "");
  if (!stages.is_array()) fail(source, "stages", "must be a list of {id, goal}");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string path = "stages[" + std::to_string(i) + "].";
    check_keys(stages[i], {"id", "goal"}, source, path);
    kb.stages.push_back({string_of(require(stages[i], "id", source, path), source, path + "id"),
                         string_of(require(stages[i], "goal", source, path), source, path + "goal")});
  }
  kb.stages_evidence = evidence_of(require(document, "stages_evidence", source, ""), source, "stages_evidence");
  const json& first_line = require(document, "first_line", source, "");
  if (!first_line.is_object()) fail(source, "first_line", "must be an object keyed by scar class");
  for (const auto& [scar_class, list] : first_line.items()) {
    kb.first_line[scar_class] = strings_of(list, source, "first_line." + scar_class);
  }
  kb.first_line_evidence = evidence_of(require(document, "first_line_evidence", source, ""), source, "first_line_evidence");
  kb.resurfacing_preference =
      strings_of(require(document, "resurfacing_preference", source, ""), source, "resurfacing_preference");
  kb.resurfacing_preference_dark_skin = strings_of(require(document, "resurfacing_preference_dark_skin", source, ""),
                                                   source, "resurfacing_preference_dark_skin");
  kb.resurfacing_preference_evidence = evidence_of(require(document, "resurfacing_preference_evidence", source, ""),
                                                   source, "resurfacing_preference_evidence");
  kb.filler_preference = strings_of(require(document, "filler_preference", source, ""), source, "filler_preference");
  kb.filler_preference_evidence =
      evidence_of(require(document, "filler_preference_evidence", source, ""), source, "filler_preference_evidence");
  const json& pairs = require(document, "same_day_pairs", source, "");
  if (!pairs.is_array()) fail(source, "same_day_pairs", "must be a list of [modality, modality]");
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto pair = strings_of(pairs[i], source, "same_day_pairs[" + std::to_string(i) + "]");
    if (pair.size() != 2) fail(source, "same_day_pairs[" + std::to_string(i) + "]", "must name two modalities");
    kb.same_day_pairs.emplace_back(pair[0], pair[1]);
  }
  kb.same_day_pairs_evidence =
      evidence_of(require(document, "same_day_pairs_evidence", source, ""), source, "same_day_pairs_evidence");
  kb.keloid_prone_regions = strings_of(require(document, "keloid_prone_regions", source, ""), source, "keloid_prone_regions");
  kb.keloid_prone_regions_evidence = evidence_of(require(document, "keloid_prone_regions_evidence", source, ""), source,
                                                 "keloid_prone_regions_evidence");
  if (document.contains("perioral_regions")) {
    kb.perioral_regions = strings_of(document["perioral_regions"], source, "perioral_regions");
  }
  kb.pigment_priming_modalities = strings_of(require(document, "pigment_priming_modalities", source, ""), source,
                                             "pigment_priming_modalities");
  kb.pigment_priming_modalities_evidence = evidence_of(require(document, "pigment_priming_modalities_evidence", source, ""),
                                                       source, "pigment_priming_modalities_evidence");
  const json& rules = require(document, "rules", source, "");
  if (!rules.is_object()) fail(source, "rules", "must be an object keyed by rule id");
  for (const auto& [id, value] : rules.items()) {
    const std::string path = "rules." + id + ".";
    check_keys(value, {"title", "evidence"}, source, path);
    kb.rules[id] = {id, string_of(require(value, "title", source, path), source, path + "title"),
                    evidence_of(require(value, "evidence", source, path), source, path + "evidence")};
  }

  // Every modality named anywhere must exist, so a typo in a clinic file is an error, not a silent gap.
  const auto check_modality = [&](const std::string& id, const std::string& field) {
    if (!kb.modalities.count(id)) fail(source, field, "names unknown modality \"" + id + "\"");
  };
  for (const auto& [scar_class, list] : kb.first_line) {
    for (const auto& id : list) check_modality(id, "first_line." + scar_class);
  }
  for (const auto& id : kb.resurfacing_preference) check_modality(id, "resurfacing_preference");
  for (const auto& id : kb.resurfacing_preference_dark_skin) check_modality(id, "resurfacing_preference_dark_skin");
  for (const auto& id : kb.filler_preference) check_modality(id, "filler_preference");
  for (const auto& id : kb.pigment_priming_modalities) check_modality(id, "pigment_priming_modalities");
  for (const auto& [a, b] : kb.same_day_pairs) {
    check_modality(a, "same_day_pairs");
    check_modality(b, "same_day_pairs");
  }
  for (const auto& [id, modality] : kb.modalities) {
    if (kb.stage_index(modality.stage) < 0 && modality.stage != "psychological") {
      fail(source, "modalities." + id + ".stage", "\"" + modality.stage + "\" is not one of the kb stages");
    }
  }
  for (const char* id : {"acne_treatment_first", "psychological_counselling", "pigment_priming"}) check_modality(id, "modalities");
  return kb;
}

json knowledge_base_document(const json& treatments, const json& planning_rules, const std::string& source) {
  if (!treatments.is_object() || !planning_rules.is_object()) {
    throw InputError(source + ": treatments.json and planning_rules.json must be JSON objects", ErrorCode::wrong_type);
  }
  json document = treatments;
  for (const auto& [key, value] : planning_rules.items()) {
    if (document.contains(key)) {
      throw InputError(source + ": planning_rules.json: " + key + ": also defined in treatments.json", ErrorCode::bad_input, key);
    }
    document[key] = value;
  }
  return document;
}

json read_knowledge_base_document(const std::filesystem::path& kb_dir) {
  return knowledge_base_document(read_json_file(kb_dir / "treatments.json"), read_json_file(kb_dir / "planning_rules.json"),
                                 kb_dir.string());
}

KnowledgeBase knowledge_base_from_documents(const json& treatments, const json& planning_rules, const std::string& source) {
  const json document = knowledge_base_document(treatments, planning_rules, source);
  KnowledgeBase kb = knowledge_base_from_json(document, source);
  kb.source = source;
  kb.base_document = canonical_json(document);
  kb.sha256 = sha256_hex(kb.base_document);
  return kb;
}

KnowledgeBase load_knowledge_base(const std::filesystem::path& kb_dir) {
  return knowledge_base_from_documents(read_json_file(kb_dir / "treatments.json"),
                                       read_json_file(kb_dir / "planning_rules.json"), kb_dir.string());
}

KnowledgeBase with_clinic_override(const KnowledgeBase& base, const json& clinic_override, const std::string& source) {
  if (base.base_document.empty()) {
    throw std::logic_error("with_clinic_override: the base knowledge base was not built from its documents");
  }
  const JsonField layer(clinic_override, source);
  layer.expect_object("must be a JSON object");
  // The clinic's own keys are the layer's, not the kb's: they are taken out before the merge patch.
  json patch = clinic_override;
  patch.erase("available_modalities");
  patch.erase("clinic");
  json document = json::parse(base.base_document);
  document.merge_patch(patch);
  KnowledgeBase kb = knowledge_base_from_json(document, base.source + " + " + source);
  kb.source = base.source;
  kb.base_document = base.base_document;
  kb.sha256 = base.sha256;
  kb.clinic_sha256 = sha256_hex(canonical_json(clinic_override));
  if (const auto name = layer.optional("clinic")) kb.clinic_name = name->text("must be a string");
  if (const auto offered = layer.optional("available_modalities")) {
    std::set<std::string> modalities;
    for (const JsonField& id : offered->expect_array("must be a list of strings").elements()) {
      const std::string name = id.text("must be a string");
      if (!kb.modalities.count(name)) id.fail(ErrorCode::bad_input, "names unknown modality \"" + name + "\"");
      modalities.insert(name);
    }
    kb.clinic_modalities = modalities;
  }
  return kb;
}

KnowledgeBase load_knowledge_base(const std::filesystem::path& kb_dir, const std::filesystem::path& clinic_override_file) {
  return with_clinic_override(load_knowledge_base(kb_dir), read_json_file(clinic_override_file), clinic_override_file.string());
}

}  // namespace scarscope
