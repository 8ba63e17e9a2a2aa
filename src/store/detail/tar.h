// A minimal POSIX ustar archive, written and read as a stream (a backup holds every blob of a
// record and must never need them all in memory). Sizes above 8 GiB use the GNU base-256 form.
#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace scarscope::store::detail {

class TarWriter {
 public:
  explicit TarWriter(const std::filesystem::path& path);  // creates it; refuses an existing file
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // One file of exactly `size` bytes, whose bytes `produce` hands to the sink it is given.
  void add(const std::string& name, std::int64_t size,
           const std::function<void(const std::function<void(std::span<const std::byte>)>&)>& produce);
  void add(const std::string& name, std::string_view bytes);
  // The end-of-archive blocks, then fsync. Without finish() the file is incomplete.
  void finish();

 private:
  void write(const void* data, std::size_t size);
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

class TarReader {
 public:
  struct Entry {
    std::string name;
    std::int64_t size = 0;
  };
  explicit TarReader(const std::filesystem::path& path);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  // The next file, skipping whatever of the current one was not read; nullopt at the end. Throws
  // InputError (bad_format) for a damaged archive.
  std::optional<Entry> next();
  // Streams the current file's bytes to `sink` in pieces.
  void read(const std::function<void(std::span<const std::byte>)>& sink);
  std::string read_all(std::int64_t max_bytes);

 private:
  void skip_rest();
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::int64_t left_ = 0;     // bytes of the current file not yet read
  std::int64_t padding_ = 0;  // padding after it
};

}  // namespace scarscope::store::detail
