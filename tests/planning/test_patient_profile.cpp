// The patient profile is parsed strictly: a wrong profile must never silently become a plan.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "planning/patient_profile.h"

namespace scarscope {
namespace {

using nlohmann::json;

json valid_profile() {
  return json::parse(R"({"birth_year": 1990, "fitzpatrick": 4, "active_acne": "mild",
    "isotretinoin": {"status": "stopped", "stopped_on": "2025-12-01"},
    "keloid_history": false, "hsv_history": true, "active_cold_sore": false, "active_skin_infection": false,
    "pregnant_or_breastfeeding": false, "anticoagulants": false, "bdd_screen_positive": false,
    "distress_0_10": 6, "max_downtime_days": 5, "available_modalities": ["tca_cross"]})");
}

const CalendarDate kToday = CalendarDate::parse("2026-03-02", "test");

std::string error_of(const json& document) {
  try {
    patient_profile_from_json(document, "p.json", kToday);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(PatientProfile, ReadsEveryField) {
  const PatientProfile p = patient_profile_from_json(valid_profile(), "p.json", kToday);
  EXPECT_EQ(p.birth_year, 1990);
  EXPECT_EQ(p.fitzpatrick, 4);
  EXPECT_EQ(p.active_acne, AcneActivity::mild);
  EXPECT_EQ(p.isotretinoin, IsotretinoinStatus::stopped);
  EXPECT_EQ(p.isotretinoin_stopped_on->to_string(), "2025-12-01");
  EXPECT_TRUE(p.hsv_history);
  EXPECT_EQ(p.distress_0_10, 6);
  EXPECT_EQ(*p.max_downtime_days, 5);
  EXPECT_EQ(p.available_modalities->size(), 1u);
  EXPECT_EQ(patient_profile_to_json(p), valid_profile());
}

TEST(PatientProfile, ErrorsNameTheField) {
  struct Case {
    const char* field;
    json value;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"fitzpatrick", 7, "fitzpatrick"},        {"fitzpatrick", 3.5, "fitzpatrick"},
      {"fitzpatrick", "IV", "fitzpatrick"},     {"distress_0_10", 11, "distress_0_10"},
      {"distress_0_10", -1, "distress_0_10"},   {"active_acne", "extreme", "active_acne"},
      {"keloid_history", "no", "keloid_history"}, {"birth_year", 1850, "birth_year"},
      {"birth_year", 2030, "birth_year"},       {"max_downtime_days", -2, "max_downtime_days"},
      {"available_modalities", "tca_cross", "available_modalities"},
      {"isotretinoin", json{{"status", "sometimes"}}, "isotretinoin.status"},
      {"isotretinoin", json{{"status", "stopped"}, {"stopped_on", "01/12/2025"}}, "isotretinoin.stopped_on"},
      {"isotretinoin", json{{"status", "stopped"}, {"stopped_on", "2026-05-01"}}, "isotretinoin.stopped_on"},
      {"isotretinoin", json{{"status", "never"}, {"dose", 20}}, "isotretinoin.dose"},
  };
  for (const auto& c : cases) {
    json document = valid_profile();
    document[c.field] = c.value;
    const std::string message = error_of(document);
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.field << " = " << c.value.dump() << ": " << message;
    EXPECT_NE(message.find("p.json"), std::string::npos);
  }
}

TEST(PatientProfile, UnknownAndMissingFields) {
  json unknown = valid_profile();
  unknown["smoker"] = true;
  EXPECT_NE(error_of(unknown).find("smoker"), std::string::npos);
  json missing = valid_profile();
  missing.erase("anticoagulants");
  EXPECT_NE(error_of(missing).find("anticoagulants"), std::string::npos);
  EXPECT_NE(error_of(json::array()).find("object"), std::string::npos);
  json optional_absent = valid_profile();
  optional_absent.erase("max_downtime_days");
  optional_absent.erase("available_modalities");
  EXPECT_EQ(error_of(optional_absent), "");
}

}  // namespace
}  // namespace scarscope
