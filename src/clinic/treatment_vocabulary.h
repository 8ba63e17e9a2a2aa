// What a treatment session may record: the modalities of the treatment knowledge base
// (kb/treatments.json) and, per modality, the parameters it takes with their accepted ranges and
// the evidence for them (kb/session_parameters.json). A session whose modality is unknown, or whose
// parameter is unknown for its modality or outside its range, is refused before it is stored.
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <vector>

namespace scarscope::clinic {

struct ParameterRange {
  double min = 0.0;
  double max = 0.0;
  std::string unit;         // "%", "mm", "mJ", ...
  std::string description;  // for people
  std::vector<std::string> citations;
  bool confirmed = false;   // false where the sources give no firm range (see the kb note)
};

struct TreatmentVocabulary {
  std::string version;                  // kb/session_parameters.json's version
  std::set<std::string> modalities;     // every modality id a session may name
  // modality -> parameter name -> accepted range; a modality absent here takes no parameters.
  std::map<std::string, std::map<std::string, ParameterRange>> parameters;

  // Throws InputError: unknown modality (field "modality"), unknown parameter for the modality
  // (unknown_field "parameters.NAME"), a value that is not finite or out of range (out_of_range
  // "parameters.NAME", naming the range, its unit and the modality).
  void check_session(const std::string& modality, const std::map<std::string, double>& parameters) const;
};

// `modality_ids`: the modalities of the treatment knowledge base. `session_parameters`: the
// document of kb/session_parameters.json; a parameter range for a modality not in `modality_ids`
// is refused (the two files must agree). Throws InputError naming the field that is wrong.
TreatmentVocabulary treatment_vocabulary_from_json(const std::set<std::string>& modality_ids,
                                                   const nlohmann::json& session_parameters,
                                                   const std::string& source = "session_parameters.json");

// Reads kb_dir/treatments.json (for the modality ids) and kb_dir/session_parameters.json.
TreatmentVocabulary read_treatment_vocabulary(const std::filesystem::path& kb_dir);

}  // namespace scarscope::clinic
