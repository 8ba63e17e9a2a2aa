// The patient profile a plan must respect (skin type, acne activity, isotretinoin, contraindications,
// distress, downtime). JSON schema in the planning issue; parsing is strict: a wrong profile must
// never silently become a plan.
#pragma once
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "planning/calendar_date.h"

namespace scarscope {

enum class AcneActivity { none, mild, moderate, severe };
enum class IsotretinoinStatus { never, current, stopped };

const char* acne_activity_name(AcneActivity activity);
const char* isotretinoin_status_name(IsotretinoinStatus status);

struct PatientProfile {
  int birth_year = 0;
  int fitzpatrick = 1;  // 1-6
  AcneActivity active_acne = AcneActivity::none;
  IsotretinoinStatus isotretinoin = IsotretinoinStatus::never;
  std::optional<CalendarDate> isotretinoin_stopped_on;
  bool keloid_history = false;
  bool hsv_history = false;
  bool active_cold_sore = false;
  bool active_skin_infection = false;
  bool pregnant_or_breastfeeding = false;
  bool anticoagulants = false;
  bool bdd_screen_positive = false;
  double distress_0_10 = 0.0;
  std::optional<double> max_downtime_days;
  std::optional<std::vector<std::string>> available_modalities;
};

// Throws InputError naming the field (unknown field, wrong type, out of range, missing).
// `source` (a file name) prefixes the message. The year of `today` bounds birth_year.
PatientProfile patient_profile_from_json(const nlohmann::json& document, const std::string& source,
                                         const CalendarDate& today);
PatientProfile read_patient_profile(const std::filesystem::path& path, const CalendarDate& today);

nlohmann::json patient_profile_to_json(const PatientProfile& profile);

}  // namespace scarscope
