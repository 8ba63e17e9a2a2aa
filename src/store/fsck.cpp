#include "store/fsck.h"

#include <sys/stat.h>

#include <set>

#include "clinic/audit_chain.h"
#include "store/detail/record_checks.h"
#include "store/detail/rows.h"
#include "store/detail/sha256.h"
#include "store/detail/store_impl.h"
#include "store/sqlite_layout.h"
#include "store/store.h"

namespace scarscope::store {

using namespace detail;

namespace {

void add(FsckReport& report, std::string check, std::string severity, std::string what) {
  report.findings.push_back({std::move(check), std::move(severity), std::move(what)});
}

void check_sqlite_database(TransactionContext& context, FsckReport& report) {
  const SqlRows integrity = context.query("PRAGMA integrity_check");
  for (std::size_t r = 0; r < integrity.size(); ++r) {
    if (integrity.text(r, 0) != "ok") add(report, "database", "error", "integrity_check: " + integrity.text(r, 0));
  }
  const SqlRows keys = context.query("PRAGMA foreign_key_check");
  for (std::size_t r = 0; r < keys.size(); ++r) {
    add(report, "foreign_keys", "error",
        "a row of " + keys.text(r, 0) + " refers to a missing row of " + keys.text(r, 2));
  }
}

struct BlobRow {
  std::string sha256;
  std::int64_t size = 0;
  clinic::Timestamp created_at;
  bool referenced = false;
};

}  // namespace

// Rows that disagree with the rows they belong to (the copies of patient and visit ids the schema
// keeps for its clinic-scoped references).
void detail::check_consistency(TransactionContext& context, FsckReport& report) {
  struct Rule {
    std::string_view sql;
    std::string_view what;
  };
  static const Rule rules[] = {
      {"SELECT s.id FROM scans s JOIN visits v ON v.id = s.visit_id WHERE v.patient_id <> s.patient_id",
       "scan belongs to another patient than its visit"},
      {"SELECT a.id FROM assessments a JOIN scans s ON s.id = a.scan_id WHERE s.patient_id <> a.patient_id OR "
       "s.visit_id <> a.visit_id",
       "assessment belongs to another patient or visit than its scan"},
      {"SELECT e.id FROM adverse_events e JOIN treatment_sessions t ON t.id = e.session_id WHERE t.patient_id <> "
       "e.patient_id",
       "adverse event belongs to another patient than its session"},
      {"SELECT j.id FROM jobs j JOIN scans s ON s.id = j.scan_id WHERE s.patient_id <> j.patient_id",
       "job belongs to another patient than its scan"},
      {"SELECT p.id FROM plans p JOIN visits v ON v.id = p.visit_id WHERE v.patient_id <> p.patient_id",
       "plan belongs to another patient than its visit"},
      {"SELECT p.id FROM visit_photos p JOIN visits v ON v.id = p.visit_id WHERE v.patient_id <> p.patient_id",
       "photograph belongs to another patient than its visit"},
      {"SELECT m.id FROM photo_markings m JOIN visit_photos p ON p.id = m.photo_id WHERE p.patient_id <> m.patient_id",
       "photograph marking belongs to another patient than its photograph"},
  };
  for (const Rule& rule : rules) {
    const SqlRows rows = context.query(rule.sql);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      add(report, "foreign_keys", "error", std::string(rule.what) + ": " + rows.text(r, 0));
    }
  }
}

// Audit chains, one at a time, entry by entry.
void detail::check_audit_chains(TransactionContext& context, FsckReport& report) {
  const SqlRows heads = context.query("SELECT chain, last_sequence, last_hash FROM audit_chains ORDER BY chain");
  std::set<std::string> chains_with_heads;
  static const std::string entries_sql = "SELECT " + std::string(audit_columns) +
                                         " FROM audit_entries WHERE chain = $1 AND sequence > $2 ORDER BY sequence "
                                         "LIMIT 2000";
  for (std::size_t h = 0; h < heads.size(); ++h) {
    const std::string chain = heads.text(h, 0);
    chains_with_heads.insert(chain);
    clinic::AuditChainVerifier verifier(chain);
    std::int64_t after = 0;
    while (true) {
      const SqlRows entries = context.query(entries_sql, chain, after);
      for (std::size_t r = 0; r < entries.size(); ++r) {
        const clinic::AuditEntry entry = audit_entry_from(entries, r);
        verifier.add(entry);
        after = entry.sequence;
        ++report.audit_entries_checked;
      }
      if (entries.size() < 2000) break;
    }
    for (const clinic::AuditChainProblem& problem : verifier.finish(heads.integer(h, 1), heads.text(h, 2))) {
      add(report, "audit", "error",
          "audit chain " + (chain.empty() ? std::string("(record-wide)") : chain) + ", entry " +
              std::to_string(problem.sequence) + ": " + problem.what);
    }
  }
  const SqlRows chains = context.query("SELECT DISTINCT chain FROM audit_entries ORDER BY chain");
  for (std::size_t r = 0; r < chains.size(); ++r) {
    if (!chains_with_heads.count(chains.text(r, 0))) {
      add(report, "audit", "error", "audit chain " + chains.text(r, 0) + " has entries but no head (it was deleted)");
    }
  }
}


bool FsckReport::has_errors() const {
  for (const FsckFinding& finding : findings) {
    if (finding.severity == "error") return true;
  }
  return false;
}

bool FsckReport::clean() const {
  for (const FsckFinding& finding : findings) {
    if (finding.severity != "repaired") return false;
  }
  return true;
}

FsckReport check_store(Store& store, const FsckOptions& options) {
  FsckReport report;
  StoreImpl& impl = store.impl();
  std::vector<BlobRow> blobs;
  run_in_transaction(impl, TransactionKind::system_read, {}, [&](TransactionContext& context) {
    report = {};
    blobs.clear();
    if (store.engine() == Engine::sqlite) check_sqlite_database(context, report);
    check_consistency(context, report);

    // Blobs: each row's bytes are there, of its size and its hash.
    const SqlRows rows = context.query(
        "SELECT b.sha256, b.size, b.created_at, EXISTS (SELECT 1 FROM scans s WHERE s.sha256 = b.sha256) OR "
        "EXISTS (SELECT 1 FROM visit_photos p WHERE p.sha256 = b.sha256) "
        "FROM blobs b ORDER BY b.sha256");
    for (std::size_t r = 0; r < rows.size(); ++r) {
      BlobRow blob{rows.text(r, 0), rows.integer(r, 1), clinic::from_unix_microseconds(rows.integer(r, 2)),
                   rows.integer(r, 3) != 0};
      Sha256 hash;
      try {
        impl.read_blob(context, blob.sha256, blob.size, [&](std::span<const std::byte> piece) { hash.update(piece); });
        if (hash.hex() != blob.sha256) {
          add(report, "blobs", "error", "blob " + blob.sha256 + " does not match its hash (its bytes changed)");
        }
      } catch (const StoreError& error) {
        add(report, "blobs", "error", error.what());
      }
      ++report.blobs_checked;
      blobs.push_back(std::move(blob));
    }
    if (store.engine() == Engine::postgres) {
      const SqlRows stray = context.query(
          "SELECT DISTINCT c.blob_key FROM blob_chunks c LEFT JOIN blobs b ON b.sha256 = c.blob_key WHERE b.sha256 IS NULL");
      for (std::size_t r = 0; r < stray.size(); ++r) {
        add(report, "blobs", "error", "pieces stored under " + stray.text(r, 0) + " belong to no blob");
      }
    }

    check_audit_chains(context, report);

    const SqlRows expired = context.query(
        "SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at <= $1 ORDER BY id", context.now());
    for (std::size_t r = 0; r < expired.size(); ++r) {
      add(report, "jobs", "warning",
          "job " + expired.text(r, 0) + " is running under an expired lease (a worker will claim it again)");
    }
  });

  // Blobs no scan refers to: left by an upload that never became a scan. Young ones may be an
  // upload in progress, so they are left alone.
  const clinic::Timestamp cutoff = store.clock().now() - options.orphan_grace;
  for (const BlobRow& blob : blobs) {
    if (blob.referenced) continue;
    if (options.repair && blob.created_at <= cutoff) {
      impl.delete_blob(blob.sha256);
      add(report, "orphans", "repaired", "removed blob " + blob.sha256 + " (no scan refers to it)");
    } else {
      add(report, "orphans", "warning", "blob " + blob.sha256 + " is referenced by no scan (fsck --repair removes it)");
    }
  }

  // SQLite: files under blobs/ that no row names, and temporary files a crash left.
  if (store.engine() == Engine::sqlite) {
    const SqliteLayout layout(store.location().data_dir);
    std::set<std::string> known;
    for (const BlobRow& blob : blobs) known.insert(blob.sha256);
    const auto now = std::filesystem::file_time_type::clock::now();
    const auto old_enough = [&](const std::filesystem::path& path) {
      std::error_code error;
      const auto written = std::filesystem::last_write_time(path, error);
      return !error && now - written >= options.orphan_grace;
    };
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(layout.blobs_dir(), error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_regular_file()) continue;
      const std::filesystem::path path = it->path();
      const bool temporary = path.parent_path() == layout.blob_temporary_dir();
      const std::string name = path.filename().string();
      if (!temporary && is_sha256_hex(name) && known.count(name) && path == layout.blob_path(name)) continue;
      const std::string what = temporary ? "temporary file " + name + " left by an interrupted upload"
                                         : "file " + path.string() + " is no blob of the record";
      if (options.repair && old_enough(path)) {
        std::filesystem::remove(path, error);
        add(report, "orphans", "repaired", "removed " + what);
      } else {
        add(report, "orphans", "warning", what + " (fsck --repair removes it)");
      }
    }
  }
  return report;
}

}  // namespace scarscope::store
