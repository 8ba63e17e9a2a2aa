// Staff of the clinic (admin only): GET|POST /users, PATCH /users/{id}.
#include "clinic/password.h"
#include "clinic/vocabulary.h"
#include "core/error.h"
#include "server/record_json.h"
#include "server/routes.h"

namespace scarscope::server {

namespace {

using clinic::AuditAction;

Reply list_users(ApiContext& api, Call& call) {
  auto users = api.store.read(call.user().clinic_id, [](const store::ClinicReader& tx) { return tx.users(); });
  Json items = Json::array();
  for (const clinic::User& user : users) items.push_back(user_json(user));
  return Reply::json({{"items", items}});
}

Reply create_user(ApiContext& api, Call& call) {
  clinic::User draft;
  std::string email = call.body["email"].get<std::string>();
  for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (email.find('@') == std::string::npos || email.find_first_of(" \t\r\n") != std::string::npos)
    throw InputError("email must look like name@example.org", ErrorCode::bad_input, "email");
  draft.email = email;
  draft.display_name = call.body.value("display_name", "");
  draft.role = clinic::parse_role(call.body["role"].get<std::string>());
  // Hashing takes ~0.13 s and 64 MiB: outside the transaction, which may be retried.
  draft.password_hash = clinic::hash_password(call.body["password"].get<std::string>());
  const clinic::User created = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    clinic::User user = tx.create_user(draft);
    tx.append_audit(ApiContext::change(call, AuditAction::create, "user", user.id, "", std::string(clinic::name(user.role))));
    return user;
  });
  return Reply::json(user_json(created), 201);
}

Reply update_user(ApiContext& api, Call& call) {
  const std::string& id = call.parameter("id");
  const Json& body = call.body;
  if (id == call.user_id() && body.contains("role"))
    throw ApiError("forbidden", "you cannot change your own role", "role");
  if (id == call.user_id() && body.value("disabled", false))
    throw ApiError("forbidden", "you cannot disable your own account", "disabled");
  std::string new_hash;
  if (body.contains("password")) new_hash = clinic::hash_password(body["password"].get<std::string>());
  const clinic::User updated = api.store.write(call.user().clinic_id, [&](store::ClinicWriter& tx) {
    auto user = tx.user(id);
    if (!user) throw ApiError("not_found", "no such user", "id");
    if (body.contains("display_name")) user->display_name = body["display_name"].get<std::string>();
    if (body.contains("role")) user->role = clinic::parse_role(body["role"].get<std::string>());
    if (body.contains("disabled")) user->disabled = body["disabled"].get<bool>();
    if (!new_hash.empty()) user->password_hash = new_hash;
    clinic::User stored = tx.update_user(*user);
    std::string fields;
    for (const auto& [key, value] : body.items()) fields += (fields.empty() ? "" : ",") + key;
    tx.append_audit(ApiContext::change(call, AuditAction::update, "user", id, "", fields));
    return stored;
  });
  // A disabled account or a new password ends the user's sessions everywhere.
  if (updated.disabled || !new_hash.empty())
    api.store.write_system([&](store::SystemWriter& tx) { tx.revoke_sessions_of_user(id); });
  return Reply::json(user_json(updated));
}

}  // namespace

void add_user_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  const Json role = enumeration(clinic::role_names());
  routes.add({.method = "GET",
              .path = "/users",
              .roles = admins,
              .summary = "The clinic's staff accounts",
              .tag = "users",
              .response = {200, "application/json", list_schema("User")},
              .handler = [&api](Call& call) { return list_users(api, call); }});
  routes.add({.method = "POST",
              .path = "/users",
              .roles = admins,
              .summary = "Add a staff account to the clinic",
              .tag = "users",
              .body = Body::json,
              .request_schema = object({{"email", string(320, 3)},
                                        {"display_name", string(200)},
                                        {"role", role},
                                        {"password", describe(string(1024, 10), "at least 10 characters")}},
                                       {"email", "role", "password"}),
              .response = {201, "application/json", ref("User")},
              .handler = [&api](Call& call) { return create_user(api, call); },
              .errors = {"conflict", "out_of_range"}});
  routes.add({.method = "PATCH",
              .path = "/users/{id}",
              .roles = admins,
              .summary = "Change a staff account's name, role, password or disabled flag (not one's own role)",
              .tag = "users",
              .body = Body::json,
              .request_schema = object({{"display_name", string(200)},
                                        {"role", role},
                                        {"disabled", boolean()},
                                        {"password", string(1024, 10)}}),
              .response = {200, "application/json", ref("User")},
              .handler = [&api](Call& call) { return update_user(api, call); }});
}

}  // namespace scarscope::server
