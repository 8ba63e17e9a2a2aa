// The PostgreSQL side of the SQL layer: one libpq connection with its prepared statements.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "store/detail/sql.h"

namespace scarscope::store::detail {

// Connects to `url`. Throws StoreUnavailableError naming the server (never the password) when it
// does not answer within `connect_timeout` or refuses the connection.
std::unique_ptr<Connection> open_postgres_connection(const std::string& url, std::chrono::seconds connect_timeout);

// The URL without its password, for messages.
std::string redact_postgres_url(const std::string& url);

}  // namespace scarscope::store::detail
