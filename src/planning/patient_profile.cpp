#include "planning/patient_profile.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace scarscope {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& problem) {
  throw InputError(source + ": " + field + ": " + problem);
}

const json& required(const json& document, const std::string& key, const std::string& source) {
  if (!document.contains(key)) fail(source, key, "missing (required)");
  return document.at(key);
}

bool boolean_field(const json& document, const std::string& key, const std::string& source) {
  const json& value = required(document, key, source);
  if (!value.is_boolean()) fail(source, key, "must be true or false");
  return value.get<bool>();
}

}  // namespace

const char* acne_activity_name(AcneActivity activity) {
  switch (activity) {
    case AcneActivity::none: return "none";
    case AcneActivity::mild: return "mild";
    case AcneActivity::moderate: return "moderate";
    case AcneActivity::severe: return "severe";
  }
  return "none";
}

const char* isotretinoin_status_name(IsotretinoinStatus status) {
  switch (status) {
    case IsotretinoinStatus::never: return "never";
    case IsotretinoinStatus::current: return "current";
    case IsotretinoinStatus::stopped: return "stopped";
  }
  return "never";
}

PatientProfile patient_profile_from_json(const json& document, const std::string& source, const CalendarDate& today) {
  if (!document.is_object()) fail(source, "(top level)", "the patient profile must be a JSON object");
  static const std::set<std::string> known = {
      "birth_year", "fitzpatrick", "active_acne", "isotretinoin", "keloid_history", "hsv_history", "active_cold_sore",
      "active_skin_infection", "pregnant_or_breastfeeding", "anticoagulants", "bdd_screen_positive", "distress_0_10",
      "max_downtime_days", "available_modalities"};
  for (const auto& [key, value] : document.items()) {
    if (!known.count(key)) fail(source, key, "unknown field (see the patient profile schema in README.md, section Treatment planning)");
  }
  PatientProfile profile;

  const json& birth_year = required(document, "birth_year", source);
  if (!birth_year.is_number_integer()) fail(source, "birth_year", "must be a whole year such as 1994");
  profile.birth_year = birth_year.get<int>();
  if (profile.birth_year < 1900 || profile.birth_year > today.year()) {
    fail(source, "birth_year", std::to_string(profile.birth_year) + " is out of range 1900-" + std::to_string(today.year()));
  }

  const json& fitzpatrick = required(document, "fitzpatrick", source);
  if (!fitzpatrick.is_number_integer()) fail(source, "fitzpatrick", "must be a whole number 1-6");
  profile.fitzpatrick = fitzpatrick.get<int>();
  if (profile.fitzpatrick < 1 || profile.fitzpatrick > 6) {
    fail(source, "fitzpatrick", std::to_string(profile.fitzpatrick) + " is out of range 1-6");
  }

  const json& acne = required(document, "active_acne", source);
  if (!acne.is_string()) fail(source, "active_acne", "must be one of none, mild, moderate, severe");
  const std::string acne_text = acne.get<std::string>();
  if (acne_text == "none") profile.active_acne = AcneActivity::none;
  else if (acne_text == "mild") profile.active_acne = AcneActivity::mild;
  else if (acne_text == "moderate") profile.active_acne = AcneActivity::moderate;
  else if (acne_text == "severe") profile.active_acne = AcneActivity::severe;
  else fail(source, "active_acne", "\"" + acne_text + "\" is not one of none, mild, moderate, severe");

  const json& isotretinoin = required(document, "isotretinoin", source);
  if (!isotretinoin.is_object()) fail(source, "isotretinoin", "must be an object {\"status\", \"stopped_on\"}");
  for (const auto& [key, value] : isotretinoin.items()) {
    if (key != "status" && key != "stopped_on") fail(source, "isotretinoin." + key, "unknown field");
  }
  if (!isotretinoin.contains("status")) fail(source, "isotretinoin.status", "missing (required)");
  if (!isotretinoin["status"].is_string()) fail(source, "isotretinoin.status", "must be one of never, current, stopped");
  const std::string status = isotretinoin["status"].get<std::string>();
  if (status == "never") profile.isotretinoin = IsotretinoinStatus::never;
  else if (status == "current") profile.isotretinoin = IsotretinoinStatus::current;
  else if (status == "stopped") profile.isotretinoin = IsotretinoinStatus::stopped;
  else fail(source, "isotretinoin.status", "\"" + status + "\" is not one of never, current, stopped");
  if (isotretinoin.contains("stopped_on") && !isotretinoin["stopped_on"].is_null()) {
    if (!isotretinoin["stopped_on"].is_string()) fail(source, "isotretinoin.stopped_on", "must be a date YYYY-MM-DD");
    if (profile.isotretinoin != IsotretinoinStatus::stopped) {
      fail(source, "isotretinoin.stopped_on", "given, but status is \"" + status + "\" (use \"stopped\")");
    }
    profile.isotretinoin_stopped_on =
        CalendarDate::parse(isotretinoin["stopped_on"].get<std::string>(), source + ": isotretinoin.stopped_on");
    if (*profile.isotretinoin_stopped_on > today) {
      fail(source, "isotretinoin.stopped_on", profile.isotretinoin_stopped_on->to_string() + " is after the plan date " +
                                                   today.to_string());
    }
  }

  profile.keloid_history = boolean_field(document, "keloid_history", source);
  profile.hsv_history = boolean_field(document, "hsv_history", source);
  profile.active_cold_sore = boolean_field(document, "active_cold_sore", source);
  profile.active_skin_infection = boolean_field(document, "active_skin_infection", source);
  profile.pregnant_or_breastfeeding = boolean_field(document, "pregnant_or_breastfeeding", source);
  profile.anticoagulants = boolean_field(document, "anticoagulants", source);
  profile.bdd_screen_positive = boolean_field(document, "bdd_screen_positive", source);

  const json& distress = required(document, "distress_0_10", source);
  if (!distress.is_number()) fail(source, "distress_0_10", "must be a number 0-10");
  profile.distress_0_10 = distress.get<double>();
  if (!std::isfinite(profile.distress_0_10) || profile.distress_0_10 < 0 || profile.distress_0_10 > 10) {
    fail(source, "distress_0_10", "is out of range 0-10");
  }

  if (document.contains("max_downtime_days") && !document["max_downtime_days"].is_null()) {
    const json& downtime = document["max_downtime_days"];
    if (!downtime.is_number()) fail(source, "max_downtime_days", "must be a number of days");
    const double days = downtime.get<double>();
    if (!std::isfinite(days) || days < 0 || days > 365) fail(source, "max_downtime_days", "is out of range 0-365");
    profile.max_downtime_days = days;
  }
  if (document.contains("available_modalities") && !document["available_modalities"].is_null()) {
    const json& list = document["available_modalities"];
    if (!list.is_array()) fail(source, "available_modalities", "must be a list of modality identifiers");
    std::vector<std::string> modalities;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string()) fail(source, "available_modalities[" + std::to_string(i) + "]", "must be a string");
      modalities.push_back(list[i].get<std::string>());
    }
    profile.available_modalities = modalities;
  }
  return profile;
}

PatientProfile read_patient_profile(const std::filesystem::path& path, const CalendarDate& today) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open the patient profile");
  json document;
  try {
    document = json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  return patient_profile_from_json(document, path.string(), today);
}

json patient_profile_to_json(const PatientProfile& p) {
  json isotretinoin = {{"status", isotretinoin_status_name(p.isotretinoin)}};
  if (p.isotretinoin_stopped_on) isotretinoin["stopped_on"] = p.isotretinoin_stopped_on->to_string();
  json out = {{"birth_year", p.birth_year},
              {"fitzpatrick", p.fitzpatrick},
              {"active_acne", acne_activity_name(p.active_acne)},
              {"isotretinoin", isotretinoin},
              {"keloid_history", p.keloid_history},
              {"hsv_history", p.hsv_history},
              {"active_cold_sore", p.active_cold_sore},
              {"active_skin_infection", p.active_skin_infection},
              {"pregnant_or_breastfeeding", p.pregnant_or_breastfeeding},
              {"anticoagulants", p.anticoagulants},
              {"bdd_screen_positive", p.bdd_screen_positive},
              {"distress_0_10", p.distress_0_10}};
  if (p.max_downtime_days) out["max_downtime_days"] = *p.max_downtime_days;
  if (p.available_modalities) out["available_modalities"] = *p.available_modalities;
  return out;
}

}  // namespace scarscope
