// `scarscope fsck`: checks a record for what should never happen and says what it found: foreign
// keys (SQLite), blob hashes and sizes, blobs no scan references, stray temporary files, audit
// chains. With repair, removes unreferenced blobs (older than a grace period, so an upload between
// its blob and its scan row is left alone) and stray temporary files; it never changes records.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace scarscope::store {

class Store;

struct FsckOptions {
  bool repair = false;
  std::chrono::microseconds orphan_grace = std::chrono::hours(1);
};

struct FsckFinding {
  std::string check;     // "database", "foreign_keys", "blobs", "orphans", "audit", "jobs"
  std::string severity;  // "error" (the record is damaged), "warning" (harmless, repairable), "repaired"
  std::string what;      // one line for people (ids and hashes, never patient data)
};

struct FsckReport {
  std::vector<FsckFinding> findings;
  std::int64_t blobs_checked = 0;
  std::int64_t audit_entries_checked = 0;
  // No errors and no unrepaired warnings.
  bool clean() const;
  bool has_errors() const;
};

FsckReport check_store(Store& store, const FsckOptions& options = {});

}  // namespace scarscope::store
