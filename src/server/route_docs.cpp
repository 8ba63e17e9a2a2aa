#include "server/route_docs.h"

#include "server/api_error.h"

namespace scarscope::server {

std::string roles_table_markdown(const RouteTable& routes) {
  std::string text = "| Method | Path | admin | clinician | assistant |\n|---|---|:-:|:-:|:-:|\n";
  for (const Route& route : routes.routes()) {
    text += "| " + route.method + " | `" + std::string(api_prefix) + route.path + "` |";
    if (route.is_public()) {
      text += " anyone | anyone | anyone |\n";
      continue;
    }
    for (clinic::Role role : {clinic::Role::admin, clinic::Role::clinician, clinic::Role::assistant})
      text += route.allows(role) ? " yes |" : " 403 |";
    text += "\n";
  }
  return text;
}

std::string error_codes_markdown() {
  std::string text = "| Code | Status | Meaning |\n|---|---|---|\n";
  for (const ApiErrorCode& code : api_error_codes())
    text += "| `" + std::string(code.code) + "` | " + std::to_string(code.status) + " | " + std::string(code.meaning) +
            " |\n";
  return text;
}

}  // namespace scarscope::server
