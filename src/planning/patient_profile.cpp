#include "planning/patient_profile.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "core/json_fields.h"

namespace scarscope {

using nlohmann::json;

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
  const JsonField root(document, source);
  if (!document.is_object()) JsonField(document, source, "(top level)").fail(ErrorCode::wrong_type, "the patient profile must be a JSON object");
  root.reject_unknown({"birth_year", "fitzpatrick", "active_acne", "isotretinoin", "keloid_history", "hsv_history",
                       "active_cold_sore", "active_skin_infection", "pregnant_or_breastfeeding", "anticoagulants",
                       "bdd_screen_positive", "distress_0_10", "max_downtime_days", "available_modalities"},
                      "see the patient profile schema in README.md, section Treatment planning");
  PatientProfile profile;
  const auto required = [&](std::string_view key) { return root.required(key, "missing (required)"); };

  const JsonField birth_year = required("birth_year");
  if (!birth_year.value().is_number_integer()) birth_year.fail(ErrorCode::wrong_type, "must be a whole year such as 1994");
  profile.birth_year = static_cast<int>(birth_year.integer_between(1900, today.year(),
                                                                   birth_year.value().dump() + " is out of range 1900-" +
                                                                       std::to_string(today.year())));

  const JsonField fitzpatrick = required("fitzpatrick");
  if (!fitzpatrick.value().is_number_integer()) fitzpatrick.fail(ErrorCode::wrong_type, "must be a whole number 1-6");
  profile.fitzpatrick = static_cast<int>(fitzpatrick.integer_between(1, 6, fitzpatrick.value().dump() + " is out of range 1-6"));

  const JsonField acne = required("active_acne");
  const std::string acne_text = acne.text("must be one of none, mild, moderate, severe");
  if (acne_text == "none") profile.active_acne = AcneActivity::none;
  else if (acne_text == "mild") profile.active_acne = AcneActivity::mild;
  else if (acne_text == "moderate") profile.active_acne = AcneActivity::moderate;
  else if (acne_text == "severe") profile.active_acne = AcneActivity::severe;
  else acne.fail(ErrorCode::bad_input, "\"" + acne_text + "\" is not one of none, mild, moderate, severe");

  const JsonField isotretinoin = required("isotretinoin");
  isotretinoin.expect_object("must be an object {\"status\", \"stopped_on\"}");
  isotretinoin.reject_unknown({"status", "stopped_on"});
  const JsonField status_field = isotretinoin.required("status", "missing (required)");
  const std::string status = status_field.text("must be one of never, current, stopped");
  if (status == "never") profile.isotretinoin = IsotretinoinStatus::never;
  else if (status == "current") profile.isotretinoin = IsotretinoinStatus::current;
  else if (status == "stopped") profile.isotretinoin = IsotretinoinStatus::stopped;
  else status_field.fail(ErrorCode::bad_input, "\"" + status + "\" is not one of never, current, stopped");
  if (const auto stopped_on = isotretinoin.optional("stopped_on")) {
    const std::string date = stopped_on->text("must be a date YYYY-MM-DD");
    if (profile.isotretinoin != IsotretinoinStatus::stopped) {
      stopped_on->fail(ErrorCode::bad_input, "given, but status is \"" + status + "\" (use \"stopped\")");
    }
    try {
      profile.isotretinoin_stopped_on = CalendarDate::parse(date, stopped_on->where());
    } catch (const InputError& error) {
      throw InputError(error.what(), error.code(), stopped_on->path());  // the field is the path, not the file
    }
    if (*profile.isotretinoin_stopped_on > today) {
      stopped_on->fail(ErrorCode::out_of_range,
                       profile.isotretinoin_stopped_on->to_string() + " is after the plan date " + today.to_string());
    }
  }

  const auto flag = [&](std::string_view key) { return required(key).boolean("must be true or false"); };
  profile.keloid_history = flag("keloid_history");
  profile.hsv_history = flag("hsv_history");
  profile.active_cold_sore = flag("active_cold_sore");
  profile.active_skin_infection = flag("active_skin_infection");
  profile.pregnant_or_breastfeeding = flag("pregnant_or_breastfeeding");
  profile.anticoagulants = flag("anticoagulants");
  profile.bdd_screen_positive = flag("bdd_screen_positive");

  const JsonField distress = required("distress_0_10");
  if (!distress.is_number()) distress.fail(ErrorCode::wrong_type, "must be a number 0-10");
  profile.distress_0_10 = distress.value().get<double>();
  if (!std::isfinite(profile.distress_0_10) || profile.distress_0_10 < 0 || profile.distress_0_10 > 10) {
    distress.fail(ErrorCode::out_of_range, "is out of range 0-10");
  }

  if (const auto downtime = root.optional("max_downtime_days")) {
    if (!downtime->is_number()) downtime->fail(ErrorCode::wrong_type, "must be a number of days");
    const double days = downtime->value().get<double>();
    if (!std::isfinite(days) || days < 0 || days > 365) downtime->fail(ErrorCode::out_of_range, "is out of range 0-365");
    profile.max_downtime_days = days;
  }
  if (const auto list = root.optional("available_modalities")) {
    list->expect_array("must be a list of modality identifiers");
    std::vector<std::string> modalities;
    for (const JsonField& id : list->elements()) modalities.push_back(id.text("must be a string"));
    profile.available_modalities = modalities;
  }
  return profile;
}

PatientProfile read_patient_profile(const std::filesystem::path& path, const CalendarDate& today) {
  return patient_profile_from_json(read_json_file(path), path.string(), today);
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
