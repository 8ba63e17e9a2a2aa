// The OpenAPI 3.1 document of the API, generated from the route table (served at
// /api/v1/openapi.json): every route with its roles (x-roles), parameters, request and response
// schemas and error answers; the error codes and their statuses from the one table.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "server/route_table.h"

namespace scarscope::server {

nlohmann::json openapi_document(const RouteTable& routes, const std::string& version);

}  // namespace scarscope::server
