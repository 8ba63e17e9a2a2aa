// A small, bounded wrapper around libzip: reading entries from an archive that may be hostile
// (sizes checked before anything is inflated) and writing archives byte for byte reproducibly.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace scarscope {

struct ZipEntryInfo {
  std::string name;                   // as stored, '\' turned into '/'
  std::uint64_t size = 0;             // uncompressed size the archive claims
  std::uint64_t compressed_size = 0;  // as stored
  bool is_directory = false;
  bool deflated = false;              // stored with deflate, unencrypted (inflated by zlib directly)
  std::uint32_t crc = 0;              // CRC-32 of the uncompressed bytes, as the archive claims
};

// Read-only view of a zip archive. Every error is an InputError starting with `label` (the file name).
class ZipReader {
 public:
  // The archive is copied into the reader, so `bytes` need not outlive it.
  static ZipReader from_bytes(std::string_view bytes, const std::string& label);
  // The archive is read in place (no copy of an upload): `bytes` must outlive the reader.
  static ZipReader view_bytes(std::string_view bytes, const std::string& label);
  static ZipReader from_file(const std::filesystem::path& path, const std::string& label);

  ZipReader(ZipReader&&) noexcept;
  ZipReader& operator=(ZipReader&&) noexcept;
  ~ZipReader();

  const std::vector<ZipEntryInfo>& entries() const { return entries_; }
  // Index into entries() of the entry with exactly this name, or -1.
  int find(std::string_view name) const;

  // Inflates entry `index` after checking its claimed size against `max_bytes`; the result has
  // exactly the claimed size (a shorter or corrupt stream is an InputError).
  std::string read(int index, std::uint64_t max_bytes) const;
  // Inflates only the first `count` bytes of entry `index` (count must not exceed its size).
  std::string read_prefix(int index, std::uint64_t count) const;

  // Inflates entry `index` piece by piece into one buffer of `chunk_bytes` and hands each piece to
  // `sink` (pieces are at most chunk_bytes; a value may straddle two of them), so that a large
  // entry never sits in memory whole. Same checks as read(): the claimed size against
  // `max_bytes` first, then exactly that many bytes and the CRC at the end (InputError otherwise;
  // the sink has then seen a prefix of the data).
  using ChunkSink = std::function<void(const char* data, std::size_t size)>;
  void stream(int index, std::uint64_t max_bytes, std::size_t chunk_bytes, const ChunkSink& sink) const;

 private:
  ZipReader() = default;
  static ZipReader open_bytes(std::string_view bytes, const std::string& label, bool copy);
  std::string inflate(int index, std::uint64_t count, bool to_end) const;
  void inflate_deflated(int index, std::size_t chunk_bytes, const ChunkSink& sink) const;
  struct State;
  std::unique_ptr<State> state_;
  std::vector<ZipEntryInfo> entries_;
  std::string label_;
};

// Builds a zip archive in memory. Entries keep the order they were added in; every entry gets the
// same fixed timestamp, so the same entries always give the same bytes.
class ZipWriter {
 public:
  enum class Compression { deflate, store };
  void add(std::string name, std::string data, Compression compression = Compression::deflate);
  // The finished archive. Throws std::runtime_error if libzip fails (not the user's fault).
  std::string finish() const;

 private:
  struct Entry {
    std::string name;
    std::string data;
    Compression compression;
  };
  std::vector<Entry> entries_;
};

}  // namespace scarscope
