// Numbered migrations per engine (src/store/migrations/ENGINE/NNN_what.sql, embedded at build time),
// applied in one transaction; a database newer than this binary is refused.
#include "core/error.h"
#include "store/detail/store_impl.h"

namespace scarscope::store::detail {
namespace {

int read_version(StoreImpl& store, TransactionContext& context) {
  if (!store.schema_table_exists(context.connection())) return 0;
  const SqlRows rows = context.query("SELECT COALESCE(MAX(version), 0) FROM scarscope_schema");
  return static_cast<int>(rows.integer(0, 0));
}

void refuse_newer(StoreImpl& store, int current, int latest) {
  if (current > latest) {
    throw UnsupportedError(store.location().describe() + ": the record has schema version " + std::to_string(current) +
                               ", newer than this scarscope " SCARSCOPE_VERSION " knows (" + std::to_string(latest) +
                               "): use a newer scarscope; nothing was changed",
                           "schema_version");
  }
}

}  // namespace

int migrate(StoreImpl& store) {
  const auto& scripts = store.migrations();
  const int latest = static_cast<int>(scripts.size());
  const int target = store.options().schema_version.value_or(latest);
  if (target < 0 || target > latest) {
    throw InputError("schema version " + std::to_string(target) + " is not one this scarscope knows (0-" +
                         std::to_string(latest) + ")",
                     ErrorCode::out_of_range, "schema_version");
  }
  // A read first: the usual case (nothing to do) takes no write lock, and an application role
  // without the right to change the schema still opens a current record.
  int current = 0;
  run_in_transaction(store, TransactionKind::system_read, {},
                     [&](TransactionContext& context) { current = read_version(store, context); });
  refuse_newer(store, current, latest);
  if (current >= target) return current;

  run_in_transaction(store, TransactionKind::system_write, {}, [&](TransactionContext& context) {
    store.lock_for_migration(context.connection());
    current = read_version(store, context);  // another process may have migrated meanwhile
    refuse_newer(store, current, latest);
    if (current == 0 && !store.schema_table_exists(context.connection())) {
      context.connection().run_script(
          "CREATE TABLE scarscope_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL, "
          "scarscope_version TEXT NOT NULL)");
    }
    for (int version = current + 1; version <= target; ++version) {
      try {
        context.connection().run_script(scripts[static_cast<std::size_t>(version - 1)].second);
      } catch (const StoreError& error) {
        throw StoreError(store.location().describe() + ": migration " + std::to_string(version) +
                         " failed: " + error.what() +
                         " (the schema is changed by the database owner: run `scarscope init` as the owner)");
      }
      context.execute("INSERT INTO scarscope_schema (version, applied_at, scarscope_version) VALUES ($1, $2, $3)",
                      version, context.now(), std::string(SCARSCOPE_VERSION));
    }
  });
  return target;
}

}  // namespace scarscope::store::detail
