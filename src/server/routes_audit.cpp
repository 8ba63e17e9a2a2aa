// The audit trail (admin only): GET /audit filtered by patient, user and time.
#include "server/record_json.h"
#include "server/routes.h"

namespace scarscope::server {

namespace {

Reply list_audit(ApiContext& api, Call& call) {
  store::AuditQuery query;
  query.patient_id = call.query_value<std::string>("patient_id", "");
  query.user_id = call.query_value<std::string>("user_id", "");
  if (call.query.contains("from")) query.from = clinic::parse_timestamp(call.query["from"].get<std::string>(), "from");
  if (call.query.contains("to")) query.to = clinic::parse_timestamp(call.query["to"].get<std::string>(), "to");
  query.page = page_request(call);
  // Reads queued before this one are in the answer.
  api.audit.flush();
  auto page = api.store.read(call.user().clinic_id, [&](const store::ClinicReader& tx) { return tx.audit_entries(query); });
  Json items = Json::array();
  for (const clinic::AuditEntry& entry : page.items) items.push_back(audit_entry_json(entry));
  api.audit_read(call, "audit", "", query.patient_id, "");
  return Reply::json(page_json(std::move(items), page.total, query.page.limit, query.page.offset));
}

}  // namespace

void add_audit_routes(RouteTable& routes, ApiContext& api) {
  using namespace schema;
  std::vector<QueryParameter> filters = {
      {"patient_id", record_id(), "only entries about this patient"},
      {"user_id", record_id(), "only entries of this user"},
      {"from", date_time(), "at or after this time (UTC)"},
      {"to", date_time(), "before this time (UTC)"}};
  for (QueryParameter& paging : paging_parameters()) filters.push_back(std::move(paging));
  routes.add({.method = "GET",
              .path = "/audit",
              .roles = admins,
              .summary = "Who read or changed what, newest first (every read and change of patient data, exports, "
                         "logins and failed logins)",
              .tag = "audit",
              .query = filters,
              .response = {200, "application/json", page_schema("AuditEntry")},
              .handler = [&api](Call& call) { return list_audit(api, call); }});
}

}  // namespace scarscope::server
