// The reports' words: one catalogue (kb/report_text.json) holding, per language, every label of the
// clinician and patient reports and every sentence the patient report says about expectations,
// aftercare and support, each statement with its sources. Nothing a patient reads is typed into
// the code: a clinic adds a language by adding it to the catalogue.
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "planning/calendar_date.h"
#include "planning/knowledge_base.h"

namespace scarscope::report {

// A statement the patient report makes, in the chosen language, with where it comes from.
struct Statement {
  std::string id;
  std::string topic;  // expectations, aftercare, call_clinic, support, progress
  std::string text;
  std::vector<std::string> source_ids;  // keys of ReportText::sources
};

// How a scar type is named for a patient.
struct PlainScarType {
  std::string one, other;  // "ice pick scar", "ice pick scars"
  std::string explanation;  // "narrow, deep pits"
};

// Values for the {placeholders} of a label.
using TextArguments = std::vector<std::pair<std::string, std::string>>;

class ReportText {
 public:
  std::string version;   // the catalogue's "version"
  std::string language;  // "en"
  std::string source;    // file name, for messages

  // A label ("patient.title", "clinician.scars_heading") with its placeholders filled. InputError
  // naming the key for one the catalogue does not have.
  std::string label(const std::string& key, const TextArguments& arguments = {}) const;
  const Statement& statement(const std::string& id) const;
  // The statements of a topic in the catalogue's order ("statement_order").
  std::vector<const Statement*> statements_of(const std::string& topic) const;
  const Evidence& source_of(const std::string& source_id) const;
  const std::map<std::string, Evidence>& sources() const { return sources_; }

  // Words for things: a scar type for a patient (plural form by count) and for a clinician, a
  // region, a treatment in plain words (the kb's own name when the catalogue has none), a change
  // status, a count in words where the language has one ("three"), a date ("12 March 2027"), a
  // number with the language's decimal separator.
  const PlainScarType& plain_scar_type(const std::string& type) const;
  std::string scar_type_name(const std::string& type) const;
  std::string region(const std::string& region) const;
  std::string plain_modality(const std::string& modality, const KnowledgeBase* knowledge = nullptr) const;
  bool has_plain_modality(const std::string& modality) const { return modalities_.count(modality) > 0; }
  std::string status_name(const std::string& status) const;
  std::string count_in_words(int count) const;
  std::string date(const CalendarDate& date) const;
  std::string number(double value, int decimals) const;

  // Fills {name} placeholders; InputError when the text names one not given.
  static std::string fill(const std::string& text, const TextArguments& arguments, const std::string& where);

 private:
  friend ReportText report_text_from_json(const nlohmann::json&, const std::string&, const std::string&);
  std::map<std::string, std::string> labels_;  // "patient.title" -> text
  std::map<std::string, Statement> statements_;
  std::vector<std::string> statement_order_;
  std::map<std::string, Evidence> sources_;
  std::map<std::string, PlainScarType> scar_types_;
  std::map<std::string, std::string> scar_type_names_, regions_, modalities_, status_names_;
  std::vector<std::string> months_, number_words_;
  std::string date_format_, decimal_separator_ = ".";
};

// Reads the catalogue and picks `language`. Every language must have every key English
// ("en") has, and every statement and source it refers to must exist: otherwise
// InputError naming the file and the key.
ReportText report_text_from_json(const nlohmann::json& document, const std::string& language,
                                 const std::string& source = "report_text.json");
ReportText load_report_text(const std::filesystem::path& kb_dir, const std::string& language = "en");
// The languages a catalogue offers.
std::vector<std::string> report_languages(const std::filesystem::path& kb_dir);

}  // namespace scarscope::report
