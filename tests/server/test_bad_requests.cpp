// What a broken, hostile or careless client gets: a 4xx with a JSON error naming what is wrong, and
// nothing stored (the record's row counts before and after are the same).
#include <gtest/gtest.h>

#include "server_test_support.h"

namespace scarscope::test {
namespace {

class BadRequests : public testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam(), [](server::ServeOptions& options) {
      options.http.max_json_bytes = 64 * 1024;
      options.http.max_upload_bytes = 4 << 20;
    });
    api_ = std::make_unique<ApiClient>(server_->client_as(server_->north.clinician));
    Answer patient = api_->post("/api/v1/patients", complete_patient("Bad Requests"));
    patient_ = patient.json.at("id");
    Answer visit = api_->post("/api/v1/patients/" + patient_ + "/visits", {{"date", "2026-11-02"}, {"region", "chin"}});
    visit_ = visit.json.at("id");
  }

  // Sends the request and checks the answer is `status` with a JSON error of `code` (and `field`
  // when given), and that the record did not change.
  Answer refused(const std::string& method, const std::string& path, const std::string& body,
                 const std::string& content_type, int status, const std::string& code, const std::string& field = {}) {
    const auto before = server_->counts();
    Answer answer = api_->send(method, path, body, content_type);
    EXPECT_EQ(answer.status, status) << method << " " << path << ": " << answer.body;
    EXPECT_TRUE(answer.json.is_object()) << answer.body;
    if (answer.json.is_object()) {
      // `code` may list the acceptable codes: "bad_input|bad_format".
      EXPECT_NE(("|" + code + "|").find("|" + answer.json.value("error", "?") + "|"), std::string::npos) << answer.body;
      EXPECT_FALSE(answer.json.value("detail", "").empty());
      if (!field.empty()) {
        EXPECT_EQ(answer.json.value("field", ""), field) << answer.body;
      }
    }
    EXPECT_EQ(server_->counts(), before) << method << " " << path << " changed the record";
    return answer;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<ApiClient> api_;
  std::string patient_, visit_;
};

TEST_P(BadRequests, MalformedJsonIs400BadFormat) {
  refused("POST", "/api/v1/patients", "{\"name\": \"Ada\"", "application/json", 400, "bad_format");
  refused("POST", "/api/v1/patients", "name=Ada", "application/json", 400, "bad_format");
  refused("POST", "/api/v1/patients", "", "application/json", 400, "missing_field");
  refused("POST", "/api/v1/patients", std::string(10000, '[') + std::string(10000, ']'), "application/json", 400,
          "bad_format");
  refused("POST", "/api/v1/patients", "[\"Ada\"]", "application/json", 400, "wrong_type");
  refused("POST", "/api/v1/patients", "{\"name\": \"\xff\xfe\"}", "application/json", 400, "bad_format");
}

TEST_P(BadRequests, WrongTypesMissingAndUnknownFieldsNameTheField) {
  refused("POST", "/api/v1/patients", R"({"name": 42})", "application/json", 400, "wrong_type", "name");
  refused("POST", "/api/v1/patients", R"({"identifier": "X"})", "application/json", 400, "missing_field", "name");
  refused("POST", "/api/v1/patients", R"({"name": "Ada", "nmae": "typo"})", "application/json", 400, "unknown_field", "nmae");
  refused("POST", "/api/v1/patients", R"({"name": "Ada", "profile": {"distress_0_10": 11}})", "application/json", 422,
          "out_of_range", "profile.distress_0_10");
  refused("POST", "/api/v1/patients", R"({"name": "Ada", "profile": {"isotretinoin": {"status": "sometimes"}}})",
          "application/json", 422, "out_of_range", "profile.isotretinoin.status");
  refused("POST", "/api/v1/patients/" + patient_ + "/visits", R"({"date": "2026-02-30", "region": "chin"})",
          "application/json", 422, "out_of_range", "date");
  refused("POST", "/api/v1/patients/" + patient_ + "/visits", R"({"date": "2026-02-03", "region": "elbow"})",
          "application/json", 422, "out_of_range", "region");
  refused("POST", "/api/v1/patients/" + patient_ + "/sessions",
          R"({"date": "2026-11-03", "modality": "tca_cross", "region": "chin", "parameters": {"tca_concentration_pct": "high"}})",
          "application/json", 400, "wrong_type", "parameters.tca_concentration_pct");
  refused("POST", "/api/v1/patients/" + patient_ + "/sessions",
          R"({"date": "2026-11-03", "modality": "tca_cross", "region": "chin", "parameters": {"needle_depth_mm": 1}})",
          "application/json", 400, "unknown_field", "parameters.needle_depth_mm");
  refused("POST", "/api/v1/patients/" + patient_ + "/sessions",
          R"({"date": "2026-11-03", "modality": "leeches", "region": "chin"})", "application/json", 422,
          "out_of_range", "modality");
  refused("GET", "/api/v1/patients?limit=5000", "", "", 422, "out_of_range", "limit");
  refused("GET", "/api/v1/patients?limit=ten", "", "", 400, "wrong_type", "limit");
  refused("GET", "/api/v1/patients?sort=name", "", "", 400, "unknown_field", "sort");
}

TEST_P(BadRequests, MassAssignmentIsRefused) {
  // A PATCH cannot change a clinic, an id or one's own role.
  refused("PATCH", "/api/v1/patients/" + patient_, R"({"clinic_id": "AAAAAAAAAAAAAAAAAAAAAA"})", "application/json", 400,
          "unknown_field", "clinic_id");
  refused("PATCH", "/api/v1/patients/" + patient_, R"({"id": "AAAAAAAAAAAAAAAAAAAAAA"})", "application/json", 400,
          "unknown_field", "id");
  refused("PATCH", "/api/v1/patients/" + patient_, R"({"created_by": "AAAAAAAAAAAAAAAAAAAAAA"})", "application/json",
          400, "unknown_field", "created_by");
  ApiClient admin = server_->client_as(server_->north.admin);
  const auto before = server_->counts();
  Answer own_role = admin.patch("/api/v1/users/" + server_->north.admin.id, {{"role", "clinician"}});
  EXPECT_EQ(own_role.status, 403);
  EXPECT_EQ(own_role.json["field"], "role");
  Answer email = admin.patch("/api/v1/users/" + server_->north.clinician.id, {{"email", "boss@north.test"}});
  EXPECT_EQ(email.status, 400);
  EXPECT_EQ(email.json["error"], "unknown_field");
  Answer clinic = admin.patch("/api/v1/users/" + server_->north.clinician.id, {{"clinic_id", server_->south.clinic.id}});
  EXPECT_EQ(clinic.status, 400);
  EXPECT_EQ(server_->counts(), before);
}

TEST_P(BadRequests, OversizedBodiesAre413) {
  refused("POST", "/api/v1/patients", R"({"name": ")" + std::string(100000, 'a') + R"("})", "application/json", 413,
          "too_large");
  refused("POST", "/api/v1/visits/" + visit_ + "/scans?file_name=big.x3p", std::string(5 << 20, 'x'),
          "application/octet-stream", 413, "too_large");
  // Over the largest body of any route: httplib's own limit, still a JSON error.
  refused("POST", "/api/v1/patients", std::string(5 << 20, ' '), "application/json", 413, "too_large");
  // The connection stays usable after a refusal.
  EXPECT_EQ(api_->get("/api/v1/patients/" + patient_).status, 200);
}

TEST_P(BadRequests, FilesThatAreNotScansStoreNothing) {
  // The library reads an upload by its content first (lib14b): text that is no format it reads is bad_format.
  refused("POST", "/api/v1/visits/" + visit_ + "/scans?file_name=notes.txt", "just some text, not a scan",
          "application/octet-stream", 400, "bad_format");
  std::string truncated = synthetic_scan_x3p();
  truncated.resize(truncated.size() / 2);
  refused("POST", "/api/v1/visits/" + visit_ + "/scans?file_name=cut.x3p", truncated, "application/octet-stream", 400,
          "bad_input|bad_format");
  refused("POST", "/api/v1/visits/" + visit_ + "/scans?file_name=empty.x3p", "", "application/octet-stream", 400,
          "bad_format");
}

TEST_P(BadRequests, PathTraversalInNamesAndIdsGoesNowhere) {
  for (const std::string name : {"..%2F..%2Fetc%2Fpasswd", "a%2Fb.x3p", "..", "%2E%2E", "x%00y.x3p", "c%3A%5Cwindows%5Cx.x3p"}) {
    refused("POST", "/api/v1/visits/" + visit_ + "/scans?file_name=" + name, synthetic_scan_x3p(),
            "application/octet-stream", 400, "bad_input", "file_name");
  }
  // Multipart with a path as the file's name.
  httplib::MultipartFormDataItems items = {{"file", synthetic_scan_x3p(), "../../../tmp/evil.x3p", "application/octet-stream"}};
  const std::string token = server_->login(server_->north.clinician);
  const auto before = server_->counts();
  auto result = api_->raw().Post(("/api/v1/visits/" + visit_ + "/scans").c_str(), {{"Authorization", "Bearer " + token}},
                                 items);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400) << result->body;
  EXPECT_EQ(server_->counts(), before);
  // Ids that try to be paths are unknown ids.
  for (const std::string path : {"/api/v1/patients/..%2F..%2Fusers", "/api/v1/patients/%2e%2e", "/api/v1/scans/x%00y",
                                 "/api/v1/patients/AAAAAAAAAAAAAAAAAAAAAA"}) {
    refused("GET", path, "", "", 404, "not_found");
  }
  refused("GET", "/api/v1/../api/v1/audit", "", "", 404, "not_found");
}

TEST_P(BadRequests, UnknownRoutesAndWrongMethods) {
  refused("GET", "/api/v1/nothing-here", "", "", 404, "not_found");
  refused("GET", "/api/v2/patients", "", "", 404, "not_found");
  refused("GET", "/api/v1/patients/", "", "", 404, "not_found");
  Answer wrong = refused("DELETE", "/api/v1/patients/" + patient_, "", "", 405, "method_not_allowed");
  EXPECT_EQ(wrong.header("Allow"), "GET, PATCH");
  refused("PUT", "/api/v1/patients", "{}", "application/json", 405, "method_not_allowed");
  refused("POST", "/api/v1/patients", R"({"name": "Ada"})", "text/plain", 415, "unsupported_media_type");
  // A request line httplib cannot parse still gets a JSON error.
  httplib::Request request;
  request.method = "BREW";
  request.path = "/api/v1/patients";
  auto result = api_->raw().send(request);
  ASSERT_TRUE(result);
  EXPECT_GE(result->status, 400);
  EXPECT_LT(result->status, 500);
  EXPECT_EQ(Json::parse(result->body, nullptr, false).value("error", ""), "bad_input") << result->body;
}

INSTANTIATE_TEST_SUITE_P(Engines, BadRequests, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
