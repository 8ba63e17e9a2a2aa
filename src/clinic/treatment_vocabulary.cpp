#include "clinic/treatment_vocabulary.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"

namespace scarscope::clinic {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& problem,
                       ErrorCode code = ErrorCode::bad_input) {
  throw InputError(source + ": " + field + ": " + problem, code, field);
}

std::string format_number(double value) {
  std::ostringstream text;
  text.imbue(std::locale::classic());
  text << value;
  return text.str();
}

json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot be read", ErrorCode::not_found, path.string());
  json document = json::parse(in, nullptr, false);
  if (document.is_discarded()) throw InputError(path.string() + ": is not valid JSON", ErrorCode::bad_format, path.string());
  return document;
}

}  // namespace

void TreatmentVocabulary::check_session(const std::string& modality,
                                        const std::map<std::string, double>& values) const {
  if (!modalities.count(modality)) {
    throw InputError("modality: \"" + modality + "\" is not a modality of the treatment knowledge base (kb/treatments.json)",
                     ErrorCode::out_of_range, "modality");
  }
  const auto ranges = parameters.find(modality);
  for (const auto& [parameter, value] : values) {
    const std::string field = "parameters." + parameter;
    const ParameterRange* range = nullptr;
    if (ranges != parameters.end()) {
      const auto found = ranges->second.find(parameter);
      if (found != ranges->second.end()) range = &found->second;
    }
    if (range == nullptr) {
      std::string accepted;
      if (ranges != parameters.end()) {
        for (const auto& [name, ignored] : ranges->second) accepted += (accepted.empty() ? "" : ", ") + name;
      }
      throw InputError(field + ": is not a parameter of " + modality + " (accepted: " +
                           (accepted.empty() ? std::string("none; use the notes") : accepted) + ")",
                       ErrorCode::unknown_field, field);
    }
    if (!std::isfinite(value) || value < range->min || value > range->max) {
      throw InputError(field + ": " + format_number(value) + " " + range->unit + " is outside the accepted range " +
                           format_number(range->min) + "-" + format_number(range->max) + " " + range->unit + " for " +
                           modality + " (kb/session_parameters.json)",
                       ErrorCode::out_of_range, field);
    }
  }
}

TreatmentVocabulary treatment_vocabulary_from_json(const std::set<std::string>& modality_ids, const json& document,
                                                   const std::string& source) {
  if (!document.is_object()) fail(source, "(top level)", "must be a JSON object", ErrorCode::wrong_type);
  TreatmentVocabulary vocabulary;
  vocabulary.modalities = modality_ids;
  if (document.contains("version") && document["version"].is_string()) vocabulary.version = document["version"];
  const auto definitions = document.find("parameters");
  if (definitions == document.end() || !definitions->is_object()) {
    fail(source, "parameters", "must be an object of parameter definitions", ErrorCode::missing_field);
  }
  const auto per_modality = document.find("modalities");
  if (per_modality == document.end() || !per_modality->is_object()) {
    fail(source, "modalities", "must be an object of modality -> parameter ranges", ErrorCode::missing_field);
  }
  for (const auto& [modality, ranges] : per_modality->items()) {
    const std::string modality_field = "modalities." + modality;
    if (!modality_ids.count(modality)) {
      fail(source, modality_field, "is not a modality of treatments.json", ErrorCode::unknown_field);
    }
    if (!ranges.is_object()) fail(source, modality_field, "must be an object", ErrorCode::wrong_type);
    for (const auto& [parameter, entry] : ranges.items()) {
      const std::string field = modality_field + "." + parameter;
      const auto definition = definitions->find(parameter);
      if (definition == definitions->end()) {
        fail(source, field, "is not defined under \"parameters\"", ErrorCode::unknown_field);
      }
      ParameterRange range;
      range.unit = definition->value("unit", "");
      range.description = definition->value("description", "");
      const auto value = entry.find("value");
      if (value == entry.end() || !value->is_array() || value->size() != 2 || !(*value)[0].is_number() ||
          !(*value)[1].is_number()) {
        fail(source, field + ".value", "must be [min, max]", ErrorCode::wrong_type);
      }
      range.min = (*value)[0].get<double>();
      range.max = (*value)[1].get<double>();
      if (!(range.min <= range.max)) fail(source, field + ".value", "min is above max", ErrorCode::out_of_range);
      const auto evidence = entry.find("evidence");
      if (evidence == entry.end() || !evidence->is_array() || evidence->empty()) {
        fail(source, field + ".evidence", "every range needs its evidence", ErrorCode::missing_field);
      }
      range.confirmed = true;
      for (const json& item : *evidence) {
        if (!item.is_object() || !item.contains("citation") || !item["citation"].is_string()) {
          fail(source, field + ".evidence", "each item needs a citation", ErrorCode::missing_field);
        }
        range.citations.push_back(item["citation"].get<std::string>());
        range.confirmed = range.confirmed && item.value("confirmed", false);
      }
      vocabulary.parameters[modality][parameter] = std::move(range);
    }
  }
  return vocabulary;
}

TreatmentVocabulary read_treatment_vocabulary(const std::filesystem::path& kb_dir) {
  const json treatments = read_json_file(kb_dir / "treatments.json");
  std::set<std::string> modality_ids;
  if (treatments.contains("modalities") && treatments["modalities"].is_object()) {
    for (const auto& [id, ignored] : treatments["modalities"].items()) modality_ids.insert(id);
  }
  const std::filesystem::path parameters = kb_dir / "session_parameters.json";
  return treatment_vocabulary_from_json(modality_ids, read_json_file(parameters), parameters.string());
}

}  // namespace scarscope::clinic
