#include "store/detail/sqlite_connection.h"

#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include "core/error.h"
#include "store/store_error.h"

namespace scarscope::store::detail {
namespace {

// "$12" -> "?12": SQL is written once in PostgreSQL's placeholder style.
std::string sqlite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool in_string = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') in_string = !in_string;
    if (!in_string && c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '?';
      continue;
    }
    out += c;
  }
  return out;
}

// SQLite counts its memory behind one process-wide mutex that every allocation takes, and Debian's
// build has no lookaside allocator, so each statement allocates many times: with dozens of server
// threads reading at once that mutex is contended. Nothing here reads the counts: off, once, before
// SQLite initialises (if something initialised it earlier the call is refused and changes nothing).
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::filesystem::path& path, const SqliteConnectionOptions& options)
      : path_(path), on_commit_(options.on_commit) {
    configure_sqlite_once();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (options.create) flags |= SQLITE_OPEN_CREATE;
    if (!options.create && !std::filesystem::exists(path)) {
      throw InputError(path.string() + ": no ScarScope record here (create one with `scarscope init`)",
                       ErrorCode::not_found, path.string());
    }
    const int status = sqlite3_open_v2(path.string().c_str(), &db_, flags, nullptr);
    if (status != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(status);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw StoreError(path.string() + ": cannot open the database: " + message);
    }
    try {
      sqlite3_extended_result_codes(db_, 1);
      sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
      // The first statement reads the header: a file that is not a database fails here.
      run_script("PRAGMA foreign_keys = ON");
      const SqlRows mode = query("PRAGMA journal_mode = WAL", {});
      if (mode.empty() || mode.text(0, 0) != "wal") {
        throw StoreError(path.string() + ": the database could not be switched to WAL mode");
      }
      // NORMAL: a commit is in the WAL (a killed process loses nothing) but is not waited for on
      // disk here: the store's group commit (engine_sqlite.cpp, wait_durable) fsyncs the WAL once
      // for all the writes committed meanwhile, and a write returns only after that, so a power cut
      // loses no write that returned. The crash tests kill a writer and find every committed record.
      run_script("PRAGMA synchronous = NORMAL");
      // Replaces SQLite's automatic checkpoint (itself a WAL hook) on this connection.
      if (on_commit_) sqlite3_wal_hook(db_, &SqliteConnection::wal_committed, this);
    } catch (...) {
      // A constructor that throws runs no destructor: a file that is not a database (the store's
      // corrupt-file test) would otherwise leave the connection and its statements open.
      close();
      throw;
    }
  }

  ~SqliteConnection() override { close(); }

  void close() noexcept {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    statements_.clear();
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }

  SqlRows query(std::string_view sql, std::span<const SqlParam> params) override {
    sqlite3_stmt* statement = prepare(sql);
    bind(statement, params);
    std::vector<std::string> columns;
    const int count = sqlite3_column_count(statement);
    columns.reserve(static_cast<std::size_t>(count));
    for (int c = 0; c < count; ++c) columns.emplace_back(sqlite3_column_name(statement, c));
    std::vector<SqlCell> cells;
    while (true) {
      const int status = sqlite3_step(statement);
      if (status == SQLITE_DONE) break;
      if (status != SQLITE_ROW) fail(status, statement);
      for (int c = 0; c < count; ++c) {
        switch (sqlite3_column_type(statement, c)) {
          case SQLITE_NULL: cells.emplace_back(SqlNull{}); break;
          case SQLITE_INTEGER: cells.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(statement, c))); break;
          case SQLITE_FLOAT: cells.emplace_back(sqlite3_column_double(statement, c)); break;
          case SQLITE_BLOB: {
            const void* data = sqlite3_column_blob(statement, c);
            const int size = sqlite3_column_bytes(statement, c);
            cells.emplace_back(std::string(static_cast<const char*>(data), static_cast<std::size_t>(size)));
            break;
          }
          default: {
            const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
            const int size = sqlite3_column_bytes(statement, c);
            cells.emplace_back(std::string(data, static_cast<std::size_t>(size)));
          }
        }
      }
    }
    sqlite3_reset(statement);
    return SqlRows(std::move(columns), std::move(cells));
  }

  std::int64_t execute(std::string_view sql, std::span<const SqlParam> params) override {
    sqlite3_stmt* statement = prepare(sql);
    bind(statement, params);
    int status = SQLITE_ROW;
    while (status == SQLITE_ROW) status = sqlite3_step(statement);
    if (status != SQLITE_DONE) fail(status, statement);
    sqlite3_reset(statement);
    return sqlite3_changes64(db_);
  }

  void run_script(std::string_view sql) override {
    // Transaction control runs for every transaction: prepared once, not parsed each time.
    if (sql == "BEGIN" || sql == "BEGIN IMMEDIATE" || sql == "COMMIT" || sql == "ROLLBACK") {
      sqlite3_stmt* statement = prepare(sql);
      const int status = sqlite3_step(statement);
      if (status != SQLITE_DONE) fail(status, statement);
      sqlite3_reset(statement);
      return;
    }
    const std::string text(sql);
    char* error = nullptr;
    const int status = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (status != SQLITE_OK) {
      const std::string message = error ? error : sqlite3_errstr(status);
      sqlite3_free(error);
      raise(status, message);
    }
  }

  bool usable() const override { return true; }

  WalCheckpoint checkpoint_passive() {
    WalCheckpoint result;
    const int status = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &result.wal_frames,
                                                 &result.checkpointed_frames);
    if (status != SQLITE_OK) raise(status, sqlite3_errmsg(db_));
    return result;
  }

 private:
  static int wal_committed(void* self, sqlite3*, const char*, int frames) {
    try {
      static_cast<SqliteConnection*>(self)->on_commit_(frames);
    } catch (...) {
      // Only a checkpoint is put off: the commit itself has succeeded.
    }
    return SQLITE_OK;
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    const auto found = statements_.find(sql);
    if (found != statements_.end()) return found->second;
    const std::string key(sql);
    const std::string text = sqlite_placeholders(sql);
    sqlite3_stmt* statement = nullptr;
    const int status = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size() + 1),
                                          SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (status != SQLITE_OK) raise(status, sqlite3_errmsg(db_) + std::string(" in: ") + text);
    statements_.emplace(key, statement);
    return statement;
  }

  void bind(sqlite3_stmt* statement, std::span<const SqlParam> params) {
    sqlite3_clear_bindings(statement);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      int status = SQLITE_OK;
      const SqlParam& param = params[i];
      if (std::holds_alternative<SqlNull>(param)) {
        status = sqlite3_bind_null(statement, index);
      } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
        status = sqlite3_bind_int64(statement, index, *number);
      } else if (const auto* real = std::get_if<double>(&param)) {
        status = sqlite3_bind_double(statement, index, *real);
      } else if (const auto* text = std::get_if<std::string>(&param)) {
        status = sqlite3_bind_text64(statement, index, text->data(), text->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else if (const auto* bytes = std::get_if<SqlBytes>(&param)) {
        status = sqlite3_bind_blob64(statement, index, bytes->bytes.data(), bytes->bytes.size(), SQLITE_STATIC);
      }
      if (status != SQLITE_OK) raise(status, sqlite3_errmsg(db_));
    }
  }

  [[noreturn]] void fail(int status, sqlite3_stmt* statement) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(statement);
    raise(status, message);
  }

  [[noreturn]] void raise(int status, const std::string& message) {
    const int primary = status & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw RetryableError(message);
    if (primary == SQLITE_CONSTRAINT) {
      ConstraintError::Kind kind = ConstraintError::Kind::other;
      if (status == SQLITE_CONSTRAINT_UNIQUE || status == SQLITE_CONSTRAINT_PRIMARYKEY) kind = ConstraintError::Kind::unique;
      if (status == SQLITE_CONSTRAINT_FOREIGNKEY) kind = ConstraintError::Kind::foreign_key;
      if (status == SQLITE_CONSTRAINT_CHECK) kind = ConstraintError::Kind::check;
      if (status == SQLITE_CONSTRAINT_NOTNULL) kind = ConstraintError::Kind::not_null;
      const std::string::size_type colon = message.find(": ");
      throw ConstraintError(kind, colon == std::string::npos ? message : message.substr(colon + 2), message);
    }
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
      throw InputError(path_.string() + ": is not a ScarScope SQLite database or is corrupt (" + message + ")",
                       ErrorCode::bad_format, path_.string());
    }
    throw StoreError(path_.string() + ": " + message);
  }

  std::filesystem::path path_;
  std::function<void(int)> on_commit_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
};

}  // namespace

WalCheckpoint checkpoint_passive(Connection& connection) {
  return dynamic_cast<SqliteConnection&>(connection).checkpoint_passive();
}

std::unique_ptr<Connection> open_sqlite_connection(const std::filesystem::path& path,
                                                   const SqliteConnectionOptions& options) {
  return std::make_unique<SqliteConnection>(path, options);
}

}  // namespace scarscope::store::detail
