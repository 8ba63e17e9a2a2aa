// The store's conformance suite: every record kind written and read back, on SQLite and on
// PostgreSQL, through the same interface a server uses.
#include <gtest/gtest.h>

#include "clinic/documents.h"
#include "clinic/ids.h"
#include "clinic/patient_profile_parts.h"
#include "clinic/vocabulary.h"
#include "core/error.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using clinic::Region;
using store::ClinicReader;
using store::ClinicWriter;
using store::Engine;

class StoreRecords : public ::testing::TestWithParam<Engine> {
 protected:
  TestRecord record{GetParam()};
  std::unique_ptr<store::Store> store = record.open();
  ClinicFixture north = make_clinic(*store, "North Clinic");
};

TEST_P(StoreRecords, APatientRegisteredWithANameAloneIsCompletedLater) {
  const clinic::Patient registered = make_patient(*store, north, "Ana Souza");
  EXPECT_EQ(registered.name, "Ana Souza");
  EXPECT_EQ(registered.clinic_id, north.clinic.id);
  EXPECT_TRUE(clinic::is_record_id(registered.id));
  EXPECT_EQ(clinic::missing_profile_fields(registered).size(), 12u);

  clinic::Patient changed = registered;
  changed.identifier = "MRN-0042";
  changed.birth_year = 1994;
  changed.fitzpatrick = 4;
  changed.sex = clinic::Sex::female;
  changed.profile_json =
      R"({"active_acne": "none", "isotretinoin": {"status": "never"}, "keloid_history": false, "hsv_history": true,
          "active_cold_sore": false, "active_skin_infection": false, "pregnant_or_breastfeeding": false,
          "anticoagulants": false, "bdd_screen_positive": false, "distress_0_10": 4})";
  record.clock().advance(std::chrono::minutes(5));
  const clinic::Patient updated = store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.update_patient(changed); });
  EXPECT_EQ(updated.updated_at, registered.updated_at + std::chrono::minutes(5));

  const auto read = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.patient(registered.id); });
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, updated);
  EXPECT_TRUE(clinic::missing_profile_fields(*read).empty());
  const PatientProfile profile = clinic::complete_profile(*read, CalendarDate::parse("2026-12-04", "today"));
  EXPECT_EQ(profile.fitzpatrick, 4);
  EXPECT_TRUE(profile.hsv_history);
}

TEST_P(StoreRecords, AWrongProfilePartIsRefusedAndNothingChanges) {
  const clinic::Patient patient = make_patient(*store, north, "Ben Okafor");
  clinic::Patient changed = patient;
  changed.profile_json = R"({"active_acne": "raging"})";
  try {
    store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.update_patient(changed); });
    FAIL() << "a wrong profile value was stored";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("active_acne"), std::string::npos) << error.what();
  }
  const auto read = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.patient(patient.id); });
  EXPECT_EQ(read->profile_json, "{}");
}

TEST_P(StoreRecords, PatientsAreFoundByNameOrIdentifierWithPaging) {
  for (const char* name : {"Chloé Martin", "Carl Martinez", "Dana Scully", "Erik Martins"}) {
    make_patient(*store, north, name);
  }
  clinic::Patient with_number = make_patient(*store, north, "Fay Wong");
  with_number.identifier = "AB-77";
  store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.update_patient(with_number); });

  const auto martins = store->read(north.clinic.id, [&](const ClinicReader& tx) {
    return tx.find_patients("MARTIN", {2, 0});
  });
  EXPECT_EQ(martins.total, 3);
  ASSERT_EQ(martins.items.size(), 2u);
  EXPECT_EQ(martins.items[0].name, "Carl Martinez");  // by name
  EXPECT_EQ(martins.items[1].name, "Chloé Martin");
  const auto second_page = store->read(north.clinic.id, [&](const ClinicReader& tx) {
    return tx.find_patients("martin", {2, 2});
  });
  ASSERT_EQ(second_page.items.size(), 1u);
  EXPECT_EQ(second_page.items[0].name, "Erik Martins");

  const auto accented = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients("CHLOÉ"); });
  ASSERT_EQ(accented.total, 1);
  const auto by_number = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients("ab-"); });
  ASSERT_EQ(by_number.total, 1);
  EXPECT_EQ(by_number.items[0].id, with_number.id);
  // A user's "%" is a character, not a wildcard.
  const auto percent = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients("%"); });
  EXPECT_EQ(percent.total, 0);
  const auto everyone = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients(""); });
  EXPECT_EQ(everyone.total, 5);
  // The list without search text (its own query): by name, paged, the total of all.
  const auto listed = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients("", {2, 1}); });
  EXPECT_EQ(listed.total, 5);
  ASSERT_EQ(listed.items.size(), 2u);
  EXPECT_EQ(listed.items[0].name, "Chloé Martin");
  EXPECT_EQ(listed.items[1].name, "Dana Scully");
  const auto last = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients("", {2, 4}); });
  EXPECT_EQ(last.total, 5);
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_EQ(last.items[0].name, "Fay Wong");
}

TEST_P(StoreRecords, ADuplicateIdentifierIsAConflictNamingTheField) {
  clinic::Patient first = make_patient(*store, north, "Gil");
  first.identifier = "X1";
  store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.update_patient(first); });
  clinic::Patient draft;
  draft.name = "Hana";
  draft.identifier = "x1";  // identifiers compare without case
  try {
    store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.create_patient(draft); });
    FAIL() << "a duplicate identifier was stored";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::conflict);
    EXPECT_EQ(error.field(), "identifier");
  }
  const auto everyone = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients(""); });
  EXPECT_EQ(everyone.total, 1);
}

TEST_P(StoreRecords, ConsentsVisitsAndScansFollowThePatient) {
  const clinic::Patient patient = make_patient(*store, north, "Ida");
  clinic::Consent consent;
  consent.patient_id = patient.id;
  consent.kind = clinic::ConsentKind::photography;
  consent.date = CalendarDate::parse("2026-11-01", "date");
  consent.recorded_by = north.clinician.id;
  const clinic::Consent given = store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.record_consent(consent); });
  consent.state = clinic::ConsentState::withdrawn;
  consent.date = CalendarDate::parse("2026-11-20", "date");
  store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.record_consent(consent); });

  const clinic::Visit later = make_visit(*store, north, patient.id, "2026-11-30");
  const clinic::Visit first = make_visit(*store, north, patient.id, "2026-10-01", Region::right_cheek);
  const clinic::Scan scan = make_scan(*store, north, first.id, "scan bytes of the first visit");

  store->read(north.clinic.id, [&](const ClinicReader& tx) {
    const auto consents = tx.consents(patient.id);
    ASSERT_EQ(consents.size(), 2u);
    EXPECT_EQ(consents[0], given);
    EXPECT_EQ(consents[1].state, clinic::ConsentState::withdrawn);
    const auto visits = tx.visits(patient.id);
    ASSERT_EQ(visits.size(), 2u);
    EXPECT_EQ(visits[0].id, first.id);  // by date
    EXPECT_EQ(visits[1].id, later.id);
    EXPECT_EQ(visits[0].region, Region::right_cheek);
    const auto scans = tx.scans_of_patient(patient.id);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0], scan);
    EXPECT_EQ(scans[0].patient_id, patient.id);  // taken from the visit, not from the caller
    EXPECT_EQ(tx.scans_of_visit(later.id).size(), 0u);
    const std::vector<std::byte> bytes = tx.scan_file(scan.id);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), "scan bytes of the first visit");
  });
}

TEST_P(StoreRecords, AScanMustNameAStoredBlobOfItsSize) {
  const clinic::Patient patient = make_patient(*store, north, "Jon");
  const clinic::Visit visit = make_visit(*store, north, patient.id);
  clinic::Scan draft;
  draft.visit_id = visit.id;
  draft.file_name = "a.x3p";
  draft.format = "x3p";
  draft.sha256 = std::string(64, 'a');
  draft.size_bytes = 3;
  try {
    store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.create_scan(draft); });
    FAIL() << "a scan without its blob was stored";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::not_found);
    EXPECT_EQ(error.field(), "sha256");
  }
  const store::BlobRef blob = store->put_blob(std::string_view("abc"));
  draft.sha256 = blob.sha256;
  draft.size_bytes = 4;
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.create_scan(draft); }), InputError);
  draft.size_bytes = 3;
  EXPECT_NO_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.create_scan(draft); }));
}

TEST_P(StoreRecords, BlobsAreNamedByTheirContentAndStoredOnce) {
  const std::string content(3 * 1024 * 1024 + 17, 'z');  // more than one PostgreSQL piece
  std::unique_ptr<store::BlobWriter> writer = store->begin_blob();
  for (std::size_t at = 0; at < content.size(); at += 100000) {
    writer->write(std::string_view(content).substr(at, 100000));
  }
  const store::BlobRef first = writer->commit();
  EXPECT_EQ(first.size, static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(first.sha256, clinic::sha256_hex(content));
  const store::BlobRef again = store->put_blob(std::string_view(content));
  EXPECT_EQ(again, first);
  EXPECT_TRUE(store->has_blob(first.sha256));
  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  EXPECT_EQ(counts.at("blobs"), 1);

  const clinic::Patient patient = make_patient(*store, north, "Kai");
  const clinic::Visit visit = make_visit(*store, north, patient.id);
  const clinic::Scan scan = make_scan(*store, north, visit.id, content);
  std::string read_back;
  std::size_t pieces = 0;
  store->read(north.clinic.id, [&](const ClinicReader& tx) {
    tx.read_scan_file(scan.id, [&](std::span<const std::byte> piece) {
      read_back.append(reinterpret_cast<const char*>(piece.data()), piece.size());
      ++pieces;
      EXPECT_LE(piece.size(), 1u << 20);
    });
  });
  EXPECT_EQ(read_back, content);
  EXPECT_GE(pieces, 4u);
}

TEST_P(StoreRecords, AbandonedBlobWritesLeaveNothing) {
  {
    std::unique_ptr<store::BlobWriter> writer = store->begin_blob();
    writer->write(std::string_view("half an upload"));
  }
  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  EXPECT_EQ(counts.at("blobs"), 0);
  if (GetParam() == Engine::sqlite) {
    EXPECT_TRUE(std::filesystem::is_empty(record.location().data_dir / "blobs" / "tmp"));
  }
}

TEST_P(StoreRecords, AssessmentsCorrectionsAndComparisonsKeepTheirDocumentsExactly) {
  const clinic::Patient patient = make_patient(*store, north, "Lea");
  const clinic::Visit baseline_visit = make_visit(*store, north, patient.id, "2026-09-01");
  const clinic::Visit followup_visit = make_visit(*store, north, patient.id, "2026-11-01");
  const clinic::Scan baseline = make_scan(*store, north, baseline_visit.id, "baseline");
  const clinic::Scan followup = make_scan(*store, north, followup_visit.id, "follow-up");

  // The exact text is kept (key order, spacing, numbers), whatever the engine.
  const std::string text = R"({"scars": [{"id": 1, "depth_um": 412.50}],   "scarscope": {"schema": 2, "version": "0.1.0"}})";
  clinic::Assessment draft;
  draft.scan_id = baseline.id;
  draft.analysis = clinic::stored_document(text, "analysis");
  const clinic::Assessment stored = store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.store_assessment(draft); });
  EXPECT_EQ(stored.analysis.json, text);
  EXPECT_EQ(stored.analysis.version, "0.1.0");
  EXPECT_EQ(stored.analysis.schema, "2");
  EXPECT_EQ(stored.visit_id, baseline_visit.id);

  clinic::AssessmentCorrection correction;
  correction.assessment_id = stored.id;
  correction.clinician_inputs_json = R"({"scars": {"1": {"type": "boxcar"}}, "papular_scars": 2})";
  correction.corrected = test_document("corrected assessment", 1);
  correction.made_by = north.clinician.id;
  store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.add_correction(correction); });
  record.clock().advance(std::chrono::seconds(30));
  correction.clinician_inputs_json = R"({"scars": {"1": {"remove": true}}})";
  correction.corrected.reset();
  store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.add_correction(correction); });

  clinic::Comparison comparison;
  comparison.baseline_scan_id = baseline.id;
  comparison.followup_scan_id = followup.id;
  comparison.result = test_document("comparison", 7);
  store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.store_comparison(comparison); });

  store->read(north.clinic.id, [&](const ClinicReader& tx) {
    EXPECT_EQ(tx.latest_assessment_of_scan(baseline.id), stored);
    EXPECT_FALSE(tx.latest_assessment_of_scan(followup.id).has_value());
    const auto corrections = tx.corrections(stored.id);
    ASSERT_EQ(corrections.size(), 2u);
    EXPECT_TRUE(corrections[0].corrected.has_value());
    EXPECT_EQ(corrections[0].corrected->json, test_document("corrected assessment", 1).json);
    EXPECT_FALSE(corrections[1].corrected.has_value());
    EXPECT_EQ(corrections[1].clinician_inputs_json, R"({"scars": {"1": {"remove": true}}})");
    const auto comparisons = tx.comparisons_of_patient(patient.id);
    ASSERT_EQ(comparisons.size(), 1u);
    EXPECT_EQ(comparisons[0].result, test_document("comparison", 7));
  });
}

TEST_P(StoreRecords, ADocumentWithoutItsVersionStampIsRefused) {
  const clinic::Patient patient = make_patient(*store, north, "Mo");
  const clinic::Visit visit = make_visit(*store, north, patient.id);
  clinic::Plan plan;
  plan.visit_id = visit.id;
  plan.proposal = {R"({"steps": []})", "0.1.0", "1"};  // the stamp beside it, not in it
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.create_plan(plan); }), InputError);
  EXPECT_THROW(clinic::stored_document("[1, 2]"), InputError);
  EXPECT_THROW(clinic::stored_document("{\"scarscope\": {\"version\": \"1\"}}"), InputError);
  EXPECT_TRUE(store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.plans_of_patient(patient.id); }).empty());
}

TEST_P(StoreRecords, AcceptingAPlanSupersedesThePreviousOneAndOnlyOnce) {
  const clinic::Patient patient = make_patient(*store, north, "Nia");
  const clinic::Visit first_visit = make_visit(*store, north, patient.id, "2026-06-01");
  const clinic::Visit second_visit = make_visit(*store, north, patient.id, "2026-10-01");
  clinic::Plan draft;
  draft.visit_id = first_visit.id;
  draft.proposal = test_document("plan", 1);
  draft.created_by = north.clinician.id;
  const clinic::Plan first = store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.create_plan(draft); });
  EXPECT_EQ(first.status, clinic::PlanStatus::proposed);
  const clinic::Plan accepted = store->write(north.clinic.id, [&](ClinicWriter& tx) {
    return tx.accept_plan(first.id, north.clinician.id, std::nullopt, "");
  });
  EXPECT_EQ(accepted.status, clinic::PlanStatus::accepted);
  EXPECT_EQ(accepted.accepted, first.proposal);
  EXPECT_EQ(accepted.accepted_by, north.clinician.id);
  EXPECT_EQ(accepted.accepted_at, record.clock().now());

  try {
    store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.accept_plan(first.id, north.clinician.id, std::nullopt, ""); });
    FAIL() << "a plan was accepted twice";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::conflict);
  }

  record.clock().advance(std::chrono::hours(24 * 120));
  draft.visit_id = second_visit.id;
  draft.proposal = test_document("plan", 2);
  const clinic::Plan second = store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.create_plan(draft); });
  const clinic::StoredDocument edited = test_document("plan edited by the clinician", 2);
  store->write(north.clinic.id, [&](ClinicWriter& tx) {
    tx.accept_plan(second.id, north.clinician.id, edited, "one subcision session fewer");
  });
  const auto plans = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.plans_of_patient(patient.id); });
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].status, clinic::PlanStatus::superseded);
  EXPECT_EQ(plans[1].status, clinic::PlanStatus::accepted);
  EXPECT_EQ(plans[1].accepted, edited);
  EXPECT_EQ(plans[1].proposal, test_document("plan", 2));
  EXPECT_EQ(plans[1].acceptance_note, "one subcision session fewer");
}

TEST_P(StoreRecords, TreatmentSessionsAndAdverseEventsAreRecordedWithTheirParameters) {
  const clinic::Patient patient = make_patient(*store, north, "Omar");
  const clinic::Visit visit = make_visit(*store, north, patient.id, "2026-11-10");
  clinic::TreatmentSession draft;
  draft.patient_id = patient.id;
  draft.visit_id = visit.id;
  draft.date = CalendarDate::parse("2026-11-10", "date");
  draft.modality = "tca_cross";
  draft.parameters = {{"tca_concentration_pct", 100.0}};
  draft.region = Region::left_cheek;
  draft.target_scar_ids = {3, 7, 12};
  draft.operator_id = north.clinician.id;
  draft.notes = "wooden applicator, frosting in 20 s";
  const clinic::TreatmentSession session =
      store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.record_treatment_session(draft, test_vocabulary()); });

  clinic::AdverseEvent event;
  event.session_id = session.id;
  event.kind = clinic::AdverseEventKind::post_inflammatory_hyperpigmentation;
  event.severity = clinic::Severity::mild;
  event.onset = CalendarDate::parse("2026-11-17", "onset");
  const clinic::AdverseEvent recorded = store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.record_adverse_event(event); });
  EXPECT_EQ(recorded.patient_id, patient.id);
  clinic::AdverseEvent resolved = recorded;
  resolved.resolved = CalendarDate::parse("2026-12-01", "resolved");
  store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.update_adverse_event(resolved); });

  store->read(north.clinic.id, [&](const ClinicReader& tx) {
    const auto sessions = tx.treatment_sessions(patient.id);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0], session);
    EXPECT_EQ(sessions[0].parameters.at("tca_concentration_pct"), 100.0);
    EXPECT_EQ(sessions[0].target_scar_ids, (std::vector<int>{3, 7, 12}));
    const auto events = tx.adverse_events_of_patient(patient.id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].resolved, CalendarDate::parse("2026-12-01", "resolved"));
    EXPECT_EQ(tx.adverse_events_of_session(session.id).size(), 1u);
  });

  // An event cannot resolve before it began, nor begin before its session.
  resolved.resolved = CalendarDate::parse("2026-11-01", "resolved");
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.update_adverse_event(resolved); }), InputError);
  event.onset = CalendarDate::parse("2026-11-01", "onset");
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.record_adverse_event(event); }), InputError);
}

TEST_P(StoreRecords, ASessionParameterOutOfItsRangeIsRefusedAndNothingIsStored) {
  const clinic::Patient patient = make_patient(*store, north, "Pia");
  clinic::TreatmentSession draft;
  draft.patient_id = patient.id;
  draft.date = CalendarDate::parse("2026-11-10", "date");
  draft.modality = "microneedling";
  draft.parameters = {{"needle_depth_mm", 15.0}};  // 1.5 mm typed as 15
  try {
    store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.record_treatment_session(draft, test_vocabulary()); });
    FAIL() << "a needle depth of 15 mm was stored";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::out_of_range);
    EXPECT_EQ(error.field(), "parameters.needle_depth_mm");
    EXPECT_NE(std::string(error.what()).find("0.25-2.5 mm"), std::string::npos) << error.what();
  }
  draft.parameters = {{"energy_mj", 10.0}};  // not a microneedling parameter
  try {
    store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.record_treatment_session(draft, test_vocabulary()); });
    FAIL() << "a laser parameter was stored for microneedling";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::unknown_field);
  }
  draft.modality = "laser_of_unknown_kind";
  draft.parameters.clear();
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.record_treatment_session(draft, test_vocabulary()); }),
               InputError);
  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.record_counts(); });
  EXPECT_EQ(counts.at("treatment_sessions"), 0);
}

TEST_P(StoreRecords, ReferencesToMissingRecordsAreNotFoundNamingTheField) {
  clinic::Visit visit;
  visit.patient_id = "AAAAAAAAAAAAAAAAAAAAAA";
  visit.date = CalendarDate::parse("2026-11-01", "date");
  try {
    store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.create_visit(visit); });
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::not_found);
    EXPECT_EQ(error.field(), "patient_id");
  }
}

TEST_P(StoreRecords, UsersAreUniqueByEmailAcrossClinics) {
  const ClinicFixture south = make_clinic(*store, "South Clinic");
  clinic::User draft = north.clinician;
  draft.clinic_id = south.clinic.id;
  draft.email = "  " + north.clinician.email.substr(0, 3) + north.clinician.email.substr(3) + " ";
  draft.email[2] = static_cast<char>(std::toupper(draft.email[2]));
  try {
    store->write(south.clinic.id, [&](ClinicWriter& tx) { tx.create_user(draft); });
    FAIL() << "two users share an email";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::conflict);
    EXPECT_EQ(error.field(), "email");
  }
  const auto found = store->read_system([&](store::SystemReader& tx) { return tx.user_by_email(draft.email); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, north.clinician.id);
  EXPECT_THROW(store->write_system([](store::SystemWriter& tx) { tx.create_clinic("North Clinic"); }), InputError);
}

TEST_P(StoreRecords, ATransactionThatThrowsChangesNothing) {
  EXPECT_THROW(store->write(north.clinic.id,
                            [&](ClinicWriter& tx) {
                              clinic::Patient draft;
                              draft.name = "Quinn";
                              tx.create_patient(draft);
                              throw std::runtime_error("the request failed half-way");
                            }),
               std::runtime_error);
  const auto everyone = store->read(north.clinic.id, [&](const ClinicReader& tx) { return tx.find_patients(""); });
  EXPECT_EQ(everyone.total, 0);
}

TEST_P(StoreRecords, ATransactionInsideATransactionIsRefusedClearly) {
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter&) { store->read_system([](store::SystemReader&) {}); }),
               std::logic_error);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreRecords, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
