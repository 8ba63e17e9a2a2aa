// The API's routes, one file per resource family (routes_*.cpp), each adding its routes to the
// one table. build_api_routes() assembles them all.
#pragma once
#include <vector>

#include "clinic/records.h"
#include "server/api_context.h"
#include "server/route_table.h"

namespace scarscope::server {

// Who may call what (the roles x routes table of the README is generated from the route table).
inline const std::vector<clinic::Role> all_staff = {clinic::Role::admin, clinic::Role::clinician,
                                                    clinic::Role::assistant};
inline const std::vector<clinic::Role> care_team = {clinic::Role::clinician, clinic::Role::assistant};
inline const std::vector<clinic::Role> clinicians = {clinic::Role::clinician};
inline const std::vector<clinic::Role> admins = {clinic::Role::admin};

void add_auth_routes(RouteTable& routes, ApiContext& api);
void add_user_routes(RouteTable& routes, ApiContext& api);
void add_patient_routes(RouteTable& routes, ApiContext& api);
void add_session_routes(RouteTable& routes, ApiContext& api);
void add_audit_routes(RouteTable& routes, ApiContext& api);
void add_scan_routes(RouteTable& routes, ApiContext& api);
void add_plan_routes(RouteTable& routes, ApiContext& api);
void add_photo_routes(RouteTable& routes, ApiContext& api);  // routes_photos.cpp: manual mode
// routes_comparison_picture.cpp: GET /comparisons/{id}/overlay.png
void add_comparison_picture_route(RouteTable& routes, ApiContext& api);
void add_report_routes(RouteTable& routes, ApiContext& api);
// The clinician and patient PDF reports and the FHIR R4 export (src/report).
void add_document_routes(RouteTable& routes, ApiContext& api);
// GET /healthz and GET /metrics, for load balancers and monitoring (issue 20).
void add_health_routes(RouteTable& routes, ApiContext& api);

// Every route of the API, with the schemas of the record's objects, and the OpenAPI document
// route (which documents the table it is part of).
void build_api_routes(RouteTable& routes, ApiContext& api);

// Paging query parameters (limit 1..1000, default 50; offset >= 0) and their values.
std::vector<QueryParameter> paging_parameters();
store::PageRequest page_request(const Call& call);

}  // namespace scarscope::server
