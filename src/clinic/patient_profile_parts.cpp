#include "clinic/patient_profile_parts.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace scarscope::clinic {
namespace {

using nlohmann::json;

// The fields patient_profile_from_json requires, in its order, with a valid stand-in for each. The
// stand-ins only let the planner's parser check the fields that are given; they are never stored.
const std::vector<std::pair<std::string, json>>& required_parts() {
  static const std::vector<std::pair<std::string, json>> parts = {
      {"active_acne", "none"},
      {"isotretinoin", {{"status", "never"}}},
      {"keloid_history", false},
      {"hsv_history", false},
      {"active_cold_sore", false},
      {"active_skin_infection", false},
      {"pregnant_or_breastfeeding", false},
      {"anticoagulants", false},
      {"bdd_screen_positive", false},
      {"distress_0_10", 0},
  };
  return parts;
}

json parse_parts(const std::string& profile_json) {
  json parts = json::parse(profile_json, nullptr, false);
  if (parts.is_discarded() || !parts.is_object()) {
    throw InputError("profile: must be a JSON object of planning profile fields", ErrorCode::wrong_type, "profile");
  }
  for (const char* own : {"birth_year", "fitzpatrick"}) {
    if (parts.contains(own)) {
      throw InputError(std::string("profile.") + own + ": is a field of the patient, not of the profile parts",
                       ErrorCode::unknown_field, std::string("profile.") + own);
    }
  }
  return parts;
}

}  // namespace

void check_profile_parts(const std::string& profile_json, const CalendarDate& today) {
  json document = parse_parts(profile_json);
  for (const auto& [key, stand_in] : required_parts()) {
    if (!document.contains(key)) document[key] = stand_in;
  }
  document["birth_year"] = today.year();
  document["fitzpatrick"] = 1;
  (void)patient_profile_from_json(document, "profile", today);
}

std::vector<std::string> missing_profile_fields(const Patient& patient) {
  std::vector<std::string> missing;
  if (!patient.birth_year) missing.push_back("birth_year");
  if (!patient.fitzpatrick) missing.push_back("fitzpatrick");
  const json parts = parse_parts(patient.profile_json);
  for (const auto& [key, stand_in] : required_parts()) {
    if (!parts.contains(key) || parts[key].is_null()) missing.push_back(key);
  }
  return missing;
}

std::string profile_document(const Patient& patient) {
  json document = parse_parts(patient.profile_json);
  if (patient.birth_year) document["birth_year"] = *patient.birth_year;
  if (patient.fitzpatrick) document["fitzpatrick"] = *patient.fitzpatrick;
  return document.dump();
}

PatientProfile complete_profile(const Patient& patient, const CalendarDate& today) {
  const std::vector<std::string> missing = missing_profile_fields(patient);
  if (!missing.empty()) {
    std::string list;
    for (const std::string& field : missing) list += (list.empty() ? "" : ", ") + field;
    throw InputError("the patient's planning profile is incomplete: missing " + list, ErrorCode::missing_field,
                     missing.front());
  }
  return patient_profile_from_json(json::parse(profile_document(patient)), "profile", today);
}

}  // namespace scarscope::clinic
