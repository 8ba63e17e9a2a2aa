// Backup and restore of a whole record, across engines: one tar archive holding a manifest (format,
// schema version, engine, per-table row counts and SHA-256 of every file), every table as JSON
// lines in an engine-neutral form, and every blob under its hash. A backup made on SQLite restores
// into PostgreSQL and back: that is how a clinic moves from a laptop to a server.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace scarscope::store {

class Store;

struct BackupSummary {
  int schema_version = 0;
  std::map<std::string, std::int64_t> rows;  // per table
  std::int64_t blobs = 0;
  std::int64_t blob_bytes = 0;
};

// Writes `archive` (refusing to overwrite an existing file) from one consistent snapshot of the
// record (a single read transaction: WAL snapshot on SQLite, REPEATABLE READ on PostgreSQL), and
// records a `backup` entry in the record-wide audit chain first. Login sessions and login attempts
// are not backed up. The archive is written to a temporary name and renamed when complete.
BackupSummary backup_store(Store& store, const std::filesystem::path& archive);

// Restores `archive` into `target`, which must hold no records (a fresh `scarscope init`, or a new
// PostgreSQL database). Verifies the manifest's hashes and every blob's hash; on any mismatch it
// throws InputError (bad_format) and leaves the target as empty as it found it. The target must be
// at the archive's schema version or have no schema yet (open it with
// StoreOptions::schema_version = read_backup_schema_version(archive)); newer migrations are applied
// afterwards by reopening. Appends a `restore` entry to the record-wide audit chain.
BackupSummary restore_store(Store& target, const std::filesystem::path& archive);

// The schema version recorded in an archive's manifest (InputError if it is not a ScarScope backup).
int read_backup_schema_version(const std::filesystem::path& archive);

// Every backed-up table of a record as canonical JSON lines (keys sorted, rows in key order), the
// form a backup holds them in: two records hold the same data exactly when these are equal.
std::map<std::string, std::vector<std::string>> dump_record_tables(Store& store);

}  // namespace scarscope::store
