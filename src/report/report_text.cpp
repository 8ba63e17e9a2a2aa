#include "report/report_text.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.h"
#include "core/format.h"
#include "core/json_fields.h"

namespace scarscope::report {

namespace {

using nlohmann::json;

// Every key path of a language's block ("patient.title", "months"), to check a translation is whole.
void collect_keys(const json& value, const std::string& prefix, std::set<std::string>& keys) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) collect_keys(member, prefix.empty() ? key : prefix + "." + key, keys);
  } else {
    keys.insert(prefix);
  }
}

const std::set<std::string> kEvidenceKinds = {"rct",    "systematic_review", "review",       "consensus",
                                              "series", "expert",            "low_authority"};

Evidence read_evidence(const JsonField& field) {
  field.reject_unknown({"citation", "kind", "confirmed"});
  Evidence evidence;
  evidence.citation = field.required("citation").text();
  evidence.kind = field.required("kind").text();
  if (!kEvidenceKinds.count(evidence.kind)) {
    field.member("kind").fail(ErrorCode::out_of_range,
                              "'" + evidence.kind +
                                  "' is not an evidence kind (rct, systematic_review, review, consensus, series, "
                                  "expert, low_authority)");
  }
  evidence.confirmed = field.required("confirmed").boolean();
  return evidence;
}

std::map<std::string, std::string> text_map(const JsonField& field) {
  std::map<std::string, std::string> texts;
  for (const auto& [key, value] : field.expect_object().members()) texts[key] = value.text();
  return texts;
}

}  // namespace

std::string ReportText::fill(const std::string& text, const TextArguments& arguments, const std::string& where) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('{', at);
    if (open == std::string::npos) {
      out.append(text, at, std::string::npos);
      break;
    }
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) throw InputError(where + ": an unclosed '{' in \"" + text + "\"", ErrorCode::bad_format, where);
    out.append(text, at, open - at);
    const std::string name = text.substr(open + 1, close - open - 1);
    const auto found = std::find_if(arguments.begin(), arguments.end(), [&](const auto& a) { return a.first == name; });
    if (found == arguments.end()) {
      throw InputError(where + ": the text names {" + name + "}, which this report does not fill", ErrorCode::bad_input,
                       where);
    }
    out += found->second;
    at = close + 1;
  }
  return out;
}

std::string ReportText::label(const std::string& key, const TextArguments& arguments) const {
  const auto found = labels_.find(key);
  if (found == labels_.end()) {
    throw InputError(source + ": languages." + language + "." + key + ": missing", ErrorCode::missing_field,
                     "languages." + language + "." + key);
  }
  return fill(found->second, arguments, source + ": languages." + language + "." + key);
}

const Statement& ReportText::statement(const std::string& id) const {
  const auto found = statements_.find(id);
  if (found == statements_.end()) {
    throw InputError(source + ": statements." + id + ": missing", ErrorCode::missing_field, "statements." + id);
  }
  return found->second;
}

std::vector<const Statement*> ReportText::statements_of(const std::string& topic) const {
  std::vector<const Statement*> found;
  for (const std::string& id : statement_order_) {
    const Statement& statement = statements_.at(id);
    if (statement.topic == topic) found.push_back(&statement);
  }
  return found;
}

const Evidence& ReportText::source_of(const std::string& source_id) const {
  const auto found = sources_.find(source_id);
  if (found == sources_.end()) {
    throw InputError(source + ": sources." + source_id + ": missing", ErrorCode::missing_field, "sources." + source_id);
  }
  return found->second;
}

const PlainScarType& ReportText::plain_scar_type(const std::string& type) const {
  const auto found = scar_types_.find(type);
  if (found == scar_types_.end()) {
    throw InputError(source + ": languages." + language + ".scar_types." + type + ": missing", ErrorCode::missing_field);
  }
  return found->second;
}

std::string ReportText::scar_type_name(const std::string& type) const {
  const auto found = scar_type_names_.find(type);
  return found == scar_type_names_.end() ? type : found->second;
}

std::string ReportText::region(const std::string& region) const {
  const auto found = regions_.find(region);
  return found == regions_.end() ? region : found->second;
}

std::string ReportText::plain_modality(const std::string& modality, const KnowledgeBase* knowledge) const {
  const auto found = modalities_.find(modality);
  if (found != modalities_.end()) return found->second;
  if (knowledge != nullptr) {
    const auto known = knowledge->modalities.find(modality);
    if (known != knowledge->modalities.end()) return known->second.name;
  }
  return modality;
}

std::string ReportText::status_name(const std::string& status) const {
  const auto found = status_names_.find(status);
  return found == status_names_.end() ? status : found->second;
}

std::string ReportText::count_in_words(int count) const {
  if (count >= 0 && static_cast<std::size_t>(count) < number_words_.size()) return number_words_[static_cast<std::size_t>(count)];
  return std::to_string(count);
}

std::string ReportText::date(const CalendarDate& date) const {
  const std::chrono::year_month_day ymd{date.day};
  const unsigned month = static_cast<unsigned>(ymd.month());
  const std::string month_name = month >= 1 && month <= months_.size() ? months_[month - 1] : std::to_string(month);
  return fill(date_format_,
              {{"day", std::to_string(static_cast<unsigned>(ymd.day()))},
               {"month", month_name},
               {"year", std::to_string(static_cast<int>(ymd.year()))}},
              source + ": languages." + language + ".date_format");
}

std::string ReportText::number(double value, int decimals) const {
  std::string text = fixed_decimal(value, decimals, "-");
  if (decimal_separator_ != ".") {
    const std::size_t point = text.find('.');
    if (point != std::string::npos) text.replace(point, 1, decimal_separator_);
  }
  return text;
}

ReportText report_text_from_json(const json& document, const std::string& language, const std::string& source) {
  const JsonField root(document, source);
  root.expect_object();
  root.reject_unknown({"version", "description", "sources", "statements", "statement_order", "languages"});
  ReportText text;
  text.source = source;
  text.language = language;
  text.version = root.required("version").text();

  for (const auto& [id, field] : root.required("sources").expect_object().members()) text.sources_[id] = read_evidence(field);

  const JsonField languages = root.required("languages").expect_object();
  const std::vector<std::pair<std::string, JsonField>> offered = languages.members();
  if (offered.empty()) languages.fail(ErrorCode::missing_field, "no language");
  // Every language has exactly the keys of the reference language: English when offered (the
  // catalogue's members come sorted by name, so "the first one" would be whichever sorts first).
  const auto reference = std::find_if(offered.begin(), offered.end(), [](const auto& entry) { return entry.first == "en"; });
  const auto& [reference_name, reference_block] = reference != offered.end() ? *reference : offered.front();
  std::set<std::string> reference_keys;
  collect_keys(reference_block.value(), "", reference_keys);
  for (const auto& [name, block] : offered) {
    std::set<std::string> keys;
    collect_keys(block.value(), "", keys);
    for (const std::string& key : reference_keys) {
      if (!keys.count(key)) {
        block.fail(ErrorCode::missing_field, key + " is missing (every language has every key of '" +
                                                 reference_name + "')");
      }
    }
    for (const std::string& key : keys) {
      if (!reference_keys.count(key)) {
        block.fail(ErrorCode::unknown_field, key + " is not a key of '" + reference_name + "'");
      }
    }
  }
  const std::optional<JsonField> chosen = languages.optional(language);
  if (!chosen) {
    std::string names;
    for (const auto& [name, block] : offered) names += (names.empty() ? "" : ", ") + name;
    throw InputError(source + ": no language '" + language + "' (the catalogue has " + names + ")",
                     ErrorCode::out_of_range, "language");
  }
  const JsonField& words = *chosen;
  words.reject_unknown({"language_name", "decimal_separator", "months", "date_format", "number_words", "statements",
                        "scar_types", "regions", "modalities", "patient", "clinician", "scar_type_names", "status_names"});
  text.decimal_separator_ = words.required("decimal_separator").text();
  text.months_ = words.required("months").texts();
  if (text.months_.size() != 12) words.member("months").fail(ErrorCode::out_of_range, "12 month names expected");
  text.date_format_ = words.required("date_format").text();
  text.number_words_ = words.required("number_words").texts();
  for (const char* group : {"patient", "clinician"}) {
    for (const auto& [key, value] : text_map(words.required(group))) text.labels_[std::string(group) + "." + key] = value;
  }
  text.regions_ = text_map(words.required("regions"));
  text.modalities_ = text_map(words.required("modalities"));
  text.scar_type_names_ = text_map(words.required("scar_type_names"));
  text.status_names_ = text_map(words.required("status_names"));
  for (const auto& [type, field] : words.required("scar_types").expect_object().members()) {
    field.reject_unknown({"one", "other", "explanation"});
    text.scar_types_[type] = {field.required("one").text(), field.required("other").text(),
                              field.required("explanation").text()};
  }

  const std::map<std::string, std::string> sentences = text_map(words.required("statements"));
  for (const auto& [id, field] : root.required("statements").expect_object().members()) {
    field.reject_unknown({"topic", "sources"});
    Statement statement;
    statement.id = id;
    statement.topic = field.required("topic").text();
    statement.source_ids = field.required("sources").texts();
    if (statement.source_ids.empty()) field.member("sources").fail(ErrorCode::missing_field, "a statement needs a source");
    for (std::size_t i = 0; i < statement.source_ids.size(); ++i) {
      if (!text.sources_.count(statement.source_ids[i])) {
        field.member("sources").fail(ErrorCode::not_found, "'" + statement.source_ids[i] + "' is not one of 'sources'");
      }
    }
    const auto sentence = sentences.find(id);
    if (sentence == sentences.end()) {
      words.member("statements").fail(ErrorCode::missing_field, id + " has no text in '" + language + "'");
    }
    statement.text = sentence->second;
    text.statements_[id] = std::move(statement);
  }
  for (const auto& [id, sentence] : sentences) {
    if (!text.statements_.count(id)) {
      words.member("statements").fail(ErrorCode::unknown_field, id + " is not one of 'statements'");
    }
  }
  // Every statement is said in the order the catalogue gives, each exactly once.
  const JsonField order = root.required("statement_order");
  text.statement_order_ = order.texts();
  std::set<std::string> ordered(text.statement_order_.begin(), text.statement_order_.end());
  if (ordered.size() != text.statement_order_.size()) order.fail(ErrorCode::bad_input, "a statement is listed twice");
  for (const auto& [id, statement] : text.statements_) {
    if (!ordered.count(id)) order.fail(ErrorCode::missing_field, id + " is not listed");
  }
  for (const std::string& id : text.statement_order_) {
    if (!text.statements_.count(id)) order.fail(ErrorCode::unknown_field, id + " is not one of 'statements'");
  }
  return text;
}

ReportText load_report_text(const std::filesystem::path& kb_dir, const std::string& language) {
  return report_text_from_json(read_json_file(kb_dir / "report_text.json"), language, "report_text.json");
}

std::vector<std::string> report_languages(const std::filesystem::path& kb_dir) {
  const json document = read_json_file(kb_dir / "report_text.json");
  std::vector<std::string> names;
  if (document.contains("languages") && document["languages"].is_object()) {
    for (const auto& [name, block] : document["languages"].items()) names.push_back(name);
  }
  return names;
}

}  // namespace scarscope::report
