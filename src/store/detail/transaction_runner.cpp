// Connections, transactions and their retries: the part of the store every query goes through.
#include "core/error.h"
#include "store/detail/store_impl.h"

namespace scarscope::store::detail {
namespace {

// A transaction function that opens another transaction would wait for itself (SQLite allows one
// writer): refuse it with a clear message instead.
thread_local bool inside_transaction = false;

struct TransactionFlag {
  TransactionFlag() {
    if (inside_transaction) {
      throw std::logic_error("a store transaction was started inside another one (call the store only outside "
                             "the functions given to Store::read/write)");
    }
    inside_transaction = true;
  }
  ~TransactionFlag() { inside_transaction = false; }
  TransactionFlag(const TransactionFlag&) = delete;
  TransactionFlag& operator=(const TransactionFlag&) = delete;
};

// Constraint violations the schema reports, as the caller's error: which field and why.
[[noreturn]] void raise_constraint(const ConstraintError& error) {
  struct Known {
    std::string_view match;  // in the SQLite message or the PostgreSQL constraint name
    std::string_view field;
    std::string_view message;
  };
  static const Known known[] = {
      {"users.email", "email", "a user with this email already exists"},
      {"users_email_key", "email", "a user with this email already exists"},
      {"clinics.name", "clinic", "a clinic of this name already exists"},
      {"clinics_name_key", "clinic", "a clinic of this name already exists"},
      {"identifier_folded", "identifier", "another patient of the clinic has this identifier"},
      {"patients_identifier", "identifier", "another patient of the clinic has this identifier"},
  };
  for (const Known& entry : known) {
    if (error.constraint().find(entry.match) != std::string::npos ||
        std::string_view(error.what()).find(entry.match) != std::string_view::npos) {
      throw InputError(std::string(entry.field) + ": " + std::string(entry.message), ErrorCode::conflict,
                       std::string(entry.field));
    }
  }
  switch (error.kind()) {
    case ConstraintError::Kind::unique:
      throw InputError("this record already exists (" + error.constraint() + ")", ErrorCode::conflict);
    case ConstraintError::Kind::foreign_key:
      throw InputError("a record it refers to does not exist in this clinic (" + error.constraint() + ")",
                       ErrorCode::not_found);
    default:
      throw InputError("the record breaks a rule of the schema (" + error.constraint() + ")", ErrorCode::out_of_range);
  }
}

// Store::CarriedRead's state on this thread: the store it is for, whether no read has run under it
// yet (the first one is carried), and the carried read while it is open.
struct CarriedState {
  StoreImpl* store = nullptr;
  bool first = true;
  std::optional<PooledConnection> open;
};
thread_local CarriedState carried;

// Ends the carried read if one is open (commits it, or rolls it back) and returns its connection.
void end_open_read(StoreImpl& store, bool commit) noexcept {
  if (!carried.open) return;
  bool ended = false;
  if (commit) {
    try {
      store.commit(**carried.open, TransactionKind::system_read);
      ended = true;
    } catch (...) {
      // rolled back below
    }
  }
  if (!ended) store.rollback(**carried.open);
  carried.open.reset();
}

}  // namespace

bool begin_carried_read(StoreImpl& store) {
  if (carried.store != nullptr) return false;
  carried.store = &store;
  carried.first = true;
  return true;
}

void end_carried_read(StoreImpl& store) noexcept {
  if (carried.store != &store) return;
  end_open_read(store, true);
  carried.store = nullptr;
}

PooledConnection::~PooledConnection() {
  if (connection_) store_->release(std::move(connection_));
}

StoreImpl::StoreImpl(StoreLocation location, StoreOptions options)
    : location_(std::move(location)), options_(std::move(options)),
      clock_(options_.clock ? options_.clock : &clinic::system_clock()) {}

clinic::Timestamp TransactionContext::now() const { return store_.clock().now(); }

PooledConnection StoreImpl::acquire() {
  std::unique_lock lock(pool_mutex_);
  if (pool_waiters_.empty() && !idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return PooledConnection(*this, std::move(connection));
  }
  if (pool_waiters_.empty() && open_connections_ < options_.max_connections) {
    ++open_connections_;  // opened below
  } else {
    PoolWaiter waiter;
    pool_waiters_.push_back(&waiter);
    waiter.handed.wait(lock, [&] { return waiter.connection != nullptr || waiter.may_open; });
    if (waiter.connection) return PooledConnection(*this, std::move(waiter.connection));
    // Otherwise a slot was freed and counted as open for us: open it below.
  }
  lock.unlock();
  try {
    return PooledConnection(*this, connect());
  } catch (...) {
    lock.lock();
    --open_connections_;
    hand_slot_to_waiter();
    throw;
  }
}

void StoreImpl::hand_slot_to_waiter() {
  if (pool_waiters_.empty() || open_connections_ >= options_.max_connections) return;
  PoolWaiter* waiter = pool_waiters_.front();
  pool_waiters_.pop_front();
  ++open_connections_;
  waiter->may_open = true;
  waiter->handed.notify_one();
}

void StoreImpl::release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(pool_mutex_);
  if (!connection->usable()) {
    --open_connections_;
    connection.reset();
    hand_slot_to_waiter();
    return;
  }
  if (pool_waiters_.empty()) {
    idle_.push_back(std::move(connection));
    return;
  }
  PoolWaiter* waiter = pool_waiters_.front();
  pool_waiters_.pop_front();
  waiter->connection = std::move(connection);
  waiter->handed.notify_one();
}

void StoreImpl::rollback(Connection& connection) noexcept {
  try {
    connection.run_script("ROLLBACK");
  } catch (...) {
    // The transaction is gone either way (a broken connection is dropped by the pool).
  }
}

void run_in_transaction(StoreImpl& store, TransactionKind kind, const std::string& clinic_id,
                        const std::function<void(TransactionContext&)>& body) {
  const bool clinic_scoped = kind == TransactionKind::clinic_read || kind == TransactionKind::clinic_write;
  if (clinic_scoped && clinic_id.empty()) {
    throw InputError("clinic: a clinic-scoped transaction needs a clinic id", ErrorCode::missing_field, "clinic");
  }
  TransactionFlag flag;
  const int attempts = std::max(1, store.options().max_retries + 1);
  const bool write = kind == TransactionKind::clinic_write || kind == TransactionKind::system_write;
  const bool carrying = carried.store == &store;
  if (carrying && carried.open) {
    // A write, and every read after it, see what is committed; the thread's next read continues the
    // carried one, then commits as any read does (after a lost conflict it runs again below).
    bool done = false;
    if (!write) {
      try {
        store.continue_read(**carried.open, kind, clinic_id);
        TransactionContext context(store, **carried.open, kind, clinic_id);
        body(context);
        done = true;
      } catch (const RetryableError&) {
        // rolled back below, then run again in a transaction of its own
      } catch (...) {
        end_open_read(store, false);
        throw;
      }
    }
    end_open_read(store, write || done);
    if (done) return;
  }
  // The first read under a CarriedRead stays open for the next one.
  const bool carry_out = carrying && !write && carried.first;
  bool reconnected = false;
  std::uint64_t durable_ticket = 0;
  for (int attempt = 1;; ++attempt) {
    std::unique_lock<std::mutex> write_lock = store.write_lock(kind);
    PooledConnection connection = store.acquire();
    bool begun = false;
    bool committing = false;
    try {
      store.begin(*connection, kind, clinic_id);
      begun = true;
      TransactionContext context(store, *connection, kind, clinic_id);
      body(context);
      if (write) store.fault("transaction.before_commit");
      if (carry_out) {
        carried.open.emplace(std::move(connection));
        carried.first = false;
        return;
      }
      committing = true;
      store.commit(*connection, kind);
      if (!write) return;
      store.fault("transaction.committed");
      durable_ticket = store.committed_write();
      break;  // the write lock and the connection are released before waiting for the disk
    } catch (const RetryableError&) {
      if (begun) store.rollback(*connection);
      if (attempt >= attempts) throw StoreError("the transaction kept losing conflicts; try again");
    } catch (const ConstraintError& error) {
      if (begun) store.rollback(*connection);
      raise_constraint(error);
    } catch (const StoreUnavailableError&) {
      if (begun) store.rollback(*connection);
      // A connection that broke before COMMIT was sent wrote nothing: try once more on a fresh one
      // (the server restarted). After COMMIT was sent the outcome is unknown: report it.
      if (committing || reconnected) throw;
      reconnected = true;
    } catch (...) {
      if (begun) store.rollback(*connection);
      throw;
    }
  }
  store.wait_durable(durable_ticket);
}

}  // namespace scarscope::store::detail
