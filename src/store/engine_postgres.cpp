// The PostgreSQL engine: libpq connections from a pool, row-level security per clinic (set for each
// transaction), blobs as 1 MiB bytea pieces inside the database so every machine reads them.
#include <array>

#include "clinic/ids.h"
#include "core/error.h"
#include "store/detail/postgres_connection.h"
#include "store/detail/sha256.h"
#include "store/detail/store_impl.h"

namespace scarscope::store::detail {

namespace {

constexpr std::size_t blob_piece_bytes = 1 << 20;

constexpr std::string_view scope_sql =
    "SELECT set_config('scarscope.scope', $1, true), set_config('scarscope.clinic_id', $2, true)";

class PostgresStore;

// Writes the pieces of one blob in a transaction of its own under a temporary key, and renames them
// to the blob's hash on commit: a crash or an abandoned upload leaves nothing.
class ChunkBlobWriter final : public BlobWriter {
 public:
  explicit ChunkBlobWriter(PostgresStore& store);
  ~ChunkBlobWriter() override {
    if (open_) store_rollback();
  }
  void write(std::span<const std::byte> bytes) override;
  BlobRef commit() override;

 private:
  void flush_piece();
  void store_rollback() noexcept;

  PostgresStore& store_;
  PooledConnection connection_;
  std::string upload_key_ = "upload:" + clinic::new_record_id();
  std::vector<std::byte> piece_;
  std::int64_t next_sequence_ = 0;
  std::int64_t size_ = 0;
  Sha256 hash_;
  bool open_ = false;
};

class PostgresStore final : public StoreImpl {
 public:
  using StoreImpl::StoreImpl;

  void begin(Connection& connection, TransactionKind kind, const std::string& clinic_id) override {
    const bool write = kind == TransactionKind::clinic_write || kind == TransactionKind::system_write;
    // Reads see one snapshot; writes run at READ COMMITTED with explicit row locks where order
    // matters (job claims, audit chain heads).
    const std::array<SqlParam, 2> scope = scope_params(kind, clinic_id);
    connection.begin(write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", scope_sql, scope);
  }

  void continue_read(Connection& connection, TransactionKind kind, const std::string& clinic_id) override {
    // Sent with the read's first statement, in the same round trip.
    connection.execute_later(scope_sql, scope_params(kind, clinic_id));
  }

  // The parameters of scope_sql: which scope, and the clinic of a clinic-scoped transaction.
  static std::array<SqlParam, 2> scope_params(TransactionKind kind, const std::string& clinic_id) {
    const bool clinic_scoped = kind == TransactionKind::clinic_read || kind == TransactionKind::clinic_write;
    return {SqlParam(std::string(clinic_scoped ? "clinic" : "system")),
            SqlParam(clinic_scoped ? clinic_id : std::string())};
  }

  std::unique_lock<std::mutex> write_lock(TransactionKind) override { return {}; }

  std::string_view claim_lock_clause() const override { return " FOR UPDATE OF j SKIP LOCKED"; }

  std::unique_ptr<BlobWriter> begin_blob() override { return std::make_unique<ChunkBlobWriter>(*this); }

  void read_blob(TransactionContext& context, const std::string& sha256, std::int64_t size,
                 const std::function<void(std::span<const std::byte>)>& sink) override {
    std::int64_t total = 0;
    for (std::int64_t sequence = 0;; ++sequence) {
      const SqlRows rows =
          context.query("SELECT data FROM blob_chunks WHERE blob_key = $1 AND seq = $2", sha256, sequence);
      if (rows.empty()) break;
      const std::string& piece = rows.text(0, 0);
      total += static_cast<std::int64_t>(piece.size());
      sink(std::span<const std::byte>(reinterpret_cast<const std::byte*>(piece.data()), piece.size()));
    }
    if (total != size) {
      throw StoreError("blob " + sha256 + " has " + std::to_string(total) + " bytes in the database, the record says " +
                       std::to_string(size) + " (run scarscope fsck)");
    }
  }

  void delete_blob(const std::string& sha256) override {
    run_in_transaction(*this, TransactionKind::system_write, {}, [&](TransactionContext& context) {
      context.execute("DELETE FROM blob_chunks WHERE blob_key = $1", sha256);
      context.execute("DELETE FROM blobs WHERE sha256 = $1", sha256);
    });
  }

  const std::vector<std::pair<int, std::string_view>>& migrations() const override { return postgres_migrations(); }

  void lock_for_migration(Connection& connection) override {
    // Two servers starting at once: the second waits, then finds the schema current.
    connection.execute("SELECT pg_advisory_xact_lock(7291635507)", {});
  }

  bool schema_table_exists(Connection& connection) override {
    return connection.query("SELECT to_regclass('scarscope_schema') IS NOT NULL", {}).integer(0, 0) != 0;
  }

 protected:
  std::unique_ptr<Connection> connect() override {
    return open_postgres_connection(location_.url, options_.connect_timeout);
  }
};

ChunkBlobWriter::ChunkBlobWriter(PostgresStore& store) : store_(store), connection_(store.acquire()) {
  store_.begin(*connection_, TransactionKind::system_write, {});
  open_ = true;
  piece_.reserve(blob_piece_bytes);
}

void ChunkBlobWriter::write(std::span<const std::byte> bytes) {
  if (!open_) throw std::logic_error("BlobWriter::write after commit");
  if (size_ + static_cast<std::int64_t>(bytes.size()) > store_.options().max_blob_bytes) {
    throw InputError("the file is larger than the " + std::to_string(store_.options().max_blob_bytes) +
                         " bytes the record accepts",
                     ErrorCode::too_large, "file");
  }
  hash_.update(bytes);
  size_ += static_cast<std::int64_t>(bytes.size());
  while (!bytes.empty()) {
    const std::size_t take = std::min(bytes.size(), blob_piece_bytes - piece_.size());
    piece_.insert(piece_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (piece_.size() == blob_piece_bytes) flush_piece();
  }
}

void ChunkBlobWriter::flush_piece() {
  const SqlParam params[] = {upload_key_, next_sequence_, SqlBytes{std::span<const std::byte>(piece_)}};
  connection_->execute("INSERT INTO blob_chunks (blob_key, seq, data) VALUES ($1, $2, $3)", params);
  ++next_sequence_;
  piece_.clear();
}

BlobRef ChunkBlobWriter::commit() {
  if (!open_) throw std::logic_error("BlobWriter::commit called twice");
  if (!piece_.empty()) flush_piece();
  BlobRef blob{hash_.hex(), size_};
  store_.fault("blob.before_record");
  const SqlParam insert[] = {blob.sha256, blob.size, clinic::to_unix_microseconds(store_.clock().now())};
  const SqlRows inserted = connection_->query(
      "INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING "
      "RETURNING sha256",
      insert);
  if (inserted.empty()) {
    // Already stored (the same file uploaded again): drop this copy.
    const SqlParam key[] = {upload_key_};
    connection_->execute("DELETE FROM blob_chunks WHERE blob_key = $1", key);
  } else {
    const SqlParam keys[] = {blob.sha256, upload_key_};
    connection_->execute("UPDATE blob_chunks SET blob_key = $1 WHERE blob_key = $2", keys);
  }
  store_.fault("transaction.before_commit");
  store_.commit(*connection_);
  open_ = false;
  return blob;
}

void ChunkBlobWriter::store_rollback() noexcept {
  store_.rollback(*connection_);
  open_ = false;
}

}  // namespace

std::unique_ptr<StoreImpl> make_postgres_store(const StoreLocation& location, const StoreOptions& options) {
  return std::make_unique<PostgresStore>(location, options);
}

}  // namespace scarscope::store::detail
