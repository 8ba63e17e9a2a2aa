// Where the SQLite engine keeps things in its data folder (for the store, fsck and tests).
#pragma once
#include <filesystem>
#include <string>

namespace scarscope::store {

struct SqliteLayout {
  explicit SqliteLayout(std::filesystem::path dir) : data_dir(std::move(dir)) {}
  std::filesystem::path data_dir;

  std::filesystem::path database() const { return data_dir / "scarscope.db"; }
  std::filesystem::path blobs_dir() const { return data_dir / "blobs"; }
  // Blobs being written; never referenced. fsck --repair removes what a crash left here.
  std::filesystem::path blob_temporary_dir() const { return blobs_dir() / "tmp"; }
  // DATA/blobs/ab/cd/abcd...: two levels of 256 folders keep any one folder small.
  std::filesystem::path blob_path(const std::string& sha256) const {
    return blobs_dir() / sha256.substr(0, 2) / sha256.substr(2, 2) / sha256;
  }
};

}  // namespace scarscope::store
