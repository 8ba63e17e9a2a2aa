#include "store/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "clinic/ids.h"
#include "core/error.h"
#include "store/detail/record_checks.h"
#include "store/detail/sha256.h"
#include "store/fsck.h"
#include "store/detail/store_impl.h"
#include "store/detail/tar.h"
#include "store/store.h"

namespace scarscope::store {

using namespace detail;
using nlohmann::json;

namespace {

constexpr std::string_view backup_format = "scarscope-backup";
constexpr int backup_format_version = 1;
constexpr int dump_batch = 2000;

// Login sessions and login attempts are not part of the record a clinic moves: a restored record
// starts with everyone logged out.
std::vector<TableInfo> backup_tables() {
  std::vector<TableInfo> tables;
  for (const TableInfo& table : record_tables()) {
    if (table.name != "auth_sessions" && table.name != "login_attempts") tables.push_back(table);
  }
  return tables;
}

json cell_json(const SqlCell& cell) {
  if (const auto* number = std::get_if<std::int64_t>(&cell)) return *number;
  if (const auto* real = std::get_if<double>(&cell)) return *real;
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  return nullptr;
}

// Streams every row of `table` (in key order, in batches) as a canonical JSON line.
void dump_table(TransactionContext& context, const TableInfo& table, const std::function<void(const std::string&)>& line) {
  const std::string sql = "SELECT * FROM " + std::string(table.name) + " ORDER BY " + std::string(table.order_by) +
                          " LIMIT $1 OFFSET $2";
  for (std::int64_t offset = 0;; offset += dump_batch) {
    const SqlRows rows = context.query(sql, std::int64_t{dump_batch}, offset);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      json object = json::object();
      for (std::size_t c = 0; c < rows.columns().size(); ++c) object[rows.columns()[c]] = cell_json(rows.cell(r, c));
      line(object.dump());
    }
    if (rows.size() < static_cast<std::size_t>(dump_batch)) break;
  }
}

// A folder for the backup's work files, removed with everything in it.
class WorkFolder {
 public:
  explicit WorkFolder(const std::filesystem::path& parent)
      : path_(parent / (".scarscope-work-" + clinic::new_record_id())) {
    std::filesystem::create_directories(path_);
  }
  ~WorkFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  WorkFolder(const WorkFolder&) = delete;
  WorkFolder& operator=(const WorkFolder&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct FileSummary {
  std::int64_t rows = 0;
  std::int64_t bytes = 0;
  std::string sha256;
};

void fsync_parent(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path().empty() ? "." : path.parent_path();
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::span<const std::byte> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

json read_manifest(TarReader& tar, const std::filesystem::path& archive) {
  const std::optional<TarReader::Entry> first = tar.next();
  if (!first || first->name != "manifest.json") {
    throw InputError(archive.string() + ": not a ScarScope backup (it does not begin with manifest.json)",
                     ErrorCode::bad_format, archive.string());
  }
  const json manifest = json::parse(tar.read_all(64 << 20), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || manifest.value("format", "") != backup_format) {
    throw InputError(archive.string() + ": manifest.json is not a ScarScope backup manifest", ErrorCode::bad_format,
                     archive.string());
  }
  if (manifest.value("format_version", 0) != backup_format_version) {
    throw UnsupportedError(archive.string() + ": backup format version " +
                               std::to_string(manifest.value("format_version", 0)) + " is not one this scarscope reads (" +
                               std::to_string(backup_format_version) + ")",
                           "format_version");
  }
  if (!manifest.contains("schema_version") || !manifest["schema_version"].is_number_integer() ||
      !manifest.contains("tables") || !manifest["tables"].is_object() || !manifest.contains("blobs") ||
      !manifest["blobs"].is_array()) {
    throw InputError(archive.string() + ": manifest.json lacks schema_version, tables or blobs", ErrorCode::bad_format,
                     archive.string());
  }
  return manifest;
}

}  // namespace

std::map<std::string, std::vector<std::string>> dump_record_tables(Store& store) {
  std::map<std::string, std::vector<std::string>> tables;
  run_in_transaction(store.impl(), TransactionKind::system_read, {}, [&](TransactionContext& context) {
    tables.clear();
    for (const TableInfo& table : backup_tables()) {
      std::vector<std::string>& lines = tables[std::string(table.name)];
      dump_table(context, table, [&](const std::string& line) { lines.push_back(line); });
    }
  });
  return tables;
}

BackupSummary backup_store(Store& store, const std::filesystem::path& archive) {
  if (std::filesystem::exists(archive)) {
    throw InputError(archive.string() + ": already exists (a backup never overwrites a file)", ErrorCode::conflict,
                     archive.string());
  }
  const std::filesystem::path parent = archive.parent_path().empty() ? "." : archive.parent_path();
  if (!std::filesystem::is_directory(parent)) {
    throw InputError(parent.string() + ": no such folder for the backup", ErrorCode::not_found, parent.string());
  }
  store.write_system([&](SystemWriter& tx) { tx.append_audit({}, {{}, clinic::AuditAction::backup, "record", {}, {}, {}}); });

  WorkFolder work(parent);
  const std::filesystem::path partial = parent / (archive.filename().string() + ".partial-" + clinic::new_record_id());
  BackupSummary summary;
  try {
    run_in_transaction(store.impl(), TransactionKind::system_read, {}, [&](TransactionContext& context) {
      summary = {};
      std::filesystem::remove(partial);
      summary.schema_version =
          static_cast<int>(context.query("SELECT COALESCE(MAX(version), 0) FROM scarscope_schema").integer(0, 0));
      // 1. Every table to a work file (so the manifest can carry their hashes before them).
      std::map<std::string, FileSummary> files;
      for (const TableInfo& table : backup_tables()) {
        const std::string name(table.name);
        std::ofstream out(work / (name + ".jsonl"), std::ios::binary | std::ios::trunc);
        Sha256 hash;
        FileSummary& file = files[name];
        dump_table(context, table, [&](const std::string& line) {
          const std::string text = line + "\n";
          out.write(text.data(), static_cast<std::streamsize>(text.size()));
          hash.update(as_bytes(text));
          file.bytes += static_cast<std::int64_t>(text.size());
          ++file.rows;
        });
        out.close();
        if (!out) throw StoreError((work / (name + ".jsonl")).string() + ": cannot write");
        file.sha256 = hash.hex();
        summary.rows[name] = file.rows;
      }
      const SqlRows blobs = context.query("SELECT sha256, size FROM blobs ORDER BY sha256");

      json manifest = json::object();
      manifest["format"] = backup_format;
      manifest["format_version"] = backup_format_version;
      manifest["schema_version"] = summary.schema_version;
      manifest["engine"] = engine_name(store.engine());
      manifest["scarscope_version"] = SCARSCOPE_VERSION;
      manifest["created_at"] = clinic::format_timestamp(context.now());
      json& tables = manifest["tables"] = json::object();
      for (const TableInfo& table : backup_tables()) {
        const FileSummary& file = files[std::string(table.name)];
        tables[std::string(table.name)] = {{"file", "records/" + std::string(table.name) + ".jsonl"},
                                           {"rows", file.rows},
                                           {"bytes", file.bytes},
                                           {"sha256", file.sha256}};
      }
      json& blob_list = manifest["blobs"] = json::array();
      for (std::size_t r = 0; r < blobs.size(); ++r) {
        blob_list.push_back({{"sha256", blobs.text(r, 0)}, {"size", blobs.integer(r, 1)}});
      }

      // 2. The archive: manifest, blobs (a restore stores them before the rows that name them), records.
      TarWriter tar(partial);
      tar.add("manifest.json", manifest.dump(2));
      for (std::size_t r = 0; r < blobs.size(); ++r) {
        const std::string sha256 = blobs.text(r, 0);
        const std::int64_t size = blobs.integer(r, 1);
        tar.add("blobs/" + sha256, size, [&](const auto& sink) {
          Sha256 hash;
          context.store().read_blob(context, sha256, size, [&](std::span<const std::byte> piece) {
            hash.update(piece);
            sink(piece);
          });
          if (hash.hex() != sha256) {
            throw StoreError("blob " + sha256 + " does not match its hash: the record is damaged (run scarscope fsck)");
          }
        });
        ++summary.blobs;
        summary.blob_bytes += size;
      }
      for (const TableInfo& table : backup_tables()) {
        const std::string name(table.name);
        tar.add("records/" + name + ".jsonl", files[name].bytes, [&](const auto& sink) {
          std::ifstream in(work / (name + ".jsonl"), std::ios::binary);
          std::vector<char> piece(1 << 20);
          while (in) {
            in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
            if (in.gcount() > 0) {
              sink(std::span<const std::byte>(reinterpret_cast<const std::byte*>(piece.data()),
                                              static_cast<std::size_t>(in.gcount())));
            }
          }
        });
      }
      tar.finish();
    });
    std::filesystem::rename(partial, archive);
    fsync_parent(archive);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    throw;
  }
  return summary;
}

int read_backup_schema_version(const std::filesystem::path& archive) {
  TarReader tar(archive);
  return read_manifest(tar, archive)["schema_version"].get<int>();
}

BackupSummary restore_store(Store& target, const std::filesystem::path& archive) {
  TarReader tar(archive);
  const json manifest = read_manifest(tar, archive);
  const int schema_version = manifest["schema_version"].get<int>();
  if (schema_version != target.schema_version()) {
    throw InputError(archive.string() + ": the backup has schema version " + std::to_string(schema_version) +
                         ", the target " + std::to_string(target.schema_version()) +
                         ": restore into a record at the backup's version (scarscope restore does this for a new "
                         "record) and let it upgrade when opened",
                     ErrorCode::unsupported, "schema_version");
  }
  const auto counts = target.read_system([](SystemReader& tx) { return tx.record_counts(); });
  for (const auto& [table, rows] : counts) {
    if (rows != 0) {
      throw InputError(target.location().describe() + ": already holds records (" + table + ": " + std::to_string(rows) +
                           "); restore only into an empty record",
                       ErrorCode::conflict, "target");
    }
  }
  const std::vector<TableInfo> tables = backup_tables();
  std::map<std::string, std::int64_t> expected_blobs;
  for (const json& blob : manifest["blobs"]) {
    if (!blob.is_object() || !blob.contains("sha256") || !blob["sha256"].is_string() || !blob.contains("size") ||
        !is_sha256_hex(blob["sha256"].get<std::string>()) || !blob["size"].is_number_integer()) {
      throw InputError(archive.string() + ": manifest.json has a malformed blob entry", ErrorCode::bad_format,
                       archive.string());
    }
    expected_blobs[blob["sha256"].get<std::string>()] = blob["size"].get<std::int64_t>();
  }
  for (const TableInfo& table : tables) {
    const json& entry = manifest["tables"].value(std::string(table.name), json());
    if (!entry.is_object() || !entry.contains("sha256") || !entry.contains("rows") || !entry.contains("bytes")) {
      throw InputError(archive.string() + ": manifest.json does not describe table " + std::string(table.name),
                       ErrorCode::bad_format, archive.string());
    }
  }

  const auto damaged = [&](const std::string& what) {
    return InputError(archive.string() + ": " + what + " (the archive is damaged; nothing was restored)",
                      ErrorCode::bad_format, archive.string());
  };
  WorkFolder work(std::filesystem::temp_directory_path());
  std::vector<std::string> stored_blobs;
  BackupSummary summary;
  summary.schema_version = schema_version;
  try {
    std::set<std::string> seen_tables;
    while (const std::optional<TarReader::Entry> entry = tar.next()) {
      if (entry->name.rfind("blobs/", 0) == 0) {
        const std::string sha256 = entry->name.substr(6);
        const auto expected = expected_blobs.find(sha256);
        if (expected == expected_blobs.end() || expected->second != entry->size) {
          throw damaged(entry->name + " is not listed in the manifest with this size");
        }
        std::unique_ptr<BlobWriter> writer = target.begin_blob();
        tar.read([&](std::span<const std::byte> piece) { writer->write(piece); });
        const BlobRef stored = writer->commit();
        const bool known_before = std::find(stored_blobs.begin(), stored_blobs.end(), stored.sha256) != stored_blobs.end();
        if (!known_before) stored_blobs.push_back(stored.sha256);
        if (stored.sha256 != sha256) throw damaged("the bytes of blob " + sha256 + " do not match its hash");
        expected_blobs.erase(expected);
        ++summary.blobs;
        summary.blob_bytes += stored.size;
      } else if (entry->name.rfind("records/", 0) == 0) {
        const std::string file = entry->name.substr(8);
        const std::string table = file.size() > 6 ? file.substr(0, file.size() - 6) : "";
        const json& described = manifest["tables"].value(table, json());
        if (!described.is_object() || file != table + ".jsonl" || seen_tables.count(table)) {
          throw damaged(entry->name + " is not a table of the manifest");
        }
        seen_tables.insert(table);
        std::ofstream out(work / file, std::ios::binary);
        Sha256 hash;
        std::int64_t bytes = 0;
        tar.read([&](std::span<const std::byte> piece) {
          hash.update(piece);
          bytes += static_cast<std::int64_t>(piece.size());
          out.write(reinterpret_cast<const char*>(piece.data()), static_cast<std::streamsize>(piece.size()));
        });
        out.close();
        if (hash.hex() != described.value("sha256", "") || bytes != described.value("bytes", std::int64_t{-1})) {
          throw damaged(entry->name + " does not match the hash in the manifest");
        }
      } else {
        throw damaged("unexpected member " + entry->name);
      }
    }
    if (!expected_blobs.empty()) throw damaged("blob " + expected_blobs.begin()->first + " is missing");
    for (const TableInfo& table : tables) {
      if (!seen_tables.count(std::string(table.name))) throw damaged("records of " + std::string(table.name) + " are missing");
    }

    // Every row in one transaction, parents first.
    run_in_transaction(target.impl(), TransactionKind::system_write, {}, [&](TransactionContext& context) {
      summary.rows.clear();
      for (const TableInfo& table : tables) {
        const std::string name(table.name);
        // Column names come from the target's own table, never from the archive.
        const SqlRows shape = context.query("SELECT * FROM " + name + " LIMIT 0");
        const std::vector<std::string>& columns = shape.columns();
        std::string sql = "INSERT INTO " + name + " (";
        for (std::size_t c = 0; c < columns.size(); ++c) sql += (c ? ", " : "") + columns[c];
        sql += ") VALUES (";
        for (std::size_t c = 0; c < columns.size(); ++c) sql += (c ? ", $" : "$") + std::to_string(c + 1);
        sql += ")";
        // Blobs already have their rows (stored above); keep the archive's time stamps.
        if (name == "blobs") sql += " ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at";
        std::ifstream in(work / (name + ".jsonl"), std::ios::binary);
        std::string line;
        std::int64_t rows = 0;
        std::vector<SqlParam> params(columns.size());
        while (std::getline(in, line)) {
          const json row = json::parse(line, nullptr, false);
          if (row.is_discarded() || !row.is_object() || row.size() != columns.size()) {
            throw damaged("a row of " + name + " does not have the table's columns");
          }
          for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto value = row.find(columns[c]);
            if (value == row.end()) throw damaged("a row of " + name + " lacks column " + columns[c]);
            if (value->is_null()) params[c] = SqlNull{};
            else if (value->is_number_integer()) params[c] = value->get<std::int64_t>();
            else if (value->is_number()) params[c] = value->get<double>();
            else if (value->is_string()) params[c] = value->get<std::string>();
            else throw damaged("a value of " + name + "." + columns[c] + " is not a plain value");
          }
          context.connection().execute(sql, params);
          ++rows;
        }
        if (rows != manifest["tables"][name].value("rows", std::int64_t{-1})) {
          throw damaged(name + " holds another number of rows than the manifest says");
        }
        summary.rows[name] = rows;
      }
      // The manifest's hashes catch damage, not a rewrite that updated them too: the restored rows
      // must also hold together and carry intact audit chains, or nothing is committed.
      FsckReport report;
      check_consistency(context, report);
      check_audit_chains(context, report);
      if (!report.findings.empty()) throw damaged(report.findings.front().what);
    });
  } catch (...) {
    // The target was empty: leave it so (its rows rolled back; its blobs are removed here).
    for (const std::string& sha256 : stored_blobs) {
      try {
        target.impl().delete_blob(sha256);
      } catch (...) {
      }
    }
    throw;
  }
  target.write_system([&](SystemWriter& tx) { tx.append_audit({}, {{}, clinic::AuditAction::restore, "record", {}, {}, {}}); });
  return summary;
}

}  // namespace scarscope::store
