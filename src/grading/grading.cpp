// Grades an inventory with the tables and mapping rules of kb/grading.json. The code knows the
// shape of each scale (count bands times points, weight times band, most severe morphology);
// every number and every "this measured scar is that lesion type" is the knowledge base's.
#include "grading/grading.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "core/error.h"
#include "core/format.h"
#include "core/json_fields.h"
#include "core/sha256.h"

namespace scarscope {

namespace {

using nlohmann::json;

// A band of a table: a count (or an area) within its bounds gives `value`.
struct Band {
  std::optional<double> from, above, to, below;
  int value = 0;
  bool contains(double x) const {
    return (!from || x >= *from) && (!above || x > *above) && (!to || x <= *to) && (!below || x < *below);
  }
};

enum class Field { diameter_mm, depth_um, area_mm2, major_mm, minor_mm, elongation, age_months, normal_base, tethered, stretch_flattens };

struct Condition {
  Field field = Field::depth_um;
  std::string field_name;
  enum class Op { at_least, below, is } op = Op::at_least;
  double limit = 0.0;
  bool flag = false;
};

struct GradeRange {
  int low = 0, high = 0;
};

struct Rule {
  std::vector<Condition> when;
  std::string lesion;         // quantitative scales: the lesion type or item id
  std::string could_be;       // ECCA: the item an unknown clinician input could make it instead
  std::string missing_input;  // listed when this rule decides
  std::string reason;
  std::optional<GradeRange> grade, if_flattens, if_not_flattens;  // qualitative scale
};

using Mapping = std::map<ScarType, std::vector<Rule>>;

struct Row {
  std::string id, label, group, clinician_input;
  int points = 0;  // G&B points of the lesion type; ECCA weight
};

}  // namespace

struct GradingKnowledge::Tables {
  // Goodman & Baron quantitative
  std::string gbq_citation;
  int gbq_maximum = 0;
  std::vector<Band> gbq_multipliers;
  std::vector<Row> gbq_rows;
  Row gbq_hypertrophic;
  std::vector<Band> gbq_area_bands;
  Mapping gbq_mapping;
  // ECCA
  std::string ecca_citation;
  int ecca_maximum = 0;
  std::vector<Band> ecca_bands;
  std::vector<Row> ecca_rows;
  int elastolysis_present_band = 1;
  Mapping ecca_mapping;
  // Goodman & Baron qualitative
  std::string gbl_citation;
  std::map<int, std::string> levels;
  GradeRange macular_grade, papular_grade;
  std::string macular_reason, papular_reason;
  Mapping gbl_mapping;
};

namespace {

// ---------------------------------------------------------------- reading the knowledge base

class KbReader {
 public:
  // The named thresholds, which rules may give as limits.
  void read_thresholds(const JsonField& document) {
    const JsonField thresholds = document.required("thresholds");
    thresholds.expect_object("expected an object of named thresholds");
    for (const auto& [name, entry] : thresholds.members()) {
      const double value = entry.required("value").number("expected a number");
      // Every threshold says where it comes from (a citation, or that it is our own choice).
      const JsonField source = entry.required("source");
      if (source.text("expected text").empty()) source.fail(ErrorCode::out_of_range, "empty");
      thresholds_[name] = value;
    }
  }

  static int integer(const JsonField& value) {
    return static_cast<int>(value.integer_between(-1000000, 1000000, "expected a whole number"));
  }

  static std::string optional_text(const JsonField& object, std::string_view key) {
    const auto value = object.optional(key);
    return value ? value->text("expected text") : std::string();
  }

  double limit(const JsonField& value) const {
    if (value.is_string()) {
      const std::string name = value.text();
      const auto it = thresholds_.find(name);
      if (it == thresholds_.end()) value.fail(ErrorCode::bad_input, "'" + name + "' is not a threshold named under \"thresholds\"");
      return it->second;
    }
    return value.number("expected a number");
  }

  static std::vector<Band> bands(const JsonField& list) {
    if (!list.is_array() || list.value().empty()) list.fail(ErrorCode::wrong_type, "expected a list of bands");
    std::vector<Band> result;
    for (const JsonField& entry : list.elements()) {
      entry.expect_object("expected {\"from\": .., \"to\": .., \"value\": ..}");
      entry.reject_unknown({"from", "above", "to", "below", "value"}, "from, above, to, below, value");
      Band band;
      if (const auto v = entry.optional("from")) band.from = v->number("expected a number");
      if (const auto v = entry.optional("above")) band.above = v->number("expected a number");
      if (const auto v = entry.optional("to")) band.to = v->number("expected a number");
      if (const auto v = entry.optional("below")) band.below = v->number("expected a number");
      band.value = integer(entry.required("value"));
      result.push_back(band);
    }
    return result;
  }

  static GradeRange grade_range(const JsonField& value) {
    GradeRange range;
    if (value.is_array() && value.value().size() == 2) {
      const auto both = value.elements();
      range = {integer(both[0]), integer(both[1])};
    } else {
      range.low = range.high = integer(value);
    }
    if (range.low < 1 || range.high > 4 || range.low > range.high) value.fail(ErrorCode::out_of_range, "a grade is 1 to 4 (or [low, high])");
    return range;
  }

  Condition condition(const JsonField& entry) const {
    static const std::map<std::string, Field> fields{
        {"diameter_mm", Field::diameter_mm}, {"depth_um", Field::depth_um},     {"area_mm2", Field::area_mm2},
        {"major_mm", Field::major_mm},       {"minor_mm", Field::minor_mm},     {"elongation", Field::elongation},
        {"age_months", Field::age_months},   {"normal_base", Field::normal_base}, {"tethered", Field::tethered},
        {"stretch_flattens", Field::stretch_flattens}};
    Condition condition;
    const JsonField name = entry.required("field");
    condition.field_name = name.text("expected text");
    const auto field = fields.find(condition.field_name);
    if (field == fields.end()) {
      name.fail(ErrorCode::bad_input, "'" + condition.field_name +
                                          "' is not a field rules can test (diameter_mm, depth_um, area_mm2, major_mm, minor_mm, "
                                          "elongation, age_months, normal_base, tethered, stretch_flattens)");
    }
    condition.field = field->second;
    const bool boolean = condition.field == Field::normal_base || condition.field == Field::tethered ||
                         condition.field == Field::stretch_flattens;
    if (entry.has("at_least")) {
      condition.op = Condition::Op::at_least;
      condition.limit = limit(entry.member("at_least"));
    } else if (entry.has("below")) {
      condition.op = Condition::Op::below;
      condition.limit = limit(entry.member("below"));
    } else if (entry.has("is")) {
      condition.op = Condition::Op::is;
      condition.flag = entry.member("is").boolean("expected true or false");
    } else {
      entry.fail(ErrorCode::missing_field, "needs \"at_least\", \"below\" or \"is\"");
    }
    if (boolean != (condition.op == Condition::Op::is)) {
      entry.fail(ErrorCode::bad_input, boolean ? condition.field_name + " is true or false: use \"is\""
                                               : condition.field_name + " is a number: use \"at_least\" or \"below\"");
    }
    return condition;
  }

  // `lesions`: the ids a rule may name (empty for the qualitative scale, whose rules give grades).
  Mapping mapping(const JsonField& object, const std::set<std::string>& lesions) const {
    Mapping result;
    object.expect_object("expected {\"ice_pick\": [rules], ...}");
    for (const ScarType type : all_scar_types()) {
      const JsonField rules = object.required(scar_type_name(type));
      if (!rules.is_array() || rules.value().empty()) rules.fail(ErrorCode::wrong_type, "expected a non-empty list of rules");
      for (const JsonField& entry : rules.elements()) {
        entry.expect_object("expected a rule object");
        Rule rule;
        if (const auto when = entry.optional("when")) {
          for (const JsonField& condition_entry : when->expect_array("expected a list of conditions").elements()) {
            rule.when.push_back(condition(condition_entry));
          }
        }
        rule.reason = optional_text(entry, "reason");
        rule.missing_input = optional_text(entry, "missing_input");
        if (lesions.empty()) {
          if (entry.has("grade")) {
            rule.grade = grade_range(entry.member("grade"));
          } else if (entry.has("grade_if_flattens") && entry.has("grade_if_not_flattens")) {
            rule.if_flattens = grade_range(entry.member("grade_if_flattens"));
            rule.if_not_flattens = grade_range(entry.member("grade_if_not_flattens"));
          } else {
            entry.fail(ErrorCode::missing_field, "needs \"grade\", or \"grade_if_flattens\" and \"grade_if_not_flattens\"");
          }
        } else {
          const JsonField lesion = entry.required("lesion");
          rule.lesion = lesion.text("expected text");
          if (lesions.count(rule.lesion) == 0) lesion.fail(ErrorCode::bad_input, "'" + rule.lesion + "' is not a lesion type of this scale");
          rule.could_be = optional_text(entry, "could_be");
          if (!rule.could_be.empty() && lesions.count(rule.could_be) == 0) {
            entry.member("could_be").fail(ErrorCode::bad_input, "'" + rule.could_be + "' is not a lesion type of this scale");
          }
        }
        result[type].push_back(std::move(rule));
      }
      if (!result[type].back().when.empty()) {
        rules.fail(ErrorCode::bad_input, "the last rule must have no conditions (it decides when nothing else does)");
      }
    }
    return result;
  }

  static std::vector<Row> rows(const JsonField& list, const char* points_key, bool grouped) {
    if (!list.is_array() || list.value().empty()) list.fail(ErrorCode::wrong_type, "expected a list");
    std::vector<Row> result;
    std::set<std::string> ids;
    for (const JsonField& entry : list.elements()) {
      Row row;
      const JsonField id = entry.required("id");
      row.id = id.text("expected text");
      if (!ids.insert(row.id).second) id.fail(ErrorCode::bad_input, "'" + row.id + "' appears twice");
      row.label = entry.required("label").text("expected text");
      const JsonField points = entry.required(points_key);
      row.points = integer(points);
      if (row.points < 0) points.fail(ErrorCode::out_of_range, "negative");
      if (grouped) row.group = entry.required("group").text("expected text");
      row.clinician_input = optional_text(entry, "clinician_input");
      result.push_back(row);
    }
    return result;
  }

 private:
  std::map<std::string, double> thresholds_;
};

int max_value(const std::vector<Band>& bands) {
  int best = 0;
  for (const Band& band : bands) best = std::max(best, band.value);
  return best;
}

std::optional<int> band_value(const std::vector<Band>& bands, double x) {
  for (const Band& band : bands) {
    if (band.contains(x)) return band.value;
  }
  return std::nullopt;
}

std::set<std::string> ids_of(const std::vector<Row>& rows) {
  std::set<std::string> ids;
  for (const Row& row : rows) ids.insert(row.id);
  return ids;
}

const Row* row_for_input(const std::vector<Row>& rows, const std::string& clinician_input) {
  for (const Row& row : rows) {
    if (row.clinician_input == clinician_input) return &row;
  }
  return nullptr;
}

}  // namespace

GradingKnowledge grading_knowledge_from_json(const json& document, const std::string& source_name) {
  KbReader kb;
  const JsonField root(document, source_name);
  root.expect_object("expected a JSON object");
  auto tables = std::make_shared<GradingKnowledge::Tables>();
  kb.read_thresholds(root);

  {
    const JsonField scale = root.required("goodman_baron_quantitative");
    tables->gbq_citation = scale.required("citation").text("expected text");
    const JsonField maximum_field = scale.required("maximum");
    tables->gbq_maximum = KbReader::integer(maximum_field);
    tables->gbq_multipliers = KbReader::bands(scale.required("count_multipliers"));
    const JsonField lesion_types = scale.required("lesion_types");
    tables->gbq_rows = KbReader::rows(lesion_types, "points", true);
    const JsonField hyper = scale.required("hypertrophic");
    tables->gbq_hypertrophic.id = hyper.required("id").text("expected text");
    tables->gbq_hypertrophic.group = KbReader::optional_text(hyper, "group");
    tables->gbq_hypertrophic.label = hyper.required("label").text("expected text");
    tables->gbq_area_bands = KbReader::bands(hyper.required("area_bands_cm2"));
    std::set<std::string> lesions = ids_of(tables->gbq_rows);
    lesions.insert(tables->gbq_hypertrophic.id);
    tables->gbq_mapping = kb.mapping(scale.required("mapping"), lesions);
    for (const char* input : {"macular_scars", "papular_scars"}) {
      if (row_for_input(tables->gbq_rows, input) == nullptr) {
        lesion_types.fail(ErrorCode::missing_field, std::string("no row has \"clinician_input\": \"") + input + "\"");
      }
    }
    int maximum = max_value(tables->gbq_area_bands);
    for (const Row& row : tables->gbq_rows) maximum += row.points * max_value(tables->gbq_multipliers);
    if (maximum != tables->gbq_maximum) {
      maximum_field.fail(ErrorCode::bad_input,
                         std::to_string(tables->gbq_maximum) + " but the table adds up to " + std::to_string(maximum));
    }
  }
  {
    const JsonField scale = root.required("ecca");
    tables->ecca_citation = scale.required("citation").text("expected text");
    const JsonField maximum_field = scale.required("maximum");
    tables->ecca_maximum = KbReader::integer(maximum_field);
    tables->ecca_bands = KbReader::bands(scale.required("count_bands"));
    const JsonField items = scale.required("items");
    tables->ecca_rows = KbReader::rows(items, "weight", false);
    tables->elastolysis_present_band = KbReader::integer(scale.required("elastolysis_present_band").required("value"));
    tables->ecca_mapping = kb.mapping(scale.required("mapping"), ids_of(tables->ecca_rows));
    if (row_for_input(tables->ecca_rows, "superficial_elastolysis") == nullptr) {
      items.fail(ErrorCode::missing_field, "no item has \"clinician_input\": \"superficial_elastolysis\"");
    }
    int maximum = 0;
    for (const Row& row : tables->ecca_rows) maximum += row.points * max_value(tables->ecca_bands);
    if (maximum != tables->ecca_maximum) {
      maximum_field.fail(ErrorCode::bad_input,
                         std::to_string(tables->ecca_maximum) + " but the table adds up to " + std::to_string(maximum));
    }
  }
  {
    const JsonField scale = root.required("goodman_baron_qualitative");
    tables->gbl_citation = scale.required("citation").text("expected text");
    const JsonField levels = scale.required("levels");
    for (int grade = 1; grade <= 4; ++grade) tables->levels[grade] = levels.required(std::to_string(grade)).text("expected text");
    const JsonField findings = scale.required("clinician_findings");
    const JsonField macular = findings.required("macular");
    const JsonField papular = findings.required("papular");
    tables->macular_grade = KbReader::grade_range(macular.required("grade"));
    tables->papular_grade = KbReader::grade_range(papular.required("grade"));
    tables->macular_reason = KbReader::optional_text(macular, "reason");
    tables->papular_reason = KbReader::optional_text(papular, "reason");
    tables->gbl_mapping = kb.mapping(scale.required("mapping"), {});
  }

  GradingKnowledge knowledge;
  knowledge.source = std::filesystem::path(source_name).filename().string();
  if (const auto version = root.optional("version"); version && version->is_string()) knowledge.version = version->text();
  knowledge.sha256 = sha256_hex(canonical_json(document));
  knowledge.tables = std::move(tables);
  return knowledge;
}

GradingKnowledge load_grading_knowledge(const std::filesystem::path& path) {
  return grading_knowledge_from_json(read_json_file(path), path.string());
}

const char* grade_basis_name(GradeBasis basis) {
  switch (basis) {
    case GradeBasis::three_d_only: return "3d_only";
    case GradeBasis::clinician_only: return "clinician_only";
    case GradeBasis::three_d_plus_clinician: return "3d_plus_clinician";
  }
  return "unknown";
}

GradeBasis parse_grade_basis(const std::string& name) {
  for (const GradeBasis basis : {GradeBasis::three_d_only, GradeBasis::clinician_only, GradeBasis::three_d_plus_clinician}) {
    if (name == grade_basis_name(basis)) return basis;
  }
  throw InputError("'" + name + "' is not a basis (3d_only, clinician_only, 3d_plus_clinician)", ErrorCode::bad_input);
}

std::string QualitativeGrade::value_text() const {
  if (low == high) return std::to_string(low);
  return std::to_string(low) + "-" + std::to_string(high);
}

namespace {

// ---------------------------------------------------------------- classifying one scar

// What is known about one scar (or one hand-counted scar, which has only a type).
struct ScarFacts {
  const Scar* scar = nullptr;  // null for a hand-counted scar
  ScarType type = ScarType::boxcar;
  std::optional<bool> stretch_flattens, normal_base, tethered;
  std::optional<double> age_months;
};

enum class Truth { yes, no, unknown };

struct Classified {
  const Rule* rule = nullptr;
  std::set<std::string> missing;   // missing inputs that made an earlier rule undecidable, and the rule's own
  std::set<std::string> notes;     // "depth not measured", ...
};

struct Measurement {
  std::optional<double> value;
  bool lower_bound = false;
  std::string unknown_note;
};

Measurement measure(const ScarFacts& facts, Field field) {
  const Scar* scar = facts.scar;
  auto measured = [&](ScarMeasure name, double value, const char* note) -> Measurement {
    if (scar == nullptr || !scar->measured(name)) return {std::nullopt, false, note};
    return {value, false, ""};
  };
  switch (field) {
    case Field::diameter_mm: return measured(ScarMeasure::diameter_mm, scar ? scar->diameter_mm : 0, "diameter not measured");
    case Field::area_mm2: return measured(ScarMeasure::area_mm2, scar ? scar->area_mm2 : 0, "area not measured");
    case Field::major_mm: return measured(ScarMeasure::major_mm, scar ? scar->major_mm : 0, "length not measured");
    case Field::minor_mm: return measured(ScarMeasure::minor_mm, scar ? scar->minor_mm : 0, "width not measured");
    case Field::depth_um: {
      const char* what = facts.type == ScarType::hypertrophic ? "height not measured" : "depth not measured";
      Measurement m = measured(ScarMeasure::depth_um, scar ? scar->depth_um : 0, what);
      if (m.value && scar->depth_is_lower_bound) {
        m.lower_bound = true;
        m.unknown_note = "depth only a lower bound (floor not seen)";
      }
      return m;
    }
    case Field::elongation: {
      if (scar == nullptr || !scar->measured(ScarMeasure::major_mm) || !scar->measured(ScarMeasure::minor_mm) || scar->minor_mm <= 0) {
        return {std::nullopt, false, "length and width not measured"};
      }
      return {scar->major_mm / scar->minor_mm, false, ""};
    }
    case Field::age_months: return {facts.age_months, false, ""};
    default: return {};
  }
}

bool is_clinician_field(Field field) {
  return field == Field::age_months || field == Field::normal_base || field == Field::tethered ||
         field == Field::stretch_flattens;
}

// Tests one condition; `note` says why it is unknown, if it is.
Truth evaluate(const Condition& condition, const ScarFacts& facts, std::string& note) {
  if (condition.op == Condition::Op::is) {
    std::optional<bool> value;
    if (condition.field == Field::normal_base) value = facts.normal_base;
    if (condition.field == Field::tethered) value = facts.tethered;
    if (condition.field == Field::stretch_flattens) value = facts.stretch_flattens;
    if (!value) return Truth::unknown;
    return *value == condition.flag ? Truth::yes : Truth::no;
  }
  const Measurement m = measure(facts, condition.field);
  if (!m.value) {
    note = m.unknown_note;
    return Truth::unknown;
  }
  const bool at_least = *m.value >= condition.limit;
  if (m.lower_bound) {
    // The true value is at least the measured one: "at least" can be confirmed, "below" only refuted.
    if (at_least) return condition.op == Condition::Op::at_least ? Truth::yes : Truth::no;
    note = m.unknown_note;
    return Truth::unknown;
  }
  if (condition.op == Condition::Op::at_least) return at_least ? Truth::yes : Truth::no;
  return at_least ? Truth::no : Truth::yes;
}

Classified classify(const std::vector<Rule>& rules, const ScarFacts& facts) {
  Classified result;
  for (const Rule& rule : rules) {
    bool refuted = false;
    std::vector<std::pair<const Condition*, std::string>> unknowns;
    for (const Condition& condition : rule.when) {
      std::string note;
      const Truth truth = evaluate(condition, facts, note);
      if (truth == Truth::no) {
        refuted = true;
        break;
      }
      if (truth == Truth::unknown) unknowns.emplace_back(&condition, note);
    }
    if (refuted) continue;
    if (unknowns.empty()) {
      result.rule = &rule;
      if (!rule.missing_input.empty()) result.missing.insert(rule.missing_input);
      return result;
    }
    // Could have applied had we known more: a missing measurement makes the result an estimate.
    // (A clinician finding that was not given is named by the rule used instead.)
    for (const auto& [condition, note] : unknowns) {
      if (!is_clinician_field(condition->field)) {
        result.missing.insert("scar_measurements");
        if (!note.empty()) result.notes.insert(note);
      }
    }
  }
  return result;  // unreachable with a checked knowledge base (the last rule has no conditions)
}

// ---------------------------------------------------------------- gathering the facts

struct Subject {
  ScarFacts facts;
  std::string source;  // "3d", "clinician", "3d_plus_clinician"
  int count = 1;       // >1 for hand-counted scars of one type
  std::string what;    // "scar 3 (boxcar)" / "4 hand-counted boxcar scars"
};

std::vector<Subject> subjects_of(const ScarInventory& inventory, const ClinicianInputs* clinician) {
  std::vector<Subject> subjects;
  const std::optional<bool> global_stretch = clinician ? clinician->stretch_flattens : std::nullopt;
  for (const Scar& scar : inventory.scars) {
    Subject subject;
    subject.facts.scar = &scar;
    subject.facts.type = scar.type;
    subject.facts.stretch_flattens = global_stretch;
    if (clinician) {
      if (const auto it = clinician->scars.find(scar.id); it != clinician->scars.end()) {
        if (it->second.stretch_flattens) subject.facts.stretch_flattens = it->second.stretch_flattens;
        subject.facts.normal_base = it->second.normal_base;
        subject.facts.tethered = it->second.tethered;
      }
      if (const auto age = clinician->hypertrophic_age_months.find(scar.id); age != clinician->hypertrophic_age_months.end()) {
        subject.facts.age_months = age->second;
      } else {
        subject.facts.age_months = clinician->hypertrophic_age_months_all;
      }
    }
    if (inventory.hand_count) {
      subject.source = "clinician";
    } else {
      subject.source = scar.corrected_by_clinician.empty() ? "3d" : "3d_plus_clinician";
    }
    subject.what = "scar " + std::to_string(scar.id) + " (" + scar_type_name(scar.type) + ")";
    subjects.push_back(subject);
  }
  for (const ScarType type : all_scar_types()) {
    const int count = inventory.unlisted.of(type);
    if (count == 0) continue;
    Subject subject;
    subject.facts.type = type;
    subject.facts.stretch_flattens = global_stretch;
    if (clinician) subject.facts.age_months = clinician->hypertrophic_age_months_all;
    subject.source = "clinician";
    subject.count = count;
    subject.what = std::to_string(count) + " hand-counted " + scar_type_name(type) + " scar" + (count == 1 ? "" : "s");
    subjects.push_back(subject);
  }
  return subjects;
}

std::string combined_source(const std::set<std::string>& sources) {
  if (sources.empty()) return "";
  if (sources.size() == 1) return *sources.begin();
  return "3d_plus_clinician";
}

struct RowTally {
  int count = 0;
  int unlisted = 0;
  double area_cm2 = 0.0;
  std::vector<int> scar_ids;
  std::set<std::string> sources;
  std::set<std::string> notes;
};

void tally(RowTally& row, const Subject& subject, const Classified& classified) {
  row.count += subject.count;
  if (subject.facts.scar) {
    row.scar_ids.push_back(subject.facts.scar->id);
  } else {
    row.unlisted += subject.count;
  }
  row.sources.insert(subject.source);
  for (const std::string& note : classified.notes) row.notes.insert(subject.what + ": " + note);
  if (classified.rule && !classified.rule->missing_input.empty() && !classified.rule->reason.empty()) {
    row.notes.insert(subject.what + ": " + classified.rule->reason);
  }
}

GradeItem item_from(const Row& row, const RowTally& tally) {
  GradeItem item;
  item.id = row.id;
  item.label = row.label;
  item.group = row.group;
  item.count = tally.count;
  item.points_each = row.points;
  item.source = combined_source(tally.sources);
  item.scar_ids = tally.scar_ids;
  item.unlisted = tally.unlisted;
  item.notes.assign(tally.notes.begin(), tally.notes.end());
  return item;
}

void add_missing(std::vector<std::string>& list, const std::string& input) {
  if (std::find(list.begin(), list.end(), input) == list.end()) list.push_back(input);
}

// ---------------------------------------------------------------- the three scales

ScaleGrade goodman_baron_quantitative(const std::vector<Subject>& subjects, const ClinicianInputs* clinician,
                                      const GradingKnowledge::Tables& kb) {
  ScaleGrade grade;
  grade.maximum = kb.gbq_maximum;
  std::map<std::string, RowTally> tallies;
  std::set<std::string> missing;
  double hypertrophic_area_cm2 = 0.0;
  for (const Subject& subject : subjects) {
    const Classified classified = classify(kb.gbq_mapping.at(subject.facts.type), subject.facts);
    missing.insert(classified.missing.begin(), classified.missing.end());
    RowTally& row = tallies[classified.rule->lesion];
    tally(row, subject, classified);
    if (classified.rule->lesion == kb.gbq_hypertrophic.id) {
      if (subject.facts.scar && subject.facts.scar->measured(ScarMeasure::area_mm2)) {
        hypertrophic_area_cm2 += subject.facts.scar->area_mm2 / 100.0;  // 1 cm² = 100 mm²
      } else {
        missing.insert("scar_measurements");
        row.notes.insert(subject.what + ": area not measured (counted as 0 cm²)");
      }
    }
  }
  // What only a clinician sees.
  for (const char* input : {"macular_scars", "papular_scars"}) {
    const Row* row = row_for_input(kb.gbq_rows, input);
    const std::optional<int> count = !clinician ? std::nullopt
                                     : std::string(input) == "macular_scars" ? clinician->macular_total()
                                                                             : clinician->papular_scars;
    if (!count) {
      missing.insert(input);
      continue;
    }
    RowTally& tally = tallies[row->id];
    tally.count += *count;
    tally.unlisted += *count;
    if (*count > 0) tally.sources.insert("clinician");
  }

  for (const Row& row : kb.gbq_rows) {
    const RowTally& tally = tallies[row.id];
    GradeItem item = item_from(row, tally);
    item.band = tally.count > 0 ? band_value(kb.gbq_multipliers, tally.count).value_or(0) : 0;
    item.points = item.band * row.points;
    grade.value += item.points;
    grade.items.push_back(std::move(item));
  }
  const RowTally& hyper = tallies[kb.gbq_hypertrophic.id];
  GradeItem item = item_from(kb.gbq_hypertrophic, hyper);
  item.area_cm2 = hypertrophic_area_cm2;
  if (hyper.count > 0) {
    item.points_each = band_value(kb.gbq_area_bands, hypertrophic_area_cm2).value_or(0);
    for (std::size_t i = 0; i < kb.gbq_area_bands.size(); ++i) {
      if (kb.gbq_area_bands[i].contains(hypertrophic_area_cm2)) {
        item.band = static_cast<int>(i) + 1;
        break;
      }
    }
    item.points = item.points_each;
  }
  grade.value += item.points;
  grade.items.push_back(std::move(item));
  // A stable order for the list: the order in which the scale's inputs are usually asked for.
  for (const char* input : {"macular_scars", "papular_scars", "scar_measurements"}) {
    if (missing.count(input)) add_missing(grade.missing_inputs, input);
  }
  for (const std::string& input : missing) add_missing(grade.missing_inputs, input);
  return grade;
}

int ecca_total(const std::map<std::string, int>& counts, const GradingKnowledge::Tables& kb) {
  int total = 0;
  for (const Row& row : kb.ecca_rows) {
    const auto it = counts.find(row.id);
    const int count = it == counts.end() ? 0 : it->second;
    total += row.points * band_value(kb.ecca_bands, count).value_or(0);
  }
  return total;
}

ScaleGrade ecca(const std::vector<Subject>& subjects, const ClinicianInputs* clinician, const GradingKnowledge::Tables& kb) {
  ScaleGrade grade;
  grade.maximum = kb.ecca_maximum;
  std::map<std::string, RowTally> tallies;
  std::set<std::string> missing;
  // Scars whose item an unknown clinician input could change: (from, to) -> how many.
  std::map<std::pair<std::string, std::string>, int> uncertain;
  for (const Subject& subject : subjects) {
    const Classified classified = classify(kb.ecca_mapping.at(subject.facts.type), subject.facts);
    missing.insert(classified.missing.begin(), classified.missing.end());
    tally(tallies[classified.rule->lesion], subject, classified);
    if (!classified.rule->could_be.empty()) uncertain[{classified.rule->lesion, classified.rule->could_be}] += subject.count;
  }
  const Row* elastolysis = row_for_input(kb.ecca_rows, "superficial_elastolysis");
  std::optional<int> elastolysis_band;
  if (clinician && clinician->superficial_elastolysis_count) {
    tallies[elastolysis->id].count = *clinician->superficial_elastolysis_count;
    tallies[elastolysis->id].unlisted = *clinician->superficial_elastolysis_count;
  } else if (clinician && clinician->superficial_elastolysis) {
    elastolysis_band = *clinician->superficial_elastolysis ? kb.elastolysis_present_band : 0;
  } else {
    missing.insert("superficial_elastolysis");
  }
  if (clinician && (clinician->superficial_elastolysis || clinician->superficial_elastolysis_count)) {
    tallies[elastolysis->id].sources.insert("clinician");
  }

  std::map<std::string, int> counts;
  for (const Row& row : kb.ecca_rows) {
    const RowTally& tally = tallies[row.id];
    GradeItem item = item_from(row, tally);
    if (&row == elastolysis && elastolysis_band) {
      item.band = *elastolysis_band;
      item.notes.push_back(*elastolysis_band > 0 ? "present (no count given): scored as band " + std::to_string(*elastolysis_band)
                                                 : "absent");
    } else {
      item.band = band_value(kb.ecca_bands, tally.count).value_or(0);
    }
    counts[row.id] = tally.count;
    item.points = item.band * row.points;
    grade.value += item.points;
    grade.items.push_back(std::move(item));
  }
  // The range over every way the undecided scars could split between their two items.
  int low = grade.value, high = grade.value;
  for (const auto& [move, n] : uncertain) {
    for (int k = 1; k <= n; ++k) {
      std::map<std::string, int> alternative = counts;
      alternative[move.first] -= k;
      alternative[move.second] += k;
      int total = ecca_total(alternative, kb);
      if (elastolysis_band) total += elastolysis->points * *elastolysis_band;
      low = std::min(low, total);
      high = std::max(high, total);
    }
  }
  if (high != low) {
    grade.value = low;
    grade.value_high = high;
  }
  for (const std::string& input : missing) add_missing(grade.missing_inputs, input);
  return grade;
}

QualitativeGrade goodman_baron_qualitative(const std::vector<Subject>& subjects, const ClinicianInputs* clinician,
                                           const GradingKnowledge::Tables& kb) {
  struct Candidate {
    QualitativeFinding finding;
    std::set<std::string> missing;
  };
  std::vector<Candidate> candidates;
  for (const Subject& subject : subjects) {
    const Classified classified = classify(kb.gbl_mapping.at(subject.facts.type), subject.facts);
    const Rule& rule = *classified.rule;
    Candidate candidate;
    candidate.missing = classified.missing;
    GradeRange range;
    std::string reason = rule.reason;
    if (rule.grade) {
      range = *rule.grade;
    } else if (subject.facts.stretch_flattens) {
      range = *subject.facts.stretch_flattens ? *rule.if_flattens : *rule.if_not_flattens;
      reason += *subject.facts.stretch_flattens ? " (flattens on stretching, clinician)" : " (does not flatten on stretching, clinician)";
    } else {
      range = {std::min(rule.if_flattens->low, rule.if_not_flattens->low), std::max(rule.if_flattens->high, rule.if_not_flattens->high)};
      if (range.low != range.high) candidate.missing.insert("stretch_test");
    }
    for (const std::string& note : classified.notes) reason += "; " + note;
    if (subject.facts.scar) candidate.finding.scar_id = subject.facts.scar->id;
    candidate.finding.what = subject.what;
    candidate.finding.low = range.low;
    candidate.finding.high = range.high;
    candidate.finding.reason = reason;
    candidates.push_back(std::move(candidate));
  }
  auto clinician_finding = [&](const std::optional<int>& count, const char* what, GradeRange grade, const std::string& reason) {
    if (!count || *count == 0) return;
    Candidate candidate;
    candidate.finding.what = std::to_string(*count) + " " + what + " (clinician)";
    candidate.finding.low = grade.low;
    candidate.finding.high = grade.high;
    candidate.finding.reason = reason;
    candidates.push_back(std::move(candidate));
  };
  clinician_finding(clinician ? clinician->macular_total() : std::nullopt, "macular scars", kb.macular_grade, kb.macular_reason);
  clinician_finding(clinician ? clinician->papular_scars : std::nullopt, "papular scars", kb.papular_grade, kb.papular_reason);

  QualitativeGrade grade;
  for (const Candidate& candidate : candidates) {
    grade.low = std::max(grade.low, candidate.finding.low);
    grade.high = std::max(grade.high, candidate.finding.high);
  }
  std::set<std::string> missing;
  for (const Candidate& candidate : candidates) {
    // A finding matters if it could raise the grade above its lower end.
    if (candidate.finding.high > grade.low) missing.insert(candidate.missing.begin(), candidate.missing.end());
  }
  if (!(clinician && clinician->macular_total()) && grade.high < kb.macular_grade.high) missing.insert("macular_scars");
  if (!(clinician && clinician->papular_scars) && grade.high < kb.papular_grade.high) missing.insert("papular_scars");
  for (const char* input : {"stretch_test", "macular_scars", "papular_scars"}) {
    if (missing.count(input)) add_missing(grade.missing_inputs, input);
  }
  for (const std::string& input : missing) add_missing(grade.missing_inputs, input);

  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(b.finding.high, b.finding.low) < std::tie(a.finding.high, a.finding.low);
  });
  // Keep what decides the grade: the findings at its level, and when it is a range, those that could raise it.
  for (const Candidate& candidate : candidates) {
    const QualitativeFinding& finding = candidate.finding;
    const bool decides = grade.low == grade.high ? finding.low == grade.low : (finding.high > grade.low || finding.low == grade.low);
    if (grade.high > 0 && decides) grade.findings.push_back(finding);
  }
  if (grade.high == 0) {
    grade.level = "no scarring found";
  } else if (grade.low == grade.high) {
    grade.level = kb.levels.at(grade.high);
  } else {
    grade.level = kb.levels.at(std::max(grade.low, 1)) + " to " + kb.levels.at(grade.high);
  }
  return grade;
}

std::string format(double value, int decimals) { return fixed_decimal(value, decimals); }

}  // namespace

Grades grade_inventory(const ScarInventory& original, const ClinicianInputs* clinician, const GradingKnowledge& knowledge) {
  if (!knowledge.tables) throw InputError("grading: no knowledge base loaded", ErrorCode::missing_field, "knowledge_base");
  const GradingKnowledge::Tables& kb = *knowledge.tables;
  const bool clinician_given = clinician != nullptr && !clinician->empty();
  const ScarInventory inventory = clinician_given ? apply_corrections(original, *clinician) : original;
  if (clinician) {
    for (const auto& [id, months] : clinician->hypertrophic_age_months) {
      const auto it = std::find_if(inventory.scars.begin(), inventory.scars.end(), [id = id](const Scar& scar) { return scar.id == id; });
      if (it == inventory.scars.end()) {
        throw InputError("clinician inputs: hypertrophic_age_months." + std::to_string(id) + ": the inventory has no scar " +
                             std::to_string(id),
                         ErrorCode::bad_input, "hypertrophic_age_months." + std::to_string(id));
      }
    }
  }

  const std::vector<Subject> subjects = subjects_of(inventory, clinician_given ? clinician : nullptr);
  const ClinicianInputs* inputs = clinician_given ? clinician : nullptr;
  Grades grades;
  grades.goodman_baron_quantitative = goodman_baron_quantitative(subjects, inputs, kb);
  grades.ecca = ecca(subjects, inputs, kb);
  grades.goodman_baron_qualitative = goodman_baron_qualitative(subjects, inputs, kb);

  const GradeBasis basis = inventory.hand_count ? GradeBasis::clinician_only
                           : clinician_given    ? GradeBasis::three_d_plus_clinician
                                                : GradeBasis::three_d_only;
  const std::optional<double> coverage = inventory.hand_count ? std::nullopt : std::optional<double>(inventory.coverage_cm2);
  for (ScaleGrade* scale : {&grades.goodman_baron_quantitative, &grades.ecca}) {
    scale->basis = basis;
    scale->coverage_cm2 = coverage;
  }
  grades.goodman_baron_qualitative.basis = basis;
  grades.goodman_baron_qualitative.coverage_cm2 = coverage;
  grades.goodman_baron_quantitative.citation = kb.gbq_citation;
  grades.ecca.citation = kb.ecca_citation;
  grades.goodman_baron_qualitative.citation = kb.gbl_citation;
  grades.knowledge = knowledge.identity();

  if (inventory.hand_count) {
    grades.notes.push_back("From a clinician's count, not a 3D scan.");
  } else {
    const std::size_t scans = inventory.scans.size();
    grades.notes.push_back("Counted over " + format(inventory.coverage_cm2, 1) + " cm² of scanned skin" +
                           (scans > 1 ? " (" + std::to_string(scans) + " scans)" : "") +
                           ". The scales were made for a whole face examined by a clinician: these grades describe the "
                           "scanned skin only and are estimates, not whole-face clinical scores.");
  }
  if (clinician) {
    for (const auto& [id, months] : clinician->hypertrophic_age_months) {
      for (const Scar& scar : inventory.scars) {
        if (scar.id == id && scar.type != ScarType::hypertrophic) {
          grades.notes.push_back("hypertrophic_age_months." + std::to_string(id) + " ignored: scar " + std::to_string(id) +
                                 " is " + scar_type_name(scar.type));
        }
      }
    }
  }
  for (const std::string& warning : inventory.warnings) grades.notes.push_back(warning);
  return grades;
}

namespace {

json item_to_json(const GradeItem& item, bool ecca_scale) {
  json object = {{"id", item.id}, {"label", item.label}};
  if (!item.group.empty()) object["group"] = item.group;
  object["count"] = item.count;
  if (item.area_cm2) object["area_cm2"] = *item.area_cm2;
  object["band"] = item.band;
  object[ecca_scale ? "weight" : "points_each"] = item.points_each;
  object["points"] = item.points;
  object["source"] = item.source.empty() ? json(nullptr) : json(item.source);
  object["scar_ids"] = item.scar_ids;
  if (item.unlisted > 0) object["unlisted"] = item.unlisted;
  if (!item.notes.empty()) object["notes"] = item.notes;
  return object;
}

std::string basis_label(GradeBasis basis, const std::optional<double>& coverage, bool missing) {
  const std::string area = coverage ? " (" + format(*coverage, 1) + " cm²)" : "";
  switch (basis) {
    case GradeBasis::three_d_only: return "estimate from 3D scan" + area;
    case GradeBasis::three_d_plus_clinician:
      return missing ? "estimate from 3D scan" + area + " with clinician inputs" : "3D scan" + area + " with clinician inputs";
    case GradeBasis::clinician_only: return "clinician's count";
  }
  return "";
}

json scale_to_json(const ScaleGrade& grade, bool ecca_scale) {
  json object = {{"value", grade.value}, {"maximum", grade.maximum}};
  if (grade.value_high) object["value_high"] = *grade.value_high;
  object["basis"] = grade_basis_name(grade.basis);
  object["coverage_cm2"] = grade.coverage_cm2 ? json(*grade.coverage_cm2) : json(nullptr);
  object["missing_inputs"] = grade.missing_inputs;
  object["label"] = basis_label(grade.basis, grade.coverage_cm2, !grade.missing_inputs.empty());
  json items = json::array();
  for (const GradeItem& item : grade.items) items.push_back(item_to_json(item, ecca_scale));
  object["items"] = std::move(items);
  object["citation"] = grade.citation;
  return object;
}

}  // namespace

json grades_to_json(const Grades& grades) {
  const QualitativeGrade& qualitative = grades.goodman_baron_qualitative;
  json value = qualitative.low == qualitative.high ? json(qualitative.low) : json(qualitative.value_text());
  json findings = json::array();
  for (const QualitativeFinding& finding : qualitative.findings) {
    json entry = {{"what", finding.what}, {"low", finding.low}, {"high", finding.high}, {"reason", finding.reason}};
    if (finding.scar_id) entry["scar_id"] = *finding.scar_id;
    findings.push_back(std::move(entry));
  }
  json result = {
      {"goodman_baron_quantitative", scale_to_json(grades.goodman_baron_quantitative, false)},
      {"ecca", scale_to_json(grades.ecca, true)},
      {"goodman_baron_qualitative",
       {{"value", value},
        {"low", qualitative.low},
        {"high", qualitative.high},
        {"level", qualitative.level},
        {"basis", grade_basis_name(qualitative.basis)},
        {"coverage_cm2", qualitative.coverage_cm2 ? json(*qualitative.coverage_cm2) : json(nullptr)},
        {"missing_inputs", qualitative.missing_inputs},
        {"label", basis_label(qualitative.basis, qualitative.coverage_cm2, !qualitative.missing_inputs.empty())},
        {"findings", findings},
        {"citation", qualitative.citation}}},
      {"notes", grades.notes},
      {"knowledge_base",
       {{"file", grades.knowledge.file}, {"version", grades.knowledge.version}, {"sha256", grades.knowledge.sha256}}}};
  return result;
}

json grade_inventory_json(const ScarInventory& inventory, const ClinicianInputs* clinician, const GradingKnowledge& knowledge) {
  return grades_to_json(grade_inventory(inventory, clinician, knowledge));
}

namespace {

GradeBasis basis_from(const JsonField& field) { return field.parsed_text(parse_grade_basis); }

std::optional<double> coverage_from(const JsonField& scale) {
  const auto coverage = scale.optional("coverage_cm2");
  return coverage ? std::optional<double>(coverage->number()) : std::nullopt;
}

int whole(const JsonField& field) { return static_cast<int>(field.integer_between(-1000000000, 1000000000)); }

std::vector<int> wholes(const JsonField& field) {
  std::vector<int> out;
  for (const JsonField& element : field.elements()) out.push_back(whole(element));
  return out;
}

ScaleGrade scale_from_json(const JsonField& scale, bool ecca_scale) {
  ScaleGrade grade;
  grade.value = whole(scale.required("value"));
  grade.maximum = whole(scale.required("maximum"));
  if (const auto high = scale.optional("value_high")) grade.value_high = whole(*high);
  grade.basis = basis_from(scale.required("basis"));
  grade.coverage_cm2 = coverage_from(scale);
  grade.missing_inputs = scale.required("missing_inputs").texts();
  for (const JsonField& entry : scale.required("items").elements()) {
    GradeItem item;
    item.id = entry.required("id").text();
    item.label = entry.required("label").text();
    if (const auto group = entry.optional("group")) item.group = group->text();
    item.count = whole(entry.required("count"));
    if (const auto area = entry.optional("area_cm2")) item.area_cm2 = area->number();
    item.band = whole(entry.required("band"));
    item.points_each = whole(entry.required(ecca_scale ? "weight" : "points_each"));
    item.points = whole(entry.required("points"));
    if (const auto source = entry.optional("source")) item.source = source->text();
    item.scar_ids = wholes(entry.required("scar_ids"));
    if (const auto unlisted = entry.optional("unlisted")) item.unlisted = whole(*unlisted);
    if (const auto notes = entry.optional("notes")) item.notes = notes->texts();
    grade.items.push_back(std::move(item));
  }
  grade.citation = scale.required("citation").text();
  return grade;
}

}  // namespace

Grades grades_from_json(const json& document, const std::string& source, const std::string& path) {
  const JsonField root(document, source, path);
  root.expect_object();
  Grades grades;
  grades.goodman_baron_quantitative = scale_from_json(root.required("goodman_baron_quantitative"), false);
  grades.ecca = scale_from_json(root.required("ecca"), true);
  const JsonField q = root.required("goodman_baron_qualitative");
  QualitativeGrade& qualitative = grades.goodman_baron_qualitative;
  qualitative.low = whole(q.required("low"));
  qualitative.high = whole(q.required("high"));
  qualitative.level = q.required("level").text();
  qualitative.basis = basis_from(q.required("basis"));
  qualitative.coverage_cm2 = coverage_from(q);
  qualitative.missing_inputs = q.required("missing_inputs").texts();
  for (const JsonField& entry : q.required("findings").elements()) {
    QualitativeFinding finding;
    finding.what = entry.required("what").text();
    finding.low = whole(entry.required("low"));
    finding.high = whole(entry.required("high"));
    finding.reason = entry.required("reason").text();
    if (const auto id = entry.optional("scar_id")) finding.scar_id = whole(*id);
    qualitative.findings.push_back(std::move(finding));
  }
  qualitative.citation = q.required("citation").text();
  grades.notes = root.required("notes").texts();
  const JsonField kb = root.required("knowledge_base");
  grades.knowledge.file = kb.required("file").text();
  grades.knowledge.version = kb.required("version").text();
  // Grades stored before the knowledge base's hash was recorded have none.
  if (const auto sha = kb.optional("sha256")) grades.knowledge.sha256 = sha->text();
  return grades;
}

namespace {

std::string missing_text(const std::string& input) {
  static const std::map<std::string, std::string> words{
      {"macular_scars", "macular (flat, colour) scars: a clinician's count, a 3D scan cannot see colour"},
      {"papular_scars", "papular scars: a clinician's count"},
      {"stretch_test", "stretch test: does the scar flatten when the skin is stretched? (clinician)"},
      {"superficial_elastolysis", "superficial elastolysis (clinician)"},
      {"hypertrophic_age_months", "age of the hypertrophic scars (clinician)"},
      {"scar_measurements", "measurements of some scars (not measured, or floor not seen)"}};
  const auto it = words.find(input);
  return it == words.end() ? input : it->second;
}

void print_missing(std::ostringstream& out, const std::vector<std::string>& missing) {
  for (const std::string& input : missing) out << "      missing: " << missing_text(input) << "\n";
}

void print_items(std::ostringstream& out, const ScaleGrade& grade, bool ecca_scale) {
  int zero_rows = 0;
  for (const GradeItem& item : grade.items) {
    if (item.count == 0 && item.points == 0) {
      ++zero_rows;
      continue;
    }
    out << "      " << (item.group.empty() ? "" : item.group + "  ") << item.label << ": ";
    if (item.area_cm2) {
      out << item.count << " scar" << (item.count == 1 ? "" : "s") << ", " << format(*item.area_cm2, 2) << " cm² -> "
          << item.points << " points";
    } else if (ecca_scale) {
      out << item.count << " -> count band " << item.band << " x weight " << item.points_each << " = " << item.points;
    } else {
      out << item.count << " -> multiplier " << item.band << " x " << item.points_each << " point"
          << (item.points_each == 1 ? "" : "s") << " = " << item.points;
    }
    if (!item.source.empty() && item.source != "3d") out << "  [" << item.source << "]";
    out << "\n";
    for (const std::string& note : item.notes) out << "          " << note << "\n";
  }
  if (zero_rows > 0) out << "      (" << zero_rows << " other rows: none, 0 points)\n";
}

}  // namespace

std::string grades_text(const Grades& grades) {
  std::ostringstream out;
  out.imbue(std::locale::classic());  // the same text under any global locale
  const QualitativeGrade& qualitative = grades.goodman_baron_qualitative;
  out << "Goodman & Baron qualitative: " << qualitative.value_text() << " (" << qualitative.level << ")   "
      << basis_label(qualitative.basis, qualitative.coverage_cm2, !qualitative.missing_inputs.empty()) << "\n";
  print_missing(out, qualitative.missing_inputs);
  std::size_t shown = 0;
  for (const QualitativeFinding& finding : qualitative.findings) {
    if (++shown > 5) {
      out << "      ... and " << (qualitative.findings.size() - 5) << " more\n";
      break;
    }
    out << "      " << finding.what << ": " << (finding.low == finding.high ? std::to_string(finding.low)
                                                                            : std::to_string(finding.low) + "-" + std::to_string(finding.high))
        << ", " << finding.reason << "\n";
  }

  const ScaleGrade& gbq = grades.goodman_baron_quantitative;
  out << "Goodman & Baron quantitative: " << gbq.value << " / " << gbq.maximum << "   "
      << basis_label(gbq.basis, gbq.coverage_cm2, !gbq.missing_inputs.empty()) << "\n";
  print_missing(out, gbq.missing_inputs);
  print_items(out, gbq, false);

  const ScaleGrade& scale = grades.ecca;
  out << "ECCA: " << scale.value;
  if (scale.value_high) out << " to " << *scale.value_high;
  out << " / " << scale.maximum << "   " << basis_label(scale.basis, scale.coverage_cm2, !scale.missing_inputs.empty()) << "\n";
  print_missing(out, scale.missing_inputs);
  print_items(out, scale, true);

  for (const std::string& note : grades.notes) out << "Note: " << note << "\n";
  return out.str();
}

}  // namespace scarscope
