// The clinic record's store: one interface, two engines. SQLite (the embedded default: one file in
// a data folder, WAL, group-committed durable writes) or PostgreSQL (raw libpq, prepared statements, row-level
// security per clinic). Both run the same SQL where they can; their differences live in
// src/store/engine_*.cpp. The schema is the numbered migrations in src/store/migrations/ENGINE/,
// embedded in the binary and applied in one transaction when the store opens.
//
// How to use it:
//
//   auto store = store::Store::open(store::StoreLocation::sqlite("scarscope-data"));
//   // or StoreLocation::postgres("postgresql://scarscope_app@db.example/scarscope")
//
//   clinic::Patient stored = store->write(clinic_id, [&](store::ClinicWriter& tx) {
//     clinic::Patient patient = tx.create_patient(draft);
//     tx.append_audit({user_id, clinic::AuditAction::create, "patient", patient.id, patient.id, ""});
//     return patient;   // the transaction commits when the function returns
//   });
//   auto visits = store->read(clinic_id, [&](const store::ClinicReader& tx) { return tx.visits(patient_id); });
//
// - Everything inside one call is one transaction: it commits when the function returns and rolls
//   back when it throws (the exception propagates). The function may run more than once: a
//   transaction that loses a serialization conflict or a deadlock (PostgreSQL) is retried, so do not
//   do anything irreversible outside the store inside it.
// - Patient data is reached only through read(clinic_id, ...) / write(clinic_id, ...): the clinic is
//   fixed when the transaction begins and every query is limited to it. read_system/write_system are
//   for what spans clinics (clinics, logins, sessions, job claims): see store/transactions.h.
// - Errors: InputError (core/error.h) for what the caller can fix, with its ErrorCode: not_found (an
//   unknown id, or another clinic's), conflict (a duplicate email or identifier, a plan already
//   accepted), out_of_range / unknown_field (a session parameter), bad_format (a corrupt SQLite
//   file), unsupported (a database newer than this binary). StoreUnavailableError when PostgreSQL
//   cannot be reached (answer 503), StoreError for other failures of the database.
// - Time comes from StoreOptions::clock (inject clinic::ManualClock in tests; nothing sleeps).
// - A Store is safe to use from many threads at once; it keeps a pool of connections.
#pragma once
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "clinic/clock.h"
#include "store/blobs.h"
#include "store/store_error.h"
#include "store/transactions.h"

namespace scarscope::store {

enum class Engine { sqlite, postgres };
std::string_view engine_name(Engine engine);

// Where the record is: a data folder (SQLite: DIR/scarscope.db and DIR/blobs/) or a PostgreSQL URL.
struct StoreLocation {
  Engine engine = Engine::sqlite;
  std::filesystem::path data_dir;  // sqlite
  std::string url;                 // postgres: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB?...

  static StoreLocation sqlite(std::filesystem::path data_dir);
  // Throws InputError (bad_input, "--db") unless the URL starts with postgres:// or postgresql://.
  static StoreLocation postgres(std::string url);
  // From the CLI's --data DIR / --db URL (at most one given; neither: ./scarscope-data).
  static StoreLocation from_options(const std::string& data_dir, const std::string& db_url);
  // For messages and logs: the folder, or the URL with any password removed.
  std::string describe() const;
};

// A point inside the store's work where a fault-injection hook is called (crash tests kill the
// process there): "blob.before_rename", "blob.before_record", "transaction.before_commit",
// "transaction.committed" (a write, before it waits for the disk), "sqlite.sync_begin" and
// "sqlite.sync_end" (the group commit's fsync of the WAL), "sqlite.checkpoint_begin",
// "sqlite.checkpoint_locked" (its last part, while this process's writers wait) and
// "sqlite.checkpoint_end" (on the store's checkpointer thread), "sqlite.wal_restarted" (a commit
// found the WAL copied and started it again; called inside that commit, on the writer's thread).
using FaultHook = std::function<void(std::string_view point)>;

struct StoreOptions {
  // Time for every stamp, lease and expiry; null: the system clock. Must outlive the store.
  const clinic::Clock* clock = nullptr;
  // SQLite: create the data folder and the database if missing (`scarscope init`); when false a
  // missing record is an InputError (not_found) naming the folder.
  bool create = false;
  // Apply pending migrations up to this version only (tests of upgrades; restore of an older
  // archive); nullopt: all of them.
  std::optional<int> schema_version;
  int max_connections = 8;  // pooled connections (PostgreSQL), readers (SQLite)
  int max_retries = 10;     // retries of a transaction that lost a conflict
  std::int64_t max_blob_bytes = std::int64_t{2} << 30;
  std::chrono::milliseconds busy_timeout = std::chrono::seconds(30);  // SQLite: another process's writer
  std::chrono::seconds connect_timeout = std::chrono::seconds(10);    // PostgreSQL
  FaultHook fault_hook;
};

namespace detail {
class StoreImpl;
enum class TransactionKind { clinic_read, clinic_write, system_read, system_write };
}  // namespace detail

class Store {
 public:
  // Opens (and migrates) the record. Throws InputError for a wrong location, a corrupt SQLite file
  // or a newer schema; StoreUnavailableError when PostgreSQL does not answer.
  static std::unique_ptr<Store> open(const StoreLocation& location, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Engine engine() const;
  const StoreLocation& location() const;
  const clinic::Clock& clock() const;
  // The schema version of the open record, and the newest this binary knows.
  int schema_version() const;
  static int latest_schema_version(Engine engine);

  template <class Work>
  auto read(const std::string& clinic_id, Work&& work) {
    return run<ClinicReader>(detail::TransactionKind::clinic_read, clinic_id, std::forward<Work>(work));
  }
  template <class Work>
  auto write(const std::string& clinic_id, Work&& work) {
    return run<ClinicWriter>(detail::TransactionKind::clinic_write, clinic_id, std::forward<Work>(work));
  }
  template <class Work>
  auto read_system(Work&& work) {
    return run<SystemReader>(detail::TransactionKind::system_read, {}, std::forward<Work>(work));
  }
  template <class Work>
  auto write_system(Work&& work) {
    return run<SystemWriter>(detail::TransactionKind::system_write, {}, std::forward<Work>(work));
  }

  // Blobs (store/blobs.h). A stored blob stays until `scarscope fsck --repair` removes it for
  // being referenced by no scan.
  std::unique_ptr<BlobWriter> begin_blob();
  BlobRef put_blob(std::span<const std::byte> bytes);
  BlobRef put_blob(std::string_view bytes);
  bool has_blob(const std::string& sha256) const;

  // One read transaction for a request's session check and its route's first read. While a
  // CarriedRead lives on a thread, the first read transaction that thread runs on this store stays
  // open when its function returns, and the thread's next read continues it (same snapshot, one
  // BEGIN and COMMIT for both, one pooled connection) and then commits as usual. A write on the
  // thread, or the end of the CarriedRead, first ends the open read; a write never continues one,
  // so it sees what is committed, and reads after it see it. Later reads run as usual.
  class CarriedRead {
   public:
    explicit CarriedRead(Store& store);
    ~CarriedRead();
    CarriedRead(const CarriedRead&) = delete;
    CarriedRead& operator=(const CarriedRead&) = delete;

   private:
    detail::StoreImpl* store_;  // nullptr: another CarriedRead of this thread is already active
  };

  // For the store's own tools (backup, restore, fsck) and benchmarks.
  detail::StoreImpl& impl() { return *impl_; }

 private:
  explicit Store(std::unique_ptr<detail::StoreImpl> impl);

  // Runs `body` in a transaction of `kind` (bound to `clinic_id` for clinic kinds), retrying it on
  // serialization conflicts; commits when it returns, rolls back when it throws.
  void run_transaction(detail::TransactionKind kind, const std::string& clinic_id,
                       const std::function<void(detail::TransactionContext&)>& body);

  template <class Transaction, class Work>
  auto run(detail::TransactionKind kind, const std::string& clinic_id, Work&& work) {
    using Result = std::invoke_result_t<Work&, Transaction&>;
    if constexpr (std::is_void_v<Result>) {
      run_transaction(kind, clinic_id, [&](detail::TransactionContext& context) {
        Transaction transaction(context);
        work(transaction);
      });
    } else {
      std::optional<Result> result;
      run_transaction(kind, clinic_id, [&](detail::TransactionContext& context) {
        Transaction transaction(context);
        result.emplace(work(transaction));
      });
      return std::move(*result);
    }
  }

  std::unique_ptr<detail::StoreImpl> impl_;
};

}  // namespace scarscope::store
