// Inside the store: the connection pool, the transaction context the query code runs in, and the
// engine differences (one subclass per engine in engine_sqlite.cpp / engine_postgres.cpp). Not part
// of the public interface; backup, restore, fsck and benchmarks use it.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clinic/clock.h"
#include "planning/calendar_date.h"
#include "store/detail/sql.h"
#include "store/store.h"

namespace scarscope::store::detail {

class StoreImpl;

// A pooled connection, returned to the pool when destroyed (dropped if broken).
class PooledConnection {
 public:
  PooledConnection(StoreImpl& store, std::unique_ptr<Connection> connection)
      : store_(&store), connection_(std::move(connection)) {}
  PooledConnection(PooledConnection&&) = default;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();
  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_.get(); }

 private:
  StoreImpl* store_;
  std::unique_ptr<Connection> connection_;
};

// Turning C++ values into SQL parameters: text, numbers, times (microseconds), dates (YYYY-MM-DD),
// and std::nullopt as NULL.
inline SqlParam sql_param(const SqlParam& param) { return param; }
inline SqlParam sql_param(SqlNull) { return SqlNull{}; }
inline SqlParam sql_param(SqlBytes bytes) { return bytes; }
inline SqlParam sql_param(const std::string& text) { return text; }
inline SqlParam sql_param(std::string_view text) { return std::string(text); }
inline SqlParam sql_param(const char* text) { return std::string(text); }
inline SqlParam sql_param(bool value) { return std::int64_t{value ? 1 : 0}; }
inline SqlParam sql_param(int value) { return std::int64_t{value}; }
inline SqlParam sql_param(std::int64_t value) { return value; }
inline SqlParam sql_param(double value) { return value; }
inline SqlParam sql_param(clinic::Timestamp value) { return clinic::to_unix_microseconds(value); }
inline SqlParam sql_param(const CalendarDate& value) { return value.to_string(); }
template <class T>
SqlParam sql_param(const std::optional<T>& value) {
  return value ? sql_param(*value) : SqlParam(SqlNull{});
}
// An optional reference stored as NULL when empty (so foreign keys do not apply to it).
inline SqlParam nullable(const std::string& id) { return id.empty() ? SqlParam(SqlNull{}) : SqlParam(id); }

class TransactionContext {
 public:
  TransactionContext(StoreImpl& store, Connection& connection, TransactionKind kind, std::string clinic_id)
      : store_(store), connection_(connection), kind_(kind), clinic_id_(std::move(clinic_id)) {}

  StoreImpl& store() const { return store_; }
  Connection& connection() const { return connection_; }
  TransactionKind kind() const { return kind_; }
  const std::string& clinic_id() const { return clinic_id_; }
  clinic::Timestamp now() const;

  template <class... Args>
  SqlRows query(std::string_view sql, const Args&... args) const {
    if constexpr (sizeof...(Args) == 0) {
      return connection_.query(sql, {});
    } else {
      const SqlParam params[] = {sql_param(args)...};
      return connection_.query(sql, params);
    }
  }
  // A statement whose result nobody reads (see Connection::execute_later).
  template <class... Args>
  void execute_later(std::string_view sql, const Args&... args) const {
    const SqlParam params[] = {sql_param(args)...};
    connection_.execute_later(sql, params);
  }
  template <class... Args>
  std::int64_t execute(std::string_view sql, const Args&... args) const {
    if constexpr (sizeof...(Args) == 0) {
      return connection_.execute(sql, {});
    } else {
      const SqlParam params[] = {sql_param(args)...};
      return connection_.execute(sql, params);
    }
  }

 private:
  StoreImpl& store_;
  Connection& connection_;
  TransactionKind kind_;
  std::string clinic_id_;
};

// The engine-specific half of the store.
class StoreImpl {
 public:
  StoreImpl(StoreLocation location, StoreOptions options);
  virtual ~StoreImpl() = default;

  Engine engine() const { return location_.engine; }
  const StoreLocation& location() const { return location_; }
  const StoreOptions& options() const { return options_; }
  const clinic::Clock& clock() const { return *clock_; }
  int schema_version() const { return schema_version_; }
  void set_schema_version(int version) { schema_version_ = version; }
  void fault(std::string_view point) const {
    if (options_.fault_hook) options_.fault_hook(point);
  }

  PooledConnection acquire();
  void release(std::unique_ptr<Connection> connection);

  // Transactions. begin() also fixes the clinic scope (row-level security on PostgreSQL).
  virtual void begin(Connection& connection, TransactionKind kind, const std::string& clinic_id) = 0;
  // A read transaction begun as another read kind or clinic goes on as `kind` of `clinic_id`
  // (Store::CarriedRead): PostgreSQL moves the row-level security scope; SQLite has nothing to do.
  virtual void continue_read(Connection& /*connection*/, TransactionKind /*kind*/, const std::string& /*clinic_id*/) {}
  void commit(Connection& connection, TransactionKind kind = TransactionKind::system_write) {
    const bool read = kind == TransactionKind::clinic_read || kind == TransactionKind::system_read;
    if (read) {
      connection.commit_read_only();
    } else {
      connection.run_script("COMMIT");
    }
  }
  void rollback(Connection& connection) noexcept;
  // SQLite allows one writer: writes in this process queue here instead of spinning on SQLITE_BUSY.
  virtual std::unique_lock<std::mutex> write_lock(TransactionKind kind) = 0;
  // Durability of a write transaction that has just committed (called while its write lock is
  // still held): a ticket for it, then wait_durable(ticket) after the lock is released returns once
  // it is on disk. SQLite commits without waiting for the disk and one fsync of the WAL then covers
  // every commit made before it began (group commit); PostgreSQL's COMMIT already waited.
  virtual std::uint64_t committed_write() { return 0; }
  virtual void wait_durable(std::uint64_t /*ticket*/) {}

  // The row lock a job claim takes on PostgreSQL ("FOR UPDATE OF j SKIP LOCKED"); nothing on SQLite,
  // whose claim runs in a write transaction that excludes every other writer.
  virtual std::string_view claim_lock_clause() const = 0;

  // Blobs.
  virtual std::unique_ptr<BlobWriter> begin_blob() = 0;
  virtual void read_blob(TransactionContext& context, const std::string& sha256, std::int64_t size,
                         const std::function<void(std::span<const std::byte>)>& sink) = 0;
  // Removes a blob's bytes and its row (fsck --repair, cleaning up a failed restore).
  virtual void delete_blob(const std::string& sha256) = 0;

  // Migrations: the scripts of this engine, in order (embedded at build time).
  virtual const std::vector<std::pair<int, std::string_view>>& migrations() const = 0;
  virtual void lock_for_migration(Connection& connection) = 0;
  virtual bool schema_table_exists(Connection& connection) = 0;

 protected:
  virtual std::unique_ptr<Connection> connect() = 0;

  StoreLocation location_;
  StoreOptions options_;
  const clinic::Clock* clock_;
  int schema_version_ = 0;

 private:
  // A thread that found no connection free waits here, in arrival order, and is handed the next
  // one released (or the right to open one): a thread that releases and at once acquires again (a
  // request's session check, then its read) cannot overtake those already waiting, so no waiter
  // starves however many threads share the pool.
  struct PoolWaiter {
    std::condition_variable handed;
    std::unique_ptr<Connection> connection;  // handed over
    bool may_open = false;                   // or: a slot was freed, open a new connection
  };
  // Gives the first waiter a freed slot (counted as open); with pool_mutex_ held.
  void hand_slot_to_waiter();

  std::mutex pool_mutex_;
  std::deque<PoolWaiter*> pool_waiters_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_connections_ = 0;
};

// The migrations embedded at build time (cmake/EmbedMigrations.cmake), in order.
const std::vector<std::pair<int, std::string_view>>& sqlite_migrations();
const std::vector<std::pair<int, std::string_view>>& postgres_migrations();

std::unique_ptr<StoreImpl> make_sqlite_store(const StoreLocation& location, const StoreOptions& options);
std::unique_ptr<StoreImpl> make_postgres_store(const StoreLocation& location, const StoreOptions& options);

// Store::CarriedRead's two halves: from begin_carried_read until end_carried_read, the calling
// thread's first read on `store` stays open for its next read (see store.h). begin returns false
// when the thread already carries a read (the inner scope then does nothing).
bool begin_carried_read(StoreImpl& store);
void end_carried_read(StoreImpl& store) noexcept;

// Runs `body` in a transaction of `kind` on `store`, with retries; what Store::run_transaction does.
void run_in_transaction(StoreImpl& store, TransactionKind kind, const std::string& clinic_id,
                        const std::function<void(TransactionContext&)>& body);

// Applies pending migrations (up to options.schema_version) in one transaction; refuses a newer
// database. Returns the schema version afterwards.
int migrate(StoreImpl& store);

// The schema's tables in the order their rows can be inserted (parents first), with their keys.
struct TableInfo {
  std::string_view name;
  std::string_view order_by;
};
const std::vector<TableInfo>& record_tables();

}  // namespace scarscope::store::detail
