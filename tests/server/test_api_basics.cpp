// A user's first minutes with the API, on both engines: log in, register a patient, read it back;
// what the server answers without a login, with a bad token, with a cookie but no CSRF header.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "server/thread_slice.h"
#include "server_test_support.h"

namespace scarscope::test {
namespace {

class ApiBasics : public testing::TestWithParam<store::Engine> {};

TEST_P(ApiBasics, LoginRegisterAPatientAndReadItBack) {
  TestServer server(GetParam());
  ApiClient api = server.client();
  Answer login = api.post("/api/v1/login", {{"email", "Clinician@North.test "}, {"password", test_password}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json["user"]["email"], "clinician@north.test");
  EXPECT_EQ(login.json["user"]["role"], "clinician");
  EXPECT_EQ(login.json["user"].contains("password_hash"), false);
  const std::string token = login.json["token"].get<std::string>();
  EXPECT_EQ(token.size(), 43u);  // 256 random bits

  api.bearer(token);
  Answer created = api.post("/api/v1/patients", {{"name", "Ada Example"}, {"identifier", "N-001"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json["id"].get<std::string>();
  EXPECT_EQ(created.header("Location"), "/api/v1/patients/" + id);
  EXPECT_EQ(created.json["missing_profile_fields"].size(), 12u);  // a name alone

  Answer read = api.get("/api/v1/patients/" + id);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json["name"], "Ada Example");
  EXPECT_EQ(read.json["identifier"], "N-001");
  EXPECT_EQ(read.header("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(read.header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(read.header("Cache-Control"), "no-store");
  EXPECT_FALSE(read.header("X-Request-Id").empty());

  Answer found = api.get("/api/v1/patients?q=ada&limit=10");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json["total"], 1);
  EXPECT_EQ(found.json["items"][0]["id"], id);
}

TEST_P(ApiBasics, NoTokenIs401AndABadOneToo) {
  TestServer server(GetParam());
  ApiClient api = server.client();
  Answer none = api.get("/api/v1/patients");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.json["error"], "unauthenticated");
  api.bearer("not-a-token");
  Answer wrong = api.get("/api/v1/patients");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json["error"], "unauthenticated");
}

TEST_P(ApiBasics, WrongPasswordIsRefusedAndAudited) {
  TestServer server(GetParam());
  ApiClient api = server.client();
  Answer wrong = api.post("/api/v1/login", {{"email", "clinician@north.test"}, {"password", "not the password"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.json["error"], "unauthenticated");
  Answer unknown = api.post("/api/v1/login", {{"email", "nobody@north.test"}, {"password", "not the password"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.json["detail"], wrong.json["detail"]);  // no account enumeration
}

TEST_P(ApiBasics, LogoutEndsTheSessionAtOnce) {
  TestServer server(GetParam());
  ApiClient api = server.client_as(server.north.clinician);
  ASSERT_EQ(api.get("/api/v1/me").status, 200);
  Answer out = api.send("POST", "/api/v1/logout", "", "");
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(api.get("/api/v1/me").status, 401);
}

TEST_P(ApiBasics, CookieSessionsNeedTheCsrfHeaderForChanges) {
  TestServer server(GetParam());
  ApiClient api = server.client();
  Answer login = api.post("/api/v1/login", {{"email", "assistant@north.test"}, {"password", test_password}});
  ASSERT_EQ(login.status, 200);
  std::string session_cookie;
  for (const std::string& cookie : login.headers_named("Set-Cookie")) {
    if (cookie.rfind("scarscope_session=", 0) == 0) session_cookie = cookie;
  }
  ASSERT_FALSE(session_cookie.empty());
  EXPECT_NE(session_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(session_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(session_cookie.find("Secure"), std::string::npos);  // plain HTTP here
  const std::string cookie = session_cookie.substr(0, session_cookie.find(';'));

  // Reads work with the cookie alone.
  EXPECT_EQ(api.get("/api/v1/patients", {{"Cookie", cookie}}).status, 200);
  // A change without the CSRF header is refused, and stores nothing.
  const auto before = server.counts();
  Answer refused = api.post("/api/v1/patients", {{"name", "Forged"}}, {{"Cookie", cookie}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json["error"], "csrf_failed");
  Answer wrong = api.post("/api/v1/patients", {{"name", "Forged"}}, {{"Cookie", cookie}, {"X-CSRF-Token", "guess"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(server.counts(), before);
  // With the login's csrf_token it goes through.
  Answer accepted = api.post("/api/v1/patients", {{"name", "Real"}},
                             {{"Cookie", cookie}, {"X-CSRF-Token", login.json["csrf_token"].get<std::string>()}});
  EXPECT_EQ(accepted.status, 201) << accepted.body;
}

// What an operator watches of the read-audit queue: after reads are written, /metrics shows an
// empty queue, no read that waited for room, and how long the written entries waited (above 0).
TEST(ApiMetrics, TheReadAuditQueueIsOnMetrics) {
  TestServer server(store::Engine::sqlite);
  ApiClient api = server.client_as(server.north.clinician);
  Answer created = api.post("/api/v1/patients", {{"name", "Ada Example"}});
  ASSERT_EQ(created.status, 201) << created.body;
  for (int read = 0; read < 3; ++read)
    ASSERT_EQ(api.get("/api/v1/patients/" + created.json["id"].get<std::string>()).status, 200);
  server.counts();  // writes the queued read entries
  const std::string metrics = server.client().get("/api/v1/metrics").body;
  EXPECT_NE(metrics.find("\nscarscope_audit_queue_entries 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nscarscope_audit_full_waits_total 0\n"), std::string::npos) << metrics;
  const std::string name = "\nscarscope_audit_longest_wait_seconds ";
  const std::size_t at = metrics.find(name);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GT(std::stod(metrics.substr(at + name.size())), 0.0) << metrics;
}

// Debian's httplib binds with SO_REUSEPORT, under which a second `scarscope serve` on a port already
// served would start and silently take half of its connections. The server binds with
// SO_REUSEADDR only: the second one is refused, naming the address.
TEST(ApiListening, ASecondServerOnTheSamePortIsRefused) {
  TestServer first(store::Engine::sqlite);
  const int port = first.port();
  try {
    TestServer second(store::Engine::sqlite, [port](server::ServeOptions& options) { options.http.port = port; });
    FAIL() << "a second server started on port " << port;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << e.what();
  }
  // The first one still answers.
  EXPECT_EQ(first.client().get("/api/v1/healthz").status, 200);
}

// The threads that answer connections run with the scheduler slice the options ask for (a shorter
// one than the kernel's default, so a thread woken by a request waits less for a core), and with
// 0 they keep the default. A kernel without custom slices (before Linux 6.12) reports none.
std::vector<std::chrono::microseconds> slices_of_this_process() {
  std::vector<std::chrono::microseconds> slices;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    if (auto slice = server::thread_slice(std::stoi(task.path().filename().string()))) slices.push_back(*slice);
  return slices;
}

TEST(ApiThreads, ConnectionThreadsRunWithTheConfiguredSchedulerSlice) {
  const auto kernel_default = server::thread_slice();
  for (const int microseconds : {300, 0}) {
    const std::chrono::microseconds asked(microseconds);
    TestServer server(store::Engine::sqlite,
                      [asked](server::ServeOptions& options) { options.http.connection_thread_slice = asked; });
    const std::size_t before = std::ranges::count(slices_of_this_process(), std::chrono::microseconds(300));
    // Two clients at once: two connection threads.
    ApiClient first = server.client(), second = server.client();
    ASSERT_EQ(first.get("/api/v1/healthz").status, 200);
    ASSERT_EQ(second.get("/api/v1/healthz").status, 200);
    const std::size_t after = std::ranges::count(slices_of_this_process(), std::chrono::microseconds(300));
    if (!kernel_default) {
      EXPECT_EQ(after, 0u) << "this kernel reports no slices";
    } else if (microseconds == 300) {
      EXPECT_GE(after, before + 1) << "no connection thread asked for 300 us (the default is "
                                   << kernel_default->count() << " us)";
    } else {
      EXPECT_EQ(after, before) << "with 0 the connection threads keep the kernel's default";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, ApiBasics, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
