// Scan files as blobs, content-addressed by SHA-256. SQLite engine: files under DATA/blobs/ab/cd/,
// written to a temporary file, fsynced and renamed (never a partial blob under a final name).
// PostgreSQL engine: 1 MiB bytea chunks inside the database, so any machine reads them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace scarscope::store {

struct BlobRef {
  std::string sha256;  // lower-case hex
  std::int64_t size = 0;
  bool operator==(const BlobRef&) const = default;
};

// Receives a blob's bytes a piece at a time (an upload streamed from the network) and stores them
// on commit(). Destroying it without commit() leaves nothing behind.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  // Throws InputError (too_large) once the bytes exceed the store's max_blob_bytes.
  virtual void write(std::span<const std::byte> bytes) = 0;
  void write(std::string_view bytes) {
    write(std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
  }
  // Makes the blob durable and returns its name. Storing bytes that are already stored is fine
  // (the same name comes back). A writer commits once.
  virtual BlobRef commit() = 0;
};

}  // namespace scarscope::store
