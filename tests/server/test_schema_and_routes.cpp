// The pieces every request goes through before a handler: the route table's matching, the JSON
// schema checks that name the wrong field, the session cookie and CSRF helpers.
#include <gtest/gtest.h>

#include "core/error.h"
#include "server/api_error.h"
#include "server/call.h"
#include "server/json_schema.h"
#include "server/route_table.h"
#include "server/session_cookies.h"

namespace scarscope::server {
namespace {

using schema::Json;

Route route(std::string method, std::string path) {
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.summary = r.method + " " + r.path;
  r.handler = [](Call&) { return Reply::json(Json::object()); };
  return r;
}

TEST(RouteTable, MatchesTemplatesAndNamesTheParameters) {
  RouteTable table;
  table.add(route("GET", "/patients"));
  table.add(route("GET", "/patients/{id}"));
  table.add(route("PATCH", "/patients/{id}"));
  table.add(route("GET", "/patients/{id}/visits"));
  table.add(route("GET", "/patients/export"));

  RouteMatch found = table.match("GET", "/patients/abc/visits");
  ASSERT_NE(found.route, nullptr);
  EXPECT_EQ(found.route->path, "/patients/{id}/visits");
  ASSERT_EQ(found.parameters.size(), 1u);
  EXPECT_EQ(found.parameters[0].first, "id");
  EXPECT_EQ(found.parameters[0].second, "abc");

  // A literal segment wins over a parameter.
  EXPECT_EQ(table.match("GET", "/patients/export").route->path, "/patients/export");
  EXPECT_EQ(table.match("GET", "/patients/other").route->path, "/patients/{id}");
}

TEST(RouteTable, AKnownPathWithAnotherMethodListsTheAllowedOnes) {
  RouteTable table;
  table.add(route("GET", "/patients/{id}"));
  table.add(route("PATCH", "/patients/{id}"));
  RouteMatch found = table.match("DELETE", "/patients/x");
  EXPECT_EQ(found.route, nullptr);
  EXPECT_EQ(found.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(RouteTable, UnknownAndMalformedPathsMatchNothing) {
  RouteTable table;
  table.add(route("GET", "/patients/{id}"));
  for (const char* path : {"/patients", "/patients/", "/patients//x", "//patients/x", "/patients/x/y", "", "patients/x"}) {
    RouteMatch found = table.match("GET", path);
    EXPECT_EQ(found.route, nullptr) << path;
    EXPECT_TRUE(found.allowed_methods.empty()) << path;
  }
}

TEST(RouteTable, RefusesTwoRoutesForTheSameMethodAndShape) {
  RouteTable table;
  table.add(route("GET", "/patients/{id}"));
  EXPECT_THROW(table.add(route("GET", "/patients/{patient}")), std::logic_error);
  EXPECT_NO_THROW(table.add(route("POST", "/patients/{id}")));
}

TEST(RouteTable, RolesListedAreTheOnlyOnesAllowed) {
  Route open = route("POST", "/login");
  EXPECT_TRUE(open.is_public());
  EXPECT_TRUE(open.allows(clinic::Role::assistant));
  Route audit = route("GET", "/audit");
  audit.roles = {clinic::Role::admin};
  EXPECT_TRUE(audit.allows(clinic::Role::admin));
  EXPECT_FALSE(audit.allows(clinic::Role::clinician));
  EXPECT_FALSE(audit.allows(clinic::Role::assistant));
}

// The field and code of the InputError a value raises, or "" when it passes.
std::pair<std::string, std::string> failure(const schema::Components& components, const Json& value,
                                            const Json& schema) {
  try {
    components.validate(value, schema);
  } catch (const InputError& e) {
    return {std::string(error_code_name(e.code())), e.field()};
  }
  return {"", ""};
}

TEST(JsonSchema, NamesTheFieldThatIsWrongAndHow) {
  schema::Components components;
  components.add("Profile", schema::object({{"fitzpatrick", schema::integer(1, 6)},
                                            {"keloid_history", schema::boolean()}}));
  const Json patient = schema::object({{"name", schema::string(200, 1)},
                                       {"birth_year", schema::nullable(schema::integer(1900, 2100))},
                                       {"sex", schema::enumeration({"female", "male", "other"})},
                                       {"first_visit", schema::date()},
                                       {"tags", schema::array(schema::string(20), 3)},
                                       {"profile", schema::ref("Profile")},
                                       {"parameters", schema::map_of(schema::number(0, 100))}},
                                      {"name"});
  EXPECT_EQ(failure(components, Json{{"name", "Ada"}}, patient), std::make_pair(std::string(), std::string()));
  EXPECT_EQ(failure(components, Json{{"name", "Ada"}, {"birth_year", nullptr}}, patient).first, "");
  EXPECT_EQ(failure(components, Json::object(), patient), std::make_pair(std::string("missing_field"), std::string("name")));
  EXPECT_EQ(failure(components, Json{{"name", 3}}, patient), std::make_pair(std::string("wrong_type"), std::string("name")));
  EXPECT_EQ(failure(components, Json{{"name", ""}}, patient), std::make_pair(std::string("out_of_range"), std::string("name")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"nmae", "B"}}, patient),
            std::make_pair(std::string("unknown_field"), std::string("nmae")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"birth_year", 1800}}, patient),
            std::make_pair(std::string("out_of_range"), std::string("birth_year")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"birth_year", 1980.5}}, patient),
            std::make_pair(std::string("wrong_type"), std::string("birth_year")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"birth_year", 1980.0}}, patient).first, "");
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"sex", "unknown"}}, patient),
            std::make_pair(std::string("out_of_range"), std::string("sex")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"first_visit", "2026-02-30"}}, patient),
            std::make_pair(std::string("out_of_range"), std::string("first_visit")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"tags", {"a", "b", "c", "d"}}}, patient),
            std::make_pair(std::string("too_large"), std::string("tags")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"tags", {"a", 2}}}, patient),
            std::make_pair(std::string("wrong_type"), std::string("tags.1")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"profile", {{"fitzpatrick", 7}}}}, patient),
            std::make_pair(std::string("out_of_range"), std::string("profile.fitzpatrick")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"profile", {{"keloids", true}}}}, patient),
            std::make_pair(std::string("unknown_field"), std::string("profile.keloids")));
  EXPECT_EQ(failure(components, Json{{"name", "A"}, {"parameters", {{"depth", 101}}}}, patient),
            std::make_pair(std::string("out_of_range"), std::string("parameters.depth")));
  EXPECT_EQ(failure(components, Json::array(), patient), std::make_pair(std::string("wrong_type"), std::string()));
}

TEST(JsonSchema, BodiesThatAreNotJsonOrNestTooDeepAreBadFormat) {
  try {
    (void)schema::parse_body("{\"name\": ");
    FAIL() << "truncated JSON accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_format);
  }
  try {
    (void)schema::parse_body(std::string(100000, '['));
    FAIL() << "deep nesting accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_format);
    EXPECT_NE(std::string(e.what()).find("nests deeper"), std::string::npos);
  }
  // Brackets inside strings are not nesting.
  EXPECT_EQ(schema::parse_body("{\"a\": \"" + std::string(100, '[') + "\"}")["a"].get<std::string>().size(), 100u);
}

TEST(ApiErrors, EveryCodeHasOneStatusAndLibraryCodesKeepTheirNames) {
  EXPECT_EQ(status_for_error_code("unknown_field"), 400);
  EXPECT_EQ(status_for_error_code("unauthenticated"), 401);
  EXPECT_EQ(status_for_error_code("forbidden"), 403);
  EXPECT_EQ(status_for_error_code("not_found"), 404);
  EXPECT_EQ(status_for_error_code("too_large"), 413);
  EXPECT_EQ(status_for_error_code("incomplete_profile"), 422);
  EXPECT_EQ(status_for_error_code("rate_limited"), 429);
  EXPECT_EQ(status_for_error_code("unavailable"), 503);
  for (ErrorCode code : {ErrorCode::bad_input, ErrorCode::bad_format, ErrorCode::too_large, ErrorCode::out_of_range,
                         ErrorCode::missing_field, ErrorCode::unknown_field, ErrorCode::wrong_type,
                         ErrorCode::unsupported, ErrorCode::not_found, ErrorCode::cancelled, ErrorCode::conflict}) {
    const int status = status_for_error_code(error_code_name(code));
    EXPECT_GE(status, 400) << error_code_name(code);
    EXPECT_LT(status, 500) << error_code_name(code);
  }
  const ApiError translated =
      api_error_from_exception(std::make_exception_ptr(InputError("x", ErrorCode::out_of_range, "parameters.depth")));
  EXPECT_EQ(translated.code(), "out_of_range");
  EXPECT_EQ(translated.field(), "parameters.depth");
  std::string internal;
  const ApiError hidden = api_error_from_exception(std::make_exception_ptr(std::runtime_error("disk on fire")), &internal);
  EXPECT_EQ(hidden.code(), "internal");
  EXPECT_EQ(std::string(hidden.what()).find("disk"), std::string::npos);
  EXPECT_EQ(internal, "disk on fire");
}

TEST(SessionCookies, SessionCookieIsHttpOnlyStrictAndSecureUnderTls) {
  const std::string plain = session_cookie("TOKEN", std::chrono::hours(8), false);
  EXPECT_NE(plain.find("scarscope_session=TOKEN"), std::string::npos);
  EXPECT_NE(plain.find("HttpOnly"), std::string::npos);
  EXPECT_NE(plain.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(plain.find("Max-Age=28800"), std::string::npos);
  EXPECT_EQ(plain.find("Secure"), std::string::npos);
  EXPECT_NE(session_cookie("TOKEN", std::chrono::hours(8), true).find("; Secure"), std::string::npos);
  // The CSRF cookie is for the page's script to read: not HttpOnly.
  EXPECT_EQ(csrf_cookie("C", std::chrono::hours(8), false).find("HttpOnly"), std::string::npos);
  EXPECT_NE(expired_session_cookie(false).find("Max-Age=0"), std::string::npos);
}

TEST(SessionCookies, CookieAndBearerParsing) {
  EXPECT_EQ(cookie_value("a=1; scarscope_session=XYZ; b=2", "scarscope_session").value(), "XYZ");
  EXPECT_EQ(cookie_value("scarscope_session_old=1", "scarscope_session"), std::nullopt);
  EXPECT_EQ(cookie_value("", "scarscope_session"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer abc").value(), "abc");
  EXPECT_EQ(bearer_token("bearer  abc ").value(), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
}

TEST(SessionCookies, CsrfTokenBelongsToOneSessionAndDoesNotRevealIt) {
  const std::string token_a = "q3QK1m8y0Rk2v0B6o0q6D7s1g9tQe3Zr8a7d5LkPn0M";
  const std::string token_b = "R3QK1m8y0Rk2v0B6o0q6D7s1g9tQe3Zr8a7d5LkPn0M";
  const std::string csrf = csrf_token_for(token_a);
  EXPECT_EQ(csrf, csrf_token_for(token_a));
  EXPECT_NE(csrf, csrf_token_for(token_b));
  EXPECT_EQ(csrf.find(token_a), std::string::npos);
  EXPECT_TRUE(csrf_token_matches(token_a, csrf));
  EXPECT_FALSE(csrf_token_matches(token_b, csrf));
  EXPECT_FALSE(csrf_token_matches(token_a, ""));
  EXPECT_FALSE(csrf_token_matches(token_a, csrf.substr(1)));
}

}  // namespace
}  // namespace scarscope::server
