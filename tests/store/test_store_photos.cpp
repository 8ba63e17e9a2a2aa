// Manual mode's records (migration 3) on SQLite and PostgreSQL: a visit's photographs and the
// clinician's marks on them, kept per clinic like every other record, their blobs counted as
// referenced by fsck and carried by backup and restore.
#include <gtest/gtest.h>

#include "clinic/documents.h"
#include "core/error.h"
#include "store/backup.h"
#include "store/fsck.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::ClinicReader;
using store::ClinicWriter;
using store::Engine;

class StorePhotos : public ::testing::TestWithParam<Engine> {
 protected:
  TestRecord record{GetParam()};
  std::unique_ptr<store::Store> store = record.open();
  ClinicFixture north = make_clinic(*store, "North Clinic");

  clinic::VisitPhoto add_photo(const std::string& visit_id, const std::string& bytes, const std::string& name = "cheek.jpg") {
    const store::BlobRef blob = store->put_blob(std::string_view(bytes));
    clinic::VisitPhoto draft;
    draft.visit_id = visit_id;
    draft.file_name = name;
    draft.media_type = "image/jpeg";
    draft.sha256 = blob.sha256;
    draft.size_bytes = blob.size;
    draft.width = 4000;
    draft.height = 3000;
    draft.uploaded_by = north.clinician.id;
    return store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.create_photo(draft); });
  }

  clinic::PhotoMarking mark(const std::string& photo_id, const std::string& marks_json, int number) {
    clinic::PhotoMarking draft;
    draft.photo_id = photo_id;
    draft.marks_json = marks_json;
    draft.grades = test_document("grades", number);
    draft.made_by = north.clinician.id;
    return store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.add_marking(draft); });
  }
};

TEST_P(StorePhotos, PhotographsAndTheirMarksFollowTheVisitTheLatestMarksInForce) {
  const clinic::Patient patient = make_patient(*store, north, "Noor");
  const clinic::Visit later = make_visit(*store, north, patient.id, "2026-11-20", clinic::Region::forehead);
  const clinic::Visit first = make_visit(*store, north, patient.id, "2026-10-01", clinic::Region::forehead);
  const clinic::VisitPhoto follow_up = add_photo(later.id, "jpeg bytes of the follow-up", "follow-up.jpg");
  const clinic::VisitPhoto baseline = add_photo(first.id, "jpeg bytes of the baseline", "baseline.jpg");
  EXPECT_EQ(baseline.patient_id, patient.id);  // from the visit, not the caller
  EXPECT_EQ(baseline.clinic_id, north.clinic.id);

  const std::string earlier = R"({"marks": [{"x": 10, "y": 20, "type": "boxcar"}], "ruler": null})";
  const std::string latest = R"({"marks": [{"x": 10, "y": 20, "type": "rolling", "diameter_mm": 4.5}]})";
  const clinic::PhotoMarking first_marks = mark(baseline.id, earlier, 1);
  record.clock().advance(std::chrono::minutes(5));
  const clinic::PhotoMarking second_marks = mark(baseline.id, latest, 2);
  EXPECT_EQ(second_marks.patient_id, patient.id);
  // Made at the same instant: the later one is still the one in force.
  const clinic::PhotoMarking third_marks = mark(baseline.id, R"({"marks": []})", 4);

  store->read(north.clinic.id, [&](const ClinicReader& tx) {
    EXPECT_EQ(tx.photo(baseline.id), baseline);
    const auto of_patient = tx.photos_of_patient(patient.id);
    ASSERT_EQ(of_patient.size(), 2u);
    EXPECT_EQ(of_patient[0].id, baseline.id);  // by visit date
    EXPECT_EQ(of_patient[1].id, follow_up.id);
    ASSERT_EQ(tx.photos_of_visit(later.id).size(), 1u);
    EXPECT_EQ(tx.photos_of_visit(later.id)[0], follow_up);
    const std::vector<std::byte> bytes = tx.photo_file(baseline.id);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), "jpeg bytes of the baseline");
    EXPECT_EQ(tx.latest_marking(baseline.id), third_marks);
    const auto history = tx.markings(baseline.id);
    ASSERT_EQ(history.size(), 3u);
    EXPECT_EQ(history[0], first_marks);
    EXPECT_EQ(history[1], second_marks);
    EXPECT_EQ(history[1].marks_json, latest);  // kept as given
    EXPECT_EQ(history[1].grades, test_document("grades", 2));
    EXPECT_FALSE(tx.latest_marking(follow_up.id).has_value());
  });
}

TEST_P(StorePhotos, WhatIsNotAPhotographOfAVisitIsRefusedNamingTheField) {
  const clinic::Patient patient = make_patient(*store, north, "Omar");
  const clinic::Visit visit = make_visit(*store, north, patient.id);
  const store::BlobRef blob = store->put_blob(std::string_view("a picture"));
  clinic::VisitPhoto draft;
  draft.visit_id = visit.id;
  draft.file_name = "x.gif";
  draft.media_type = "image/gif";
  draft.sha256 = blob.sha256;
  draft.size_bytes = blob.size;
  draft.width = 10;
  draft.height = 10;
  auto refused = [&](const std::string& field) {
    try {
      store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.create_photo(draft); });
      ADD_FAILURE() << "stored a photograph with a wrong " << field;
    } catch (const InputError& error) {
      EXPECT_EQ(error.field(), field) << error.what();
    }
  };
  refused("media_type");
  draft.media_type = "image/png";
  draft.width = 0;
  refused("width");
  draft.width = 10;
  draft.size_bytes = blob.size + 1;
  refused("size_bytes");
  draft.size_bytes = blob.size;
  draft.visit_id = "AAAAAAAAAAAAAAAAAAAAAA";
  refused("visit_id");
  store->read(north.clinic.id, [&](const ClinicReader& tx) { EXPECT_TRUE(tx.photos_of_patient(patient.id).empty()); });

  draft.visit_id = visit.id;
  const clinic::VisitPhoto photo = store->write(north.clinic.id, [&](ClinicWriter& tx) { return tx.create_photo(draft); });
  clinic::PhotoMarking marking;
  marking.photo_id = photo.id;
  marking.marks_json = "[1, 2]";
  marking.grades = test_document("grades", 1);
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.add_marking(marking); }), InputError);
  marking.marks_json = R"({"marks": []})";
  marking.grades.version = "9.9.9";  // not the document's own stamp
  EXPECT_THROW(store->write(north.clinic.id, [&](ClinicWriter& tx) { tx.add_marking(marking); }), InputError);
  store->read(north.clinic.id, [&](const ClinicReader& tx) { EXPECT_TRUE(tx.markings(photo.id).empty()); });
}

TEST_P(StorePhotos, AnotherClinicSeesNoneOfThem) {
  const ClinicFixture south = make_clinic(*store, "South Clinic");
  const clinic::Patient patient = make_patient(*store, north, "Pia");
  const clinic::Visit visit = make_visit(*store, north, patient.id);
  const clinic::VisitPhoto photo = add_photo(visit.id, "north's photograph");
  mark(photo.id, R"({"marks": []})", 1);
  store->read(south.clinic.id, [&](const ClinicReader& tx) {
    EXPECT_FALSE(tx.photo(photo.id).has_value());
    EXPECT_TRUE(tx.photos_of_visit(visit.id).empty());
    EXPECT_TRUE(tx.photos_of_patient(patient.id).empty());
    EXPECT_FALSE(tx.latest_marking(photo.id).has_value());
    EXPECT_THROW(tx.photo_file(photo.id), InputError);
  });
  clinic::PhotoMarking marking;
  marking.photo_id = photo.id;
  marking.marks_json = R"({"marks": []})";
  marking.grades = test_document("grades", 2);
  EXPECT_THROW(store->write(south.clinic.id, [&](ClinicWriter& tx) { tx.add_marking(marking); }), InputError);
}

TEST_P(StorePhotos, FsckCountsAPhotographsBlobAsReferencedAndRepairKeepsIt) {
  const clinic::Patient patient = make_patient(*store, north, "Quinn");
  const clinic::Visit visit = make_visit(*store, north, patient.id);
  const clinic::VisitPhoto photo = add_photo(visit.id, "a photograph's bytes");
  record.clock().advance(std::chrono::hours(3));  // past the orphan grace period
  store::FsckOptions options;
  options.repair = true;
  const store::FsckReport report = store::check_store(*store, options);
  for (const store::FsckFinding& finding : report.findings)
    EXPECT_EQ(finding.what.find(photo.sha256), std::string::npos) << finding.check << ": " << finding.what;
  EXPECT_TRUE(store->has_blob(photo.sha256));
  EXPECT_FALSE(report.has_errors());
}

TEST_P(StorePhotos, BackupAndRestoreCarryPhotographsAndMarks) {
  const clinic::Patient patient = make_patient(*store, north, "Rui");
  const clinic::Visit visit = make_visit(*store, north, patient.id);
  const clinic::VisitPhoto photo = add_photo(visit.id, "bytes to carry over");
  mark(photo.id, R"({"marks": [{"x": 1, "y": 2, "type": "ice_pick"}]})", 3);
  const std::map<std::string, std::vector<std::string>> before = store::dump_record_tables(*store);
  ASSERT_EQ(before.at("visit_photos").size(), 1u);
  ASSERT_EQ(before.at("photo_markings").size(), 1u);

  const std::filesystem::path archive = std::filesystem::temp_directory_path() / ("photos-" + photo.id + ".tar");
  store::backup_store(*store, archive);
  TestRecord other(GetParam());
  std::unique_ptr<store::Store> restored = other.open();
  store::restore_store(*restored, archive);
  std::filesystem::remove(archive);
  EXPECT_EQ(store::dump_record_tables(*restored).at("visit_photos"), before.at("visit_photos"));
  EXPECT_EQ(store::dump_record_tables(*restored).at("photo_markings"), before.at("photo_markings"));
  restored->read(north.clinic.id, [&](const ClinicReader& tx) {
    const std::vector<std::byte> bytes = tx.photo_file(photo.id);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), "bytes to carry over");
  });
}

INSTANTIATE_TEST_SUITE_P(Engines, StorePhotos, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
