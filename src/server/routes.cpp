#include "server/routes.h"

#include <memory>
#include <mutex>

#include "server/openapi.h"
#include "server/record_json.h"

namespace scarscope::server {

std::vector<QueryParameter> paging_parameters() {
  return {{"limit", schema::integer(1, 1000), "items per page (default 50)"},
          {"offset", schema::integer(0, std::int64_t{1} << 40), "items to skip (default 0)"}};
}

store::PageRequest page_request(const Call& call) {
  store::PageRequest page;
  page.limit = static_cast<int>(call.query_value<std::int64_t>("limit", 50));
  page.offset = static_cast<int>(std::min<std::int64_t>(call.query_value<std::int64_t>("offset", 0), 1 << 30));
  return page;
}

namespace {
struct DocumentCache {
  std::once_flag made;
  std::string text;
};
}  // namespace

void build_api_routes(RouteTable& routes, ApiContext& api) {
  add_record_schemas(routes.components());
  add_auth_routes(routes, api);
  add_user_routes(routes, api);
  add_patient_routes(routes, api);
  add_scan_routes(routes, api);
  add_plan_routes(routes, api);
  add_photo_routes(routes, api);  // manual mode (issue 18)
  add_comparison_picture_route(routes, api);  // the progress view's difference map (issue 18)
  add_session_routes(routes, api);
  add_report_routes(routes, api);
  add_audit_routes(routes, api);
  add_document_routes(routes, api);
  add_health_routes(routes, api);  // many machines (issue 20)
  // The document describes the table it belongs to, itself included; made once, on first use
  // (after every route has been added).
  routes.add({.method = "GET",
              .path = "/openapi.json",
              .roles = {},
              .summary = "This API's OpenAPI 3.1 document, generated from the route table",
              .tag = "meta",
              .response = {200, "application/json", schema::document("an OpenAPI 3.1 document")},
              .handler = [&routes, &api, cache = std::make_shared<DocumentCache>()](Call&) {
                std::call_once(cache->made, [&] { cache->text = openapi_document(routes, api.version).dump(); });
                return Reply::bytes(cache->text, "application/json");
              }});
}

}  // namespace scarscope::server
