// Manual mode over real HTTP on both engines (issue 18 item 9): a photograph uploaded to a visit,
// the clinician's marks on it graded as a clinician's estimate (basis clinician_only, never a 3D
// estimate), a plan from the marks; what is not a photograph, marks off the picture and an
// assistant's marks are refused and store nothing.
#include <gtest/gtest.h>

#include "core/error.h"
#include "server/photo_marks.h"
#include "server_test_support.h"
#include "surface/png_codec.h"

namespace scarscope::test {
namespace {

// A real PNG picture, `width` x `height`, grey with a gradient.
std::string png_picture(int width, int height) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>((i / 3) % 251);
  return encode_png(pixels.data(), width, height, 3, 8, "test photo");
}

// The start of a JPEG file as cameras write it: SOI, an APP1 (Exif) segment, then the frame header
// (SOF0) that gives its size.
std::string jpeg_header(int width, int height) {
  std::string bytes = "\xFF\xD8";
  bytes += "\xFF\xE1";
  const std::string exif(300, 'x');
  bytes += static_cast<char>((exif.size() + 2) >> 8);
  bytes += static_cast<char>((exif.size() + 2) & 0xFF);
  bytes += exif;
  bytes += std::string("\xFF\xC0\x00\x11\x08", 5);
  bytes += static_cast<char>(height >> 8);
  bytes += static_cast<char>(height & 0xFF);
  bytes += static_cast<char>(width >> 8);
  bytes += static_cast<char>(width & 0xFF);
  bytes += std::string("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 10);
  bytes += "\xFF\xD9";
  return bytes;
}

class Photos : public testing::TestWithParam<store::Engine> {
 protected:
  TestServer server{GetParam()};
  ApiClient clinician = server.client_as(server.north.clinician);
  std::string patient, visit;

  void SetUp() override {
    patient = clinician.post("/api/v1/patients", complete_patient("Photo Patient")).json.at("id");
    visit = clinician.post("/api/v1/patients/" + patient + "/visits", {{"date", "2026-11-02"}, {"region", "forehead"}})
                .json.at("id");
  }

  Answer upload(ApiClient& api, const std::string& bytes, const std::string& name, const std::string& type = "image/png") {
    return api.send("POST", "/api/v1/visits/" + visit + "/photos?file_name=" + name, bytes, type);
  }
};

TEST_P(Photos, APhotographIsStoredWithItsSizeAndComesBackByteForByte) {
  const std::string png = png_picture(640, 480);
  Answer made = upload(clinician, png, "forehead.png");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json["media_type"], "image/png");
  EXPECT_EQ(made.json["width"], 640);
  EXPECT_EQ(made.json["height"], 480);
  EXPECT_EQ(made.json["file_name"], "forehead.png");
  EXPECT_TRUE(made.json["marking"].is_null());
  const std::string id = made.json["id"];

  Answer image = clinician.get("/api/v1/photos/" + id + "/image");
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.header("Content-Type"), "image/png");
  EXPECT_EQ(image.body, png);

  // A camera JPEG: its size comes from its frame header, past the metadata.
  Answer jpeg = upload(clinician, jpeg_header(4032, 3024), "IMG_0001.JPG", "image/jpeg");
  ASSERT_EQ(jpeg.status, 201) << jpeg.body;
  EXPECT_EQ(jpeg.json["media_type"], "image/jpeg");
  EXPECT_EQ(jpeg.json["width"], 4032);
  EXPECT_EQ(jpeg.json["height"], 3024);

  Answer of_visit = clinician.get("/api/v1/visits/" + visit + "/photos");
  ASSERT_EQ(of_visit.status, 200);
  EXPECT_EQ(of_visit.json["items"].size(), 2u);
  Answer of_patient = clinician.get("/api/v1/patients/" + patient + "/photos");
  ASSERT_EQ(of_patient.status, 200);
  EXPECT_EQ(of_patient.json["items"][0]["visit_date"], "2026-11-02");
  EXPECT_EQ(of_patient.json["items"][0]["region"], "forehead");
}

TEST_P(Photos, WhatIsNotAJpegOrPngIsRefusedWithItsReasonAndNothingIsStored) {
  const auto before = server.counts();
  Answer gif = upload(clinician, "GIF89a\x01\x00\x01\x00", "anim.gif", "image/gif");
  EXPECT_EQ(gif.status, 400) << gif.body;
  EXPECT_EQ(gif.json["error"], "bad_format");
  EXPECT_NE(gif.json["detail"].get<std::string>().find("anim.gif: it is neither JPEG nor PNG"), std::string::npos)
      << gif.json["detail"];
  Answer truncated = upload(clinician, png_picture(8, 8).substr(0, 20), "cut.png");
  EXPECT_EQ(truncated.status, 400) << truncated.body;
  Answer empty = upload(clinician, "", "empty.png");
  EXPECT_GE(empty.status, 400);
  Answer huge = upload(clinician, jpeg_header(60000, 100), "huge.jpg", "image/jpeg");
  EXPECT_EQ(huge.status, 400) << huge.body;
  EXPECT_NE(huge.json["detail"].get<std::string>().find("60000 x 100"), std::string::npos);
  Answer path = upload(clinician, png_picture(8, 8), "..%2Fescape.png");
  EXPECT_EQ(path.status, 400) << path.body;
  const auto after = server.counts();
  EXPECT_EQ(after.at("visit_photos"), before.at("visit_photos"));
}

TEST_P(Photos, MarksAreGradedAsAClinicianEstimateAndAPlanFollows) {
  const std::string id = upload(clinician, png_picture(800, 600), "cheek.png").json["id"];
  const Json marks = {{"marks",
                       {{{"x", 100}, {"y", 120}, {"type", "ice_pick"}, {"diameter_mm", 1.0}, {"depth_class", "deep"},
                         {"stretch_flattens", false}},
                        {{"x", 400}, {"y", 300}, {"type", "rolling"}, {"diameter_mm", 5.5}, {"stretch_flattens", true}},
                        {{"x", 700}, {"y", 500}, {"type", "boxcar"}, {"diameter_mm", 2.5}, {"stretch_flattens", nullptr}}}},
                      {"ruler", {{"x1", 0}, {"y1", 590}, {"x2", 400}, {"y2", 590}, {"mm", 20}}}};
  Answer marked = clinician.send("PUT", "/api/v1/photos/" + id + "/marks", marks.dump(), "application/json");
  ASSERT_EQ(marked.status, 200) << marked.body;
  EXPECT_EQ(marked.json["marking"]["marks"].size(), 3u);
  EXPECT_EQ(marked.json["marking"]["made_by"], server.north.clinician.id);
  const Json& estimate = marked.json["estimate"];
  EXPECT_EQ(estimate["basis"], "clinician_only");
  EXPECT_EQ(estimate["label"], "clinician estimate from photograph, not a measurement");
  EXPECT_EQ(estimate["counts"]["ice_pick"], 1);
  EXPECT_EQ(estimate["counts"]["rolling"], 1);
  EXPECT_EQ(estimate["counts"]["boxcar"], 1);
  for (const char* scale : {"goodman_baron_qualitative", "goodman_baron_quantitative", "ecca"}) {
    ASSERT_TRUE(estimate["grades"].contains(scale)) << estimate.dump();
    EXPECT_EQ(estimate["grades"][scale]["basis"], "clinician_only") << scale;
  }

  // New marks replace those in force; the earlier ones stay in the record.
  Json fewer = marks;
  fewer["marks"].erase(2);
  ASSERT_EQ(clinician.send("PUT", "/api/v1/photos/" + id + "/marks", fewer.dump(), "application/json").status, 200);
  Answer read = clinician.get("/api/v1/photos/" + id);
  EXPECT_EQ(read.json["marking"]["marks"].size(), 2u) << read.body;
  EXPECT_EQ(read.json["estimate"]["counts"].value("boxcar", 0), 0);
  EXPECT_EQ(server.counts().at("photo_markings"), 2);

  Answer plan = clinician.post("/api/v1/photos/" + id + "/plan", Json::object());
  ASSERT_EQ(plan.status, 201) << plan.body;
  EXPECT_EQ(plan.json["status"], "proposed");
  EXPECT_EQ(plan.json["visit_id"], visit);
  EXPECT_EQ(plan.json["proposal"]["basis"], "clinician_only");
  // The ice pick scar (mark 1, placed with the ruler's scale) is targeted by its number.
  bool targets_mark_one = false;
  for (const Json& stage : plan.json["proposal"]["stages"])
    for (const Json& item : stage["items"])
      for (const Json& scar : item["target_scar_ids"]) targets_mark_one = targets_mark_one || scar == 1;
  EXPECT_TRUE(targets_mark_one) << plan.json["proposal"].dump();
}

TEST_P(Photos, BadMarksAndAnAssistantsMarksAreRefusedAndNothingIsStored) {
  const std::string id = upload(clinician, png_picture(300, 200), "chin.png").json["id"];
  const auto before = server.counts();
  auto put = [&](ApiClient& api, const Json& body) {
    return api.send("PUT", "/api/v1/photos/" + id + "/marks", body.dump(), "application/json");
  };
  Answer off = put(clinician, {{"marks", {{{"x", 10}, {"y", 10}, {"type", "boxcar"}}, {{"x", 301}, {"y", 10}, {"type", "boxcar"}}}}});
  EXPECT_EQ(off.status, 422) << off.body;
  EXPECT_EQ(off.json["field"], "marks[1]");
  Answer type = put(clinician, {{"marks", {{{"x", 10}, {"y", 10}, {"type", "keloid"}}}}});
  EXPECT_EQ(type.status, 422) << type.body;
  EXPECT_EQ(type.json["field"], "marks.0.type");
  Answer ruler = put(clinician, {{"marks", Json::array()}, {"ruler", {{"x1", 5}, {"y1", 5}, {"x2", 5}, {"y2", 5}, {"mm", 10}}}});
  EXPECT_EQ(ruler.status, 422) << ruler.body;
  EXPECT_EQ(ruler.json["field"], "ruler");
  ApiClient assistant = server.client_as(server.north.assistant);
  Answer forbidden = put(assistant, {{"marks", Json::array()}});
  EXPECT_EQ(forbidden.status, 403);
  Answer unmarked_plan = clinician.post("/api/v1/photos/" + id + "/plan", Json::object());
  EXPECT_EQ(unmarked_plan.status, 409) << unmarked_plan.body;
  const auto after = server.counts();
  EXPECT_EQ(after.at("photo_markings"), before.at("photo_markings"));
  EXPECT_EQ(after.at("plans"), before.at("plans"));
}

TEST(PhotoHeader, ReadsPngAndJpegSizesAndRefusesTheRest) {
  EXPECT_EQ(server::read_photo_header(png_picture(33, 17), "a.png").width, 33);
  EXPECT_EQ(server::read_photo_header(png_picture(33, 17), "a.png").height, 17);
  const server::PhotoHeader jpeg = server::read_photo_header(jpeg_header(1200, 900), "b.jpg");
  EXPECT_EQ(jpeg.media_type, "image/jpeg");
  EXPECT_EQ(jpeg.width, 1200);
  EXPECT_EQ(jpeg.height, 900);
  EXPECT_THROW(server::read_photo_header("", "c"), InputError);
  EXPECT_THROW(server::read_photo_header(std::string("\xFF\xD8\xFF\xDA", 4), "d"), InputError);
  EXPECT_THROW(server::read_photo_header(jpeg_header(0, 900), "e"), InputError);
  // Segments whose lengths run past the bytes read: refused, never read beyond them.
  std::string cut = jpeg_header(100, 100);
  EXPECT_THROW(server::read_photo_header(cut.substr(0, 10), "f"), InputError);
}

INSTANTIATE_TEST_SUITE_P(Engines, Photos, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
