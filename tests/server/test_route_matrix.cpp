// Every route of the route table, driven from the table itself: each role of the clinic gets the
// route's documented success status (with a body that matches the documented schema) or 403; a
// user of another clinic gets 404 for every id of this clinic; nobody gets in without a login.
// A route added to the table without a case here fails the test.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "clinic/vocabulary.h"
#include "core/error.h"
#include "server_test_support.h"
#include "surface/png_codec.h"

namespace scarscope::test {
namespace {

// What one call of a route needs: its concrete path, and its body.
struct Request {
  explicit Request(std::string under_api, std::optional<Json> json = std::nullopt)
      : path(std::move(under_api)), body(std::move(json)) {}
  static Request file(std::string under_api, std::string bytes, std::string content_type) {
    Request request(std::move(under_api));
    request.raw_body = std::move(bytes);
    request.raw_content_type = std::move(content_type);
    return request;
  }
  std::string path;               // under /api/v1
  std::optional<Json> body;       // a JSON body
  std::string raw_body;           // or a file
  std::string raw_content_type;
};

// The objects of one clinic the cases refer to, made through the API as its users would.
struct ClinicObjects {
  std::string patient, visit, scan, plan, session, adverse_event, user, job;
  std::string photo, comparison;  // manual mode's marked photograph; the follow-up's comparison
};

// A real PNG picture for manual mode's routes.
std::string test_photo_png() {
  std::vector<unsigned char> pixels(64 * 48 * 3, 128);
  return encode_png(pixels.data(), 64, 48, 3, 8, "test photo");
}

class RouteMatrix : public testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam());
    north_ = make_objects(server_->north);
  }

  ClinicObjects make_objects(const ClinicStaff& staff) {
    ApiClient api = server_->client_as(staff.clinician);
    ClinicObjects objects;
    Answer patient = api.post("/api/v1/patients", complete_patient("Matrix Patient"));
    objects.patient = patient.json.at("id");
    Answer visit = api.post("/api/v1/patients/" + objects.patient + "/visits", {{"date", "2026-11-02"}, {"region", "left_cheek"}});
    objects.visit = visit.json.at("id");
    Answer upload = api.send("POST", "/api/v1/visits/" + objects.visit + "/scans?file_name=cheek.x3p",
                             synthetic_scan_x3p(), "application/octet-stream");
    objects.scan = upload.json.at("scan").at("id");
    objects.job = upload.json.at("job").at("id");
    EXPECT_EQ(server_->wait_for_job(api, objects.job).at("state"), "done");
    Answer plan = api.post("/api/v1/visits/" + objects.visit + "/plan", Json::object());
    objects.plan = plan.json.at("id");
    Answer session = api.post("/api/v1/patients/" + objects.patient + "/sessions",
                              {{"date", "2026-11-03"}, {"modality", "tca_cross"}, {"region", "left_cheek"},
                               {"parameters", {{"tca_concentration_pct", 100}}}});
    objects.session = session.json.at("id");
    Answer event = api.post("/api/v1/sessions/" + objects.session + "/adverse-events",
                            {{"kind", "erythema"}, {"severity", "mild"}, {"onset", "2026-11-03"}});
    objects.adverse_event = event.json.at("id");
    objects.user = staff.assistant.id;
    // Manual mode: a photograph with marks; a follow-up scan of the region, compared with the first.
    Answer photo = api.send("POST", "/api/v1/visits/" + objects.visit + "/photos?file_name=cheek.png", test_photo_png(),
                            "image/png");
    objects.photo = photo.json.at("id");
    api.send("PUT", "/api/v1/photos/" + objects.photo + "/marks",
             Json{{"marks", {{{"x", 10}, {"y", 10}, {"type", "boxcar"}}}}}.dump(), "application/json");
    Answer later = api.post("/api/v1/patients/" + objects.patient + "/visits", {{"date", "2026-12-02"}, {"region", "left_cheek"}});
    api.send("POST", "/api/v1/visits/" + later.json.at("id").get<std::string>() + "/scans?file_name=later.x3p",
             synthetic_scan_x3p(7, 0.6), "application/octet-stream");
    server_->wait_for_all_jobs();
    Answer comparisons = api.get("/api/v1/patients/" + objects.patient + "/comparisons");
    EXPECT_EQ(comparisons.json.at("items").size(), 1u) << comparisons.body;
    if (!comparisons.json.at("items").empty()) objects.comparison = comparisons.json.at("items")[0].at("id");
    return objects;
  }

  // A valid call of each route for the objects `o`; a new route must be added here.
  std::map<std::string, std::function<Request(const ClinicObjects&)>> cases() {
    int counter = 0;
    auto unique = [counter]() mutable { return std::to_string(++counter); };
    return {
        {"POST /login", [](const ClinicObjects&) {
           return Request{"/login", Json{{"email", "clinician@north.test"}, {"password", test_password}}};
         }},
        {"POST /logout", [](const ClinicObjects&) { return Request{"/logout"}; }},
        {"GET /me", [](const ClinicObjects&) { return Request{"/me"}; }},
        {"GET /openapi.json", [](const ClinicObjects&) { return Request{"/openapi.json"}; }},
        {"GET /healthz", [](const ClinicObjects&) { return Request{"/healthz"}; }},
        {"GET /metrics", [](const ClinicObjects&) { return Request{"/metrics"}; }},
        {"GET /users", [](const ClinicObjects&) { return Request{"/users"}; }},
        {"POST /users", [unique](const ClinicObjects&) mutable {
           return Request{"/users", Json{{"email", "new" + unique() + "@north.test"}, {"role", "assistant"},
                                         {"password", "another long password"}}};
         }},
        {"PATCH /users/{id}", [](const ClinicObjects& o) {
           return Request{"/users/" + o.user, Json{{"display_name", "Renamed"}}};
         }},
        {"GET /patients", [](const ClinicObjects&) { return Request{"/patients?q=matrix&limit=5"}; }},
        {"POST /patients", [](const ClinicObjects&) { return Request{"/patients", Json{{"name", "Another"}}}; }},
        {"GET /patients/{id}", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient}; }},
        {"PATCH /patients/{id}", [](const ClinicObjects& o) {
           return Request{"/patients/" + o.patient, Json{{"fitzpatrick", 3}, {"profile", {{"keloid_history", false}}}}};
         }},
        {"GET /patients/{id}/visits", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/visits"}; }},
        {"POST /patients/{id}/visits", [](const ClinicObjects& o) {
           return Request{"/patients/" + o.patient + "/visits", Json{{"date", "2026-12-01"}, {"region", "left_cheek"}}};
         }},
        {"GET /visits/{id}", [](const ClinicObjects& o) { return Request{"/visits/" + o.visit}; }},
        {"GET /patients/{id}/consents", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/consents"}; }},
        {"POST /patients/{id}/consents", [](const ClinicObjects& o) {
           return Request{"/patients/" + o.patient + "/consents",
                          Json{{"kind", "photography"}, {"state", "given"}, {"date", "2026-11-02"}}};
         }},
        {"GET /patients/{id}/scans", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/scans"}; }},
        {"GET /patients/{id}/plans", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/plans"}; }},
        {"GET /patients/{id}/comparisons",
         [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/comparisons"}; }},
        {"GET /patients/{id}/sessions", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/sessions"}; }},
        {"POST /patients/{id}/sessions", [](const ClinicObjects& o) {
           return Request{"/patients/" + o.patient + "/sessions",
                          Json{{"date", "2026-11-20"}, {"modality", "microneedling"}, {"region", "left_cheek"},
                               {"parameters", {{"needle_depth_mm", 1.5}}}, {"visit_id", o.visit}}};
         }},
        {"GET /sessions/{id}", [](const ClinicObjects& o) { return Request{"/sessions/" + o.session}; }},
        {"POST /sessions/{id}/adverse-events", [](const ClinicObjects& o) {
           return Request{"/sessions/" + o.session + "/adverse-events",
                          Json{{"kind", "oedema"}, {"severity", "moderate"}, {"onset", "2026-11-04"}}};
         }},
        {"PATCH /adverse-events/{id}", [](const ClinicObjects& o) {
           return Request{"/adverse-events/" + o.adverse_event, Json{{"resolved", "2026-11-09"}}};
         }},
        {"GET /jobs/{id}", [](const ClinicObjects& o) { return Request{"/jobs/" + o.job}; }},
        {"POST /visits/{id}/scans", [](const ClinicObjects& o) {
           return Request::file("/visits/" + o.visit + "/scans?file_name=again.x3p", synthetic_scan_x3p(),
                                "application/octet-stream");
         }},
        {"GET /scans/{id}", [](const ClinicObjects& o) { return Request{"/scans/" + o.scan}; }},
        {"PATCH /scans/{id}/assessment", [](const ClinicObjects& o) {
           return Request{"/scans/" + o.scan + "/assessment", Json{{"papular_scars", 1}, {"notes", "matrix"}}};
         }},
        {"GET /scans/{id}/overlay.png", [](const ClinicObjects& o) { return Request{"/scans/" + o.scan + "/overlay.png"}; }},
        {"GET /scans/{id}/relief.png", [](const ClinicObjects& o) { return Request{"/scans/" + o.scan + "/relief.png"}; }},
        {"GET /scans/{id}/surface", [](const ClinicObjects& o) { return Request{"/scans/" + o.scan + "/surface?max_size=64"}; }},
        {"POST /visits/{id}/plan", [](const ClinicObjects& o) { return Request{"/visits/" + o.visit + "/plan", Json::object()}; }},
        {"GET /plans/{id}", [](const ClinicObjects& o) { return Request{"/plans/" + o.plan}; }},
        {"POST /plans/{id}/accept", [this](const ClinicObjects& o) {
           // A fresh proposal each time: a plan is accepted once.
           ApiClient api = client_for(clinic::Role::clinician, o.user == north_.user ? "north" : "south");
           Answer plan = api.post("/api/v1/visits/" + o.visit + "/plan", Json::object());
           const std::string id = plan.status == 201 ? plan.json.at("id").get<std::string>() : o.plan;
           return Request{"/plans/" + id + "/accept", Json{{"note", "as proposed"}}};
         }},
        {"GET /patients/{id}/progress", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/progress"}; }},
        {"POST /visits/{id}/photos", [](const ClinicObjects& o) {
           return Request::file("/visits/" + o.visit + "/photos?file_name=more.png", test_photo_png(), "image/png");
         }},
        {"GET /visits/{id}/photos", [](const ClinicObjects& o) { return Request{"/visits/" + o.visit + "/photos"}; }},
        {"GET /patients/{id}/photos", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/photos"}; }},
        {"GET /photos/{id}", [](const ClinicObjects& o) { return Request{"/photos/" + o.photo}; }},
        {"GET /photos/{id}/image", [](const ClinicObjects& o) { return Request{"/photos/" + o.photo + "/image"}; }},
        {"PUT /photos/{id}/marks", [](const ClinicObjects& o) {
           return Request{"/photos/" + o.photo + "/marks",
                          Json{{"marks", {{{"x", 20}, {"y", 30}, {"type", "rolling"}, {"diameter_mm", 5}}}}}};
         }},
        {"POST /photos/{id}/plan", [](const ClinicObjects& o) { return Request{"/photos/" + o.photo + "/plan", Json::object()}; }},
        {"GET /comparisons/{id}/overlay.png",
         [](const ClinicObjects& o) { return Request{"/comparisons/" + o.comparison + "/overlay.png"}; }},
        {"GET /patients/{id}/export.csv", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/export.csv"}; }},
        {"GET /outcomes", [](const ClinicObjects&) { return Request{"/outcomes"}; }},
        {"GET /vocabulary", [](const ClinicObjects&) { return Request{"/vocabulary"}; }},
        {"GET /audit", [](const ClinicObjects& o) { return Request{"/audit?patient_id=" + o.patient + "&limit=20"}; }},
        {"GET /patients/{id}/report.pdf", [](const ClinicObjects& o) {
           return Request{"/patients/" + o.patient + "/report.pdf?kind=clinician&visit=" + o.visit};
         }},
        {"GET /patients/{id}/fhir", [](const ClinicObjects& o) { return Request{"/patients/" + o.patient + "/fhir"}; }},
    };
  }

  Answer call(ApiClient& api, const server::Route& route, const Request& request) {
    const std::string path = "/api/v1" + request.path;
    if (request.body) return api.send(route.method, path, request.body->dump(), "application/json");
    if (!request.raw_content_type.empty()) return api.send(route.method, path, request.raw_body, request.raw_content_type);
    return api.send(route.method, path, "", "");
  }

  ApiClient client_for(clinic::Role role, const std::string& clinic = "north") {
    const ClinicStaff& staff = clinic == "north" ? server_->north : server_->south;
    auto found = tokens_.find({clinic, role});
    if (found == tokens_.end()) found = tokens_.emplace(std::make_pair(clinic, role), server_->login(staff.with_role(role))).first;
    ApiClient api = server_->client();
    api.bearer(found->second);
    return api;
  }

  std::unique_ptr<TestServer> server_;
  ClinicObjects north_;
  std::map<std::pair<std::string, clinic::Role>, std::string> tokens_;
};

std::string key(const server::Route& route) { return route.method + " " + route.path; }

TEST_P(RouteMatrix, EveryRouteForEveryRoleAnswersItsStatusOr403) {
  auto table = cases();
  for (const server::Route& route : server_->routes().routes()) {
    ASSERT_TRUE(table.count(key(route))) << key(route) << " has no case in this test";
    if (!table[key(route)]) continue;
    for (clinic::Role role : {clinic::Role::admin, clinic::Role::clinician, clinic::Role::assistant}) {
      SCOPED_TRACE(key(route) + " as " + std::string(clinic::name(role)));
      // One login per role (argon2id costs 0.13 s); logging out ends that one, so it gets its own.
      ApiClient api = route.path == "/logout" ? server_->client_as(server_->north.with_role(role)) : client_for(role);
      const Answer answer = call(api, route, table[key(route)](north_));
      if (route.allows(role)) {
        EXPECT_EQ(answer.status, route.response.status) << answer.body;
        if (route.response.media_type != "application/json") {
          // A range ("image/*") documents a route that answers one of several types.
          std::string documented = route.response.media_type;
          if (documented.ends_with("/*")) documented.pop_back();
          EXPECT_EQ(answer.header("Content-Type").rfind(documented, 0), 0u) << answer.header("Content-Type");
        }
        if (answer.status < 300 && route.response.media_type == "application/json" && answer.status != 204) {
          try {
            server_->routes().components().validate(answer.json, route.response.schema);
          } catch (const InputError& e) {
            ADD_FAILURE() << "the answer does not match the documented schema: " << e.what() << "\n" << answer.body;
          }
        }
      } else {
        EXPECT_EQ(answer.status, 403) << answer.body;
        EXPECT_EQ(answer.json.value("error", ""), "forbidden");
      }
    }
  }
}

TEST_P(RouteMatrix, AnotherClinicsIdsAre404OnEveryRoute) {
  auto table = cases();
  for (const server::Route& route : server_->routes().routes()) {
    if (route.path.find('{') == std::string::npos || !table[key(route)]) continue;
    SCOPED_TRACE(key(route));
    // South's user of a role the route allows, with North's ids.
    ApiClient api = client_for(route.roles.front(), "south");
    const Request request = table[key(route)](north_);
    const auto before = server_->counts();
    const Answer answer = call(api, route, request);
    EXPECT_EQ(answer.status, 404) << answer.body;
    EXPECT_EQ(answer.json.value("error", ""), "not_found");
    const auto after = server_->counts();
    // Nothing of North changed (a 404 is never audited as a read of North's data).
    EXPECT_EQ(after, before);
  }
}

TEST_P(RouteMatrix, NoLoginIs401OnEveryRouteThatNeedsOne) {
  auto table = cases();
  ApiClient api = server_->client();
  for (const server::Route& route : server_->routes().routes()) {
    if (route.is_public() || !table[key(route)]) continue;
    SCOPED_TRACE(key(route));
    const Answer answer = call(api, route, table[key(route)](north_));
    EXPECT_EQ(answer.status, 401) << answer.body;
    EXPECT_EQ(answer.json.value("error", ""), "unauthenticated");
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, RouteMatrix, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
