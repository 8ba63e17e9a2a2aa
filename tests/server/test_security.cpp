// Security properties a user relies on: the documented routes are exactly the served ones; logins
// are rate-limited per account and per address; sessions expire and end when an account is
// disabled; cookies are Secure under TLS (direct or behind a proxy); every read of a patient is
// audited; the log holds no patient data, token or password.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "server/server_log.h"
#include "server_test_support.h"

namespace scarscope::test {
namespace {

class Security : public testing::TestWithParam<store::Engine> {};

TEST_P(Security, TheRoutesServedAreTheRoutesDocumented) {
  TestServer server(GetParam());
  ApiClient api = server.client();
  Answer document = api.get("/api/v1/openapi.json");
  ASSERT_EQ(document.status, 200);
  EXPECT_EQ(document.json["openapi"], "3.1.0");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, operations] : document.json["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({upper, path});
      EXPECT_TRUE(operation.contains("x-roles")) << path;
      EXPECT_FALSE(operation["summary"].get<std::string>().empty()) << path;
    }
  }
  std::set<std::pair<std::string, std::string>> table;
  for (const server::Route& route : server.routes().routes()) table.insert({route.method, "/api/v1" + route.path});
  EXPECT_EQ(documented, table);
  // Served: each documented operation reaches its route (never "no such route" or 405), with any
  // id; each other method on a documented path is 405.
  const std::string id = "AAAAAAAAAAAAAAAAAAAAAA";
  for (const auto& [method, path] : documented) {
    std::string concrete = path;
    for (std::size_t open; (open = concrete.find('{')) != std::string::npos;)
      concrete.replace(open, concrete.find('}', open) - open + 1, id);
    Answer answer = api.send(method, concrete, method == "GET" ? "" : "{}", method == "GET" ? "" : "application/json");
    EXPECT_NE(answer.status, 405) << method << " " << concrete;
    EXPECT_FALSE(answer.status == 404 && answer.json.value("detail", "") == "no such route") << method << " " << concrete;
    for (const char* other : {"GET", "POST", "PATCH", "PUT", "DELETE"}) {
      if (documented.count({other, path})) continue;
      Answer refused = api.send(other, concrete, "", "");
      EXPECT_EQ(refused.status, 405) << other << " " << concrete << ": " << refused.body;
    }
  }
  // Every reference in the document resolves.
  std::function<void(const Json&)> check_refs = [&](const Json& node) {
    if (node.is_object()) {
      if (node.contains("$ref")) {
        const std::string name = node["$ref"].get<std::string>().substr(std::string("#/components/schemas/").size());
        EXPECT_TRUE(document.json["components"]["schemas"].contains(name)) << name;
      }
      for (const auto& [key, value] : node.items()) check_refs(value);
    } else if (node.is_array()) {
      for (const Json& value : node) check_refs(value);
    }
  };
  check_refs(document.json);
}

TEST_P(Security, FailedLoginsAreLimitedPerAccountAndPerAddress) {
  TestServer server(GetParam(), [](server::ServeOptions& options) {
    options.policy.max_failed_logins_per_account = 3;
    options.policy.max_failed_logins_per_address = 5;
  });
  ApiClient api = server.client();
  const Json wrong = {{"email", "clinician@north.test"}, {"password", "not the password"}};
  for (int attempt = 0; attempt < 3; ++attempt) EXPECT_EQ(api.post("/api/v1/login", wrong).status, 401);
  // The account is locked for the window, even with the right password.
  Answer locked = api.post("/api/v1/login", {{"email", "clinician@north.test"}, {"password", test_password}});
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(locked.json["error"], "rate_limited");
  EXPECT_FALSE(locked.header("Retry-After").empty());
  // Another account from the same address still gets in, until the address has failed 5 times.
  EXPECT_EQ(api.post("/api/v1/login", {{"email", "assistant@north.test"}, {"password", test_password}}).status, 200);
  for (int attempt = 0; attempt < 2; ++attempt)
    EXPECT_EQ(api.post("/api/v1/login", {{"email", "nobody" + std::to_string(attempt) + "@north.test"},
                                         {"password", "guess"}}).status,
              401);
  EXPECT_EQ(api.post("/api/v1/login", {{"email", "admin@north.test"}, {"password", test_password}}).status, 429);
  // Once the window has passed, the right password works again.
  server.clock().advance(std::chrono::minutes(16));
  EXPECT_EQ(api.post("/api/v1/login", {{"email", "clinician@north.test"}, {"password", test_password}}).status, 200);
}

TEST_P(Security, SessionsExpireAndEndWithTheAccount) {
  TestServer server(GetParam(), [](server::ServeOptions& options) { options.policy.session_lifetime = std::chrono::hours(2); });
  ApiClient assistant = server.client_as(server.north.assistant);
  ASSERT_EQ(assistant.get("/api/v1/me").status, 200);
  server.clock().advance(std::chrono::hours(2) + std::chrono::seconds(1));
  EXPECT_EQ(assistant.get("/api/v1/me").status, 401) << "expired";

  ApiClient again = server.client_as(server.north.assistant);
  ApiClient admin = server.client_as(server.north.admin);
  ASSERT_EQ(admin.patch("/api/v1/users/" + server.north.assistant.id, {{"disabled", true}}).status, 200);
  EXPECT_EQ(again.get("/api/v1/me").status, 401) << "a disabled account's sessions end";
  EXPECT_EQ(server.client().post("/api/v1/login", {{"email", "assistant@north.test"}, {"password", test_password}}).status,
            401);
  // An admin cannot disable their own account.
  EXPECT_EQ(admin.patch("/api/v1/users/" + server.north.admin.id, {{"disabled", true}}).status, 403);
}

TEST_P(Security, BehindATlsProxyCookiesAreSecure) {
  TestServer server(GetParam(), [](server::ServeOptions& options) { options.http.behind_tls_proxy = true; });
  Answer login = server.client().post("/api/v1/login", {{"email", "clinician@north.test"}, {"password", test_password}});
  ASSERT_EQ(login.status, 200);
  for (const std::string& cookie : login.headers_named("Set-Cookie")) {
    EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  }
  EXPECT_FALSE(login.header("Strict-Transport-Security").empty());
}

TEST_P(Security, ServedOverTlsDirectly) {
  TempDir folder;
  const std::string key = (folder.path() / "key.pem").string();
  const std::string certificate = (folder.path() / "cert.pem").string();
  ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout '" + key +
                         "' -out '" + certificate + "' >/dev/null 2>&1")
                            .c_str()),
            0);
  TestServer server(GetParam(), [&](server::ServeOptions& options) {
    options.http.tls_certificate = certificate;
    options.http.tls_private_key = key;
  });
  httplib::SSLClient client("127.0.0.1", server.port());
  client.enable_server_certificate_verification(false);
  auto login = client.Post("/api/v1/login", Json{{"email", "clinician@north.test"}, {"password", test_password}}.dump(),
                           "application/json");
  ASSERT_TRUE(login) << httplib::to_string(login.error());
  EXPECT_EQ(login->status, 200);
  EXPECT_NE(login->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
  // Plain HTTP to the TLS port gets nowhere.
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_connection_timeout(5, 0);
  plain.set_read_timeout(5, 0);
  auto refused = plain.Get("/api/v1/openapi.json");
  EXPECT_TRUE(!refused || refused->status != 200);
}

TEST_P(Security, EveryReadOfAPatientIsAuditedAndTheLogHoldsNoPatientDataOrSecrets) {
  TempDir folder;
  const std::filesystem::path log = folder.path() / "server.log";
  server::configure_log(server::LogLevel::debug, log.string());
  std::string token;
  std::string patient;
  {
    TestServer server(GetParam());
    ApiClient clinician = server.client();
    Answer login = clinician.post("/api/v1/login", {{"email", "clinician@north.test"}, {"password", test_password}});
    token = login.json["token"];
    clinician.bearer(token);
    Answer created = clinician.post("/api/v1/patients", {{"name", "Zebulon Quixotic"}, {"identifier", "ZQ-4471"}});
    patient = created.json["id"];
    ASSERT_EQ(clinician.get("/api/v1/patients?q=Zebulon").status, 200);
    ASSERT_EQ(clinician.get("/api/v1/patients/" + patient).status, 200);
    ASSERT_EQ(clinician.get("/api/v1/patients/" + patient).status, 200);
    ASSERT_EQ(clinician.post("/api/v1/login", {{"email", "clinician@north.test"}, {"password", "Wrong-Secret-991"}}).status,
              401);
    ASSERT_EQ(clinician.patch("/api/v1/patients/" + patient, {{"name", 12}}).status, 400);
    ApiClient admin = server.client_as(server.north.admin);
    Answer audit = admin.get("/api/v1/audit?patient_id=" + patient);
    ASSERT_EQ(audit.status, 200);
    int reads = 0;
    for (const Json& entry : audit.json["items"]) {
      if (entry["action"] == "read" && entry["object_kind"] == "patient") {
        ++reads;
        EXPECT_EQ(entry["user_id"], server.north.clinician.id);
      }
    }
    EXPECT_EQ(reads, 2);
    Answer logins = admin.get("/api/v1/audit?user_id=" + server.north.clinician.id);
    bool login_seen = false;
    for (const Json& entry : logins.json["items"]) login_seen = login_seen || entry["action"] == "login";
    EXPECT_TRUE(login_seen);
  }
  server::configure_log(server::LogLevel::info);
  const std::string text = read_text_file(log);
  EXPECT_NE(text.find("\"route\":\"/patients/{id}\""), std::string::npos) << "requests are logged";
  for (const std::string& secret : {std::string("Zebulon"), std::string("Quixotic"), std::string("ZQ-4471"), token,
                                    test_password, std::string("Wrong-Secret-991"), patient})
    EXPECT_EQ(text.find(secret), std::string::npos) << "the log holds '" << secret << "'";
}

INSTANTIATE_TEST_SUITE_P(Engines, Security, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
