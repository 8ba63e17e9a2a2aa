// The SQLite side of the SQL layer: one sqlite3 handle with its prepared statements.
#pragma once
#include <chrono>
#include <filesystem>
#include <memory>

#include "store/detail/sql.h"

namespace scarscope::store::detail {

struct SqliteConnectionOptions {
  bool create = false;
  std::chrono::milliseconds busy_timeout{30000};
};

// Opens `path` in WAL mode with synchronous=NORMAL (the store makes each write durable by group
// commit before it returns: SqliteStore::wait_durable), foreign keys on and a busy timeout. Throws
// InputError (not_found) when the file is missing and `create` is false, (bad_format) when it is not
// a SQLite database or is corrupt.
std::unique_ptr<Connection> open_sqlite_connection(const std::filesystem::path& path,
                                                   const SqliteConnectionOptions& options);

}  // namespace scarscope::store::detail
