// POST /login, POST /logout, GET /me.
#include <algorithm>

#include "clinic/ids.h"
#include "clinic/password.h"
#include "server/record_json.h"
#include "server/routes.h"
#include "server/session_cookies.h"

namespace scarscope::server {

namespace {

std::string normalised_email(std::string email) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  email.erase(email.begin(), std::find_if(email.begin(), email.end(), not_space));
  email.erase(std::find_if(email.rbegin(), email.rend(), not_space).base(), email.end());
  for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return email;
}

Reply login(ApiContext& api, Call& call) {
  const std::string email = normalised_email(call.body["email"].get<std::string>());
  const std::string& password = call.body["password"].get_ref<const std::string&>();
  const clinic::Timestamp now = api.clock.now();
  const clinic::Timestamp since = now - std::chrono::duration_cast<std::chrono::microseconds>(api.policy.failed_login_window);

  // Too many failures for this account or from this address: refuse before looking at the password.
  auto [account_failures, address_failures, user] = api.store.read_system([&](const store::SystemReader& tx) {
    return std::make_tuple(tx.failed_logins_for_email(email, since),
                           tx.failed_logins_from_address(call.client_address, since), tx.user_by_email(email));
  });
  if (account_failures >= api.policy.max_failed_logins_per_account ||
      address_failures >= api.policy.max_failed_logins_per_address)
    throw ApiError("rate_limited", "too many failed logins; try again in " +
                                       std::to_string(api.policy.failed_login_window.count() / 60) + " minutes");

  // An unknown email costs the same hash as a wrong password: no account enumeration by timing.
  const bool password_ok = clinic::verify_password(user ? user->password_hash : clinic::decoy_password_hash(), password);
  const std::string detail = "from " + call.client_address;
  if (!user || !password_ok || user->disabled) {
    api.store.write_system([&](store::SystemWriter& tx) {
      tx.record_login_attempt({email, call.client_address, now, false});
      tx.append_audit(user ? user->clinic_id : std::string(),
                      store::AuditEvent{"", clinic::AuditAction::login_failed, "user", user ? user->id : "",
                                        "", detail + (user && user->disabled && password_ok ? " (disabled)" : "")});
    });
    throw ApiError("unauthenticated", "wrong email or password");
  }

  const std::string token = clinic::new_session_token();
  const clinic::Timestamp expires = now + std::chrono::duration_cast<std::chrono::microseconds>(api.policy.session_lifetime);
  api.store.write_system([&](store::SystemWriter& tx) {
    tx.create_auth_session(user->id, clinic::session_token_hash(token), expires);
    tx.record_login_attempt({email, call.client_address, now, true});
    tx.append_audit(user->clinic_id, store::AuditEvent{user->id, clinic::AuditAction::login, "user", user->id, "", detail});
  });
  const std::string csrf = csrf_token_for(token);
  Reply reply = Reply::json({{"token", token},
                             {"user", user_json(*user)},
                             {"csrf_token", csrf},
                             {"expires_at", clinic::format_timestamp(expires)}});
  reply.headers.emplace_back("Set-Cookie", session_cookie(token, api.policy.session_lifetime, call.secure));
  reply.headers.emplace_back("Set-Cookie", csrf_cookie(csrf, api.policy.session_lifetime, call.secure));
  return reply;
}

Reply logout(ApiContext& api, Call& call) {
  const Principal& user = call.user();
  api.store.write_system([&](store::SystemWriter& tx) { tx.revoke_auth_session(user.token_hash); });
  Reply reply;
  reply.status = 204;
  reply.headers.emplace_back("Set-Cookie", expired_session_cookie(call.secure));
  reply.headers.emplace_back("Set-Cookie", expired_csrf_cookie(call.secure));
  return reply;
}

Reply me(ApiContext& api, Call& call) {
  const Principal& principal = call.user();
  auto user = api.store.read_system([&](const store::SystemReader& tx) { return tx.user(principal.user_id); });
  if (!user) throw ApiError("unauthenticated", "the session's user no longer exists");
  Json body = user_json(*user);
  return Reply::json({{"user", body}, {"expires_at", clinic::format_timestamp(principal.expires_at)}});
}

}  // namespace

void add_auth_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  routes.add({.method = "POST",
              .path = "/login",
              .roles = {},
              .summary = "Log in: a session token (for Authorization: Bearer) and an HttpOnly session cookie",
              .tag = "auth",
              .body = Body::json,
              .request_schema = object({{"email", string(320, 1)}, {"password", string(1024, 1)}}, {"email", "password"}),
              .response = {200, "application/json",
                           object({{"token", describe(string(100), "send as 'Authorization: Bearer TOKEN'")},
                                   {"user", ref("User")},
                                   {"csrf_token", describe(string(100), "send as X-CSRF-Token on changes made "
                                                                        "with the cookie")},
                                   {"expires_at", date_time()}},
                                  {"token", "user", "csrf_token", "expires_at"}),
                           "Logged in; Set-Cookie carries the session and the CSRF cookie"},
              .handler = [&api](Call& call) { return login(api, call); },
              .errors = {"unauthenticated", "rate_limited"}});
  routes.add({.method = "POST",
              .path = "/logout",
              .roles = all_staff,
              .summary = "End the session (the token stops working at once) and clear the cookies",
              .tag = "auth",
              .response = {204, "application/json", {}, "Logged out"},
              .handler = [&api](Call& call) { return logout(api, call); }});
  routes.add({.method = "GET",
              .path = "/me",
              .roles = all_staff,
              .summary = "Who is logged in, and until when",
              .tag = "auth",
              .response = {200, "application/json",
                           object({{"user", ref("User")}, {"expires_at", date_time()}}, {"user", "expires_at"})},
              .handler = [&api](Call& call) { return me(api, call); }});
}

}  // namespace scarscope::server
