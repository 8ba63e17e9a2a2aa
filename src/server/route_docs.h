// The README's tables of the API, made from the same sources as the server's behaviour: the
// roles x routes table from the route table, the error codes from the one code->status table. A
// test checks that the README holds exactly these, so the documentation cannot drift.
#pragma once
#include <string>

#include "server/route_table.h"

namespace scarscope::server {

// | Method | Path | admin | clinician | assistant |, one row per route in table order.
std::string roles_table_markdown(const RouteTable& routes);
// | Code | Status | Meaning |, one row per error code.
std::string error_codes_markdown();

}  // namespace scarscope::server
