// The SQLite side of the SQL layer: one sqlite3 handle with its prepared statements.
#pragma once
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include "store/detail/sql.h"

namespace scarscope::store::detail {

struct SqliteConnectionOptions {
  bool create = false;
  std::chrono::milliseconds busy_timeout{30000};
  // Called after each commit with the number of frames now in the WAL. When set, the connection
  // never checkpoints by itself (SQLite's automatic checkpoint would run inside the committing
  // writer, holding the write lock): the store checkpoints beside it (SqliteStore's checkpointer).
  std::function<void(int wal_frames)> on_commit;
};

// What one PASSIVE checkpoint did: frames in the WAL, and how many of them are now in the database.
struct WalCheckpoint {
  int wal_frames = 0;
  int checkpointed_frames = 0;
};
// Copies what it can of the WAL into the database file without waiting for readers or writers
// (SQLITE_CHECKPOINT_PASSIVE) on `connection`, a connection of open_sqlite_connection.
WalCheckpoint checkpoint_passive(Connection& connection);

// Opens `path` in WAL mode with synchronous=NORMAL (the store makes each write durable by group
// commit before it returns: SqliteStore::wait_durable), foreign keys on and a busy timeout. Throws
// InputError (not_found) when the file is missing and `create` is false, (bad_format) when it is not
// a SQLite database or is corrupt.
std::unique_ptr<Connection> open_sqlite_connection(const std::filesystem::path& path,
                                                   const SqliteConnectionOptions& options);

}  // namespace scarscope::store::detail
