#include "store/store.h"

#include "core/error.h"
#include "store/detail/postgres_connection.h"
#include "store/detail/store_impl.h"

namespace scarscope::store {

std::string_view engine_name(Engine engine) { return engine == Engine::sqlite ? "sqlite" : "postgres"; }

StoreLocation StoreLocation::sqlite(std::filesystem::path data_dir) {
  StoreLocation location;
  location.engine = Engine::sqlite;
  location.data_dir = std::move(data_dir);
  return location;
}

StoreLocation StoreLocation::postgres(std::string url) {
  if (url.rfind("postgres://", 0) != 0 && url.rfind("postgresql://", 0) != 0) {
    throw InputError("--db: \"" + detail::redact_postgres_url(url) +
                         "\" is not a PostgreSQL URL (postgresql://USER@HOST[:PORT]/DATABASE)",
                     ErrorCode::bad_input, "--db");
  }
  StoreLocation location;
  location.engine = Engine::postgres;
  location.url = std::move(url);
  return location;
}

StoreLocation StoreLocation::from_options(const std::string& data_dir, const std::string& db_url) {
  if (!data_dir.empty() && !db_url.empty()) {
    throw InputError("give either --data DIR (SQLite) or --db URL (PostgreSQL), not both", ErrorCode::bad_input,
                     "--db");
  }
  if (!db_url.empty()) return postgres(db_url);
  return sqlite(data_dir.empty() ? std::filesystem::path("scarscope-data") : std::filesystem::path(data_dir));
}

std::string StoreLocation::describe() const {
  return engine == Engine::sqlite ? data_dir.string() : detail::redact_postgres_url(url);
}

Store::Store(std::unique_ptr<detail::StoreImpl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const StoreLocation& location, StoreOptions options) {
  if (options.max_connections < 1) options.max_connections = 1;
  std::unique_ptr<detail::StoreImpl> impl = location.engine == Engine::sqlite
                                                ? detail::make_sqlite_store(location, options)
                                                : detail::make_postgres_store(location, options);
  impl->set_schema_version(detail::migrate(*impl));
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Engine Store::engine() const { return impl_->engine(); }
const StoreLocation& Store::location() const { return impl_->location(); }
const clinic::Clock& Store::clock() const { return impl_->clock(); }
int Store::schema_version() const { return impl_->schema_version(); }

int Store::latest_schema_version(Engine engine) {
  return static_cast<int>(engine == Engine::sqlite ? detail::sqlite_migrations().size()
                                                   : detail::postgres_migrations().size());
}

void Store::run_transaction(detail::TransactionKind kind, const std::string& clinic_id,
                            const std::function<void(detail::TransactionContext&)>& body) {
  detail::run_in_transaction(*impl_, kind, clinic_id, body);
}

Store::CarriedRead::CarriedRead(Store& store)
    : store_(detail::begin_carried_read(*store.impl_) ? store.impl_.get() : nullptr) {}

Store::CarriedRead::~CarriedRead() {
  if (store_) detail::end_carried_read(*store_);
}

std::unique_ptr<BlobWriter> Store::begin_blob() { return impl_->begin_blob(); }

BlobRef Store::put_blob(std::span<const std::byte> bytes) {
  std::unique_ptr<BlobWriter> writer = begin_blob();
  writer->write(bytes);
  return writer->commit();
}

BlobRef Store::put_blob(std::string_view bytes) {
  return put_blob(std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
}

bool Store::has_blob(const std::string& sha256) const {
  bool found = false;
  detail::run_in_transaction(*impl_, detail::TransactionKind::system_read, {},
                             [&](detail::TransactionContext& context) {
                               found = !context.query("SELECT 1 FROM blobs WHERE sha256 = $1", sha256).empty();
                             });
  return found;
}

}  // namespace scarscope::store
