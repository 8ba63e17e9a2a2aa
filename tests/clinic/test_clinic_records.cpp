// The clinic layer's plain pieces: names of vocabularies, times, ids and tokens, passwords, the
// rules records meet, partial planning profiles, session parameters from kb/, stored documents.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "clinic/clock.h"
#include "clinic/documents.h"
#include "clinic/ids.h"
#include "clinic/password.h"
#include "clinic/patient_profile_parts.h"
#include "clinic/treatment_vocabulary.h"
#include "clinic/validation.h"
#include "clinic/vocabulary.h"
#include "core/error.h"

namespace scarscope::clinic {
namespace {

TEST(ClinicVocabulary, EveryNameReadsBackAsItsValue) {
  for (std::string_view region : region_names()) EXPECT_EQ(name(parse_region(region)), region);
  for (std::string_view role : role_names()) EXPECT_EQ(name(parse_role(role)), role);
  for (std::string_view kind : adverse_event_kind_names()) EXPECT_EQ(name(parse_adverse_event_kind(kind)), kind);
  EXPECT_EQ(region_names().size(), 12u);
  EXPECT_EQ(name(AuditAction::delete_), "delete");
  EXPECT_EQ(name(AuditAction::export_), "export");
  EXPECT_EQ(parse_audit_action("login_failed"), AuditAction::login_failed);
}

TEST(ClinicVocabulary, AnUnknownNameIsRefusedListingTheAcceptedOnes) {
  try {
    parse_region("left_ear", "visit.region");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::out_of_range);
    EXPECT_EQ(error.field(), "visit.region");
    EXPECT_NE(std::string(error.what()).find("left_cheek"), std::string::npos) << error.what();
  }
}

TEST(ClinicClock, TimesAreWrittenInUtcWithMicrosecondsAndReadBack) {
  const Timestamp moment = parse_timestamp("2026-12-04T09:30:00.123456Z", "t");
  EXPECT_EQ(format_timestamp(moment), "2026-12-04T09:30:00.123456Z");
  EXPECT_EQ(parse_timestamp("2026-12-04T09:30:00Z", "t"), moment - std::chrono::microseconds(123456));
  EXPECT_EQ(from_unix_microseconds(to_unix_microseconds(moment)), moment);
  EXPECT_EQ(format_timestamp(from_unix_microseconds(0)), "1970-01-01T00:00:00.000000Z");
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-12-04 09:30:00", "2026-12-04T25:00:00Z", "yesterday", ""}) {
    EXPECT_THROW(parse_timestamp(bad, "t"), InputError) << bad;
  }
  ManualClock clock(moment);
  clock.advance(std::chrono::hours(1));
  EXPECT_EQ(clock.now(), moment + std::chrono::hours(1));
}

TEST(ClinicIds, IdsAreRandomOpaqueAndUrlSafe) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_record_id();
    EXPECT_TRUE(is_record_id(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_FALSE(is_record_id("../../etc/passwd"));
  EXPECT_FALSE(is_record_id("1"));
  const std::string token = new_session_token();
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(session_token_hash(token).size(), 64u);
  EXPECT_NE(session_token_hash(token), session_token_hash(new_session_token()));
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ClinicPasswords, Argon2idHashesVerifyOnlyTheirPassword) {
  const std::string hash = hash_password("correct horse battery staple");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(verify_password(hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password("not a hash", "anything at all"));
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_NE(hash_password("correct horse battery staple"), hash);  // salted
  EXPECT_THROW(hash_password("too short"), InputError);
  EXPECT_THROW(check_password_rules(std::string(2000, 'x')), InputError);
  EXPECT_FALSE(verify_password(decoy_password_hash(), "correct horse battery staple"));
}

TEST(ClinicValidation, EmailsAreNormalisedAndCheckedForShape) {
  EXPECT_EQ(normalise_email("  Dr.Ana@Clinic.Example "), "dr.ana@clinic.example");
  for (const char* bad : {"", "no-at-sign", "@clinic.example", "a@b", "a@@b.example", "a b@c.example", "a@b.example."}) {
    EXPECT_THROW(normalise_email(bad), InputError) << bad;
  }
}

TEST(ClinicValidation, TextIsBoundedValidUtf8WithoutControlCharacters) {
  EXPECT_NO_THROW(check_text("Zoë Ørsted 日本", "name", 200, true));
  EXPECT_THROW(check_text("", "name", 200, true), InputError);
  EXPECT_THROW(check_text("   ", "name", 200, true), InputError);
  EXPECT_THROW(check_text(std::string(201, 'a'), "name", 200), InputError);
  EXPECT_THROW(check_text("bad \xC3\x28 byte", "name", 200), InputError);
  EXPECT_THROW(check_text("over\xC0\xAFlong", "name", 200), InputError);
  EXPECT_THROW(check_text("a\x01" "b", "name", 200), InputError);
  EXPECT_THROW(check_text("two\nlines", "name", 200), InputError);
  EXPECT_NO_THROW(check_text("two\nlines", "notes", 200, false, true));
}

TEST(ClinicValidation, AdverseEventsResolveAfterTheyBegin) {
  AdverseEvent event;
  event.session_id = "s";
  event.onset = CalendarDate::parse("2026-11-10", "onset");
  event.resolved = CalendarDate::parse("2026-11-09", "resolved");
  const CalendarDate today = CalendarDate::parse("2026-12-04", "today");
  try {
    check_adverse_event(event, today);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.field(), "resolved");
  }
  event.resolved = CalendarDate::parse("2026-11-20", "resolved");
  EXPECT_NO_THROW(check_adverse_event(event, today));
  event.onset = CalendarDate::parse("1850-01-01", "onset");
  EXPECT_THROW(check_adverse_event(event, today), InputError);
}

TEST(ClinicProfile, MissingFieldsAreListedAndTheProfileCompletesWhenAllAreGiven) {
  Patient patient;
  patient.name = "Ana";
  EXPECT_EQ(missing_profile_fields(patient).front(), "birth_year");
  patient.birth_year = 1994;
  patient.fitzpatrick = 5;
  patient.profile_json = R"({"active_acne": "mild", "isotretinoin": {"status": "stopped", "stopped_on": "2026-01-15"}})";
  const std::vector<std::string> missing = missing_profile_fields(patient);
  ASSERT_EQ(missing.size(), 8u);
  EXPECT_EQ(missing.front(), "keloid_history");
  EXPECT_EQ(missing.back(), "distress_0_10");
  const CalendarDate today = CalendarDate::parse("2026-12-04", "today");
  try {
    complete_profile(patient, today);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::missing_field);
    EXPECT_NE(std::string(error.what()).find("keloid_history, hsv_history"), std::string::npos) << error.what();
  }
  patient.profile_json = R"({"active_acne": "mild", "isotretinoin": {"status": "stopped", "stopped_on": "2026-01-15"},
    "keloid_history": true, "hsv_history": false, "active_cold_sore": false, "active_skin_infection": false,
    "pregnant_or_breastfeeding": false, "anticoagulants": false, "bdd_screen_positive": false, "distress_0_10": 6.5})";
  const PatientProfile profile = complete_profile(patient, today);
  EXPECT_EQ(profile.birth_year, 1994);
  EXPECT_EQ(profile.fitzpatrick, 5);
  EXPECT_TRUE(profile.keloid_history);
  EXPECT_EQ(profile.isotretinoin, IsotretinoinStatus::stopped);
  EXPECT_DOUBLE_EQ(profile.distress_0_10, 6.5);
}

TEST(ClinicProfile, EachGivenPartIsCheckedWithThePlannersRules) {
  const CalendarDate today = CalendarDate::parse("2026-12-04", "today");
  EXPECT_NO_THROW(check_profile_parts("{}", today));
  EXPECT_NO_THROW(check_profile_parts(R"({"distress_0_10": 3})", today));
  EXPECT_THROW(check_profile_parts(R"({"distress_0_10": 11})", today), InputError);
  EXPECT_THROW(check_profile_parts(R"({"favourite_colour": "blue"})", today), InputError);
  EXPECT_THROW(check_profile_parts(R"({"birth_year": 1990})", today), InputError);  // a patient field
  EXPECT_THROW(check_profile_parts("[1]", today), InputError);
  EXPECT_THROW(check_profile_parts(R"({"isotretinoin": {"status": "stopped", "stopped_on": "2027-06-01"}})", today),
               InputError);
}

TEST(ClinicTreatmentVocabulary, TheKnowledgeBaseGivesModalitiesAndParameterRangesWithEvidence) {
  const TreatmentVocabulary vocabulary =
      read_treatment_vocabulary(std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "kb");
  EXPECT_TRUE(vocabulary.modalities.count("tca_cross"));
  EXPECT_TRUE(vocabulary.modalities.count("subcision"));
  const ParameterRange& tca = vocabulary.parameters.at("tca_cross").at("tca_concentration_pct");
  EXPECT_EQ(tca.min, 65.0);
  EXPECT_EQ(tca.max, 100.0);
  EXPECT_EQ(tca.unit, "%");
  EXPECT_TRUE(tca.confirmed);
  EXPECT_FALSE(tca.citations.empty());
  for (const auto& [modality, ranges] : vocabulary.parameters) {
    EXPECT_TRUE(vocabulary.modalities.count(modality)) << modality;
    for (const auto& [parameter, range] : ranges) EXPECT_FALSE(range.citations.empty()) << modality << " " << parameter;
  }
  EXPECT_NO_THROW(vocabulary.check_session("tca_cross", {{"tca_concentration_pct", 65}}));
  EXPECT_NO_THROW(vocabulary.check_session("punch_excision", {}));
  EXPECT_THROW(vocabulary.check_session("tca_cross", {{"tca_concentration_pct", 650}}), InputError);
  EXPECT_THROW(vocabulary.check_session("tca_cross", {{"tca_concentration_pct", std::nan("")}}), InputError);
  EXPECT_THROW(vocabulary.check_session("punch_excision", {{"needle_depth_mm", 1}}), InputError);
  EXPECT_THROW(vocabulary.check_session("homeopathy", {}), InputError);
}

TEST(ClinicTreatmentVocabulary, ARangeForAModalityTheTreatmentsDoNotKnowIsRefused) {
  const nlohmann::json document = nlohmann::json::parse(R"({"parameters": {"x_mm": {"unit": "mm"}},
    "modalities": {"teleportation": {"x_mm": {"value": [1, 2], "evidence": [{"citation": "c", "confirmed": true}]}}}})");
  EXPECT_THROW(treatment_vocabulary_from_json({"tca_cross"}, document), InputError);
}

TEST(ClinicDocuments, AStoredDocumentKeepsItsTextAndLiftsItsStamp) {
  const std::string text = R"({"b": 1, "scarscope": {"version": "0.1.0", "schema": 3}, "a": [1.50]})";
  const StoredDocument document = stored_document(text);
  EXPECT_EQ(document.json, text);
  EXPECT_EQ(document.version, "0.1.0");
  EXPECT_EQ(document.schema, "3");
  EXPECT_THROW(stored_document("{\"a\": 1}"), InputError);
  EXPECT_THROW(stored_document("{\"scarscope\": {\"version\": \"0.1.0\", \"schema\": true}}"), InputError);
  EXPECT_THROW(stored_document("not json"), InputError);
}

}  // namespace
}  // namespace scarscope::clinic
