#include "store/detail/tar.h"

#include <unistd.h>

#include <array>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "store/store_error.h"

namespace scarscope::store::detail {
namespace {

constexpr std::size_t block = 512;

void put_octal(char* field, std::size_t width, std::uint64_t value) {
  // width - 1 octal digits and a NUL.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

void put_size(char* field, std::int64_t size) {
  if (size < (std::int64_t{1} << 33)) {
    put_octal(field, 12, static_cast<std::uint64_t>(size));
    return;
  }
  std::memset(field, 0, 12);  // GNU base-256: high bit set, big-endian in the remaining bytes
  field[0] = static_cast<char>(0x80);
  auto value = static_cast<std::uint64_t>(size);
  for (int i = 11; i >= 4; --i) {
    field[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
}

std::int64_t get_size(const char* field) {
  if (static_cast<unsigned char>(field[0]) & 0x80) {
    std::uint64_t value = 0;
    for (int i = 1; i < 12; ++i) value = (value << 8) | static_cast<unsigned char>(field[i]);
    if (value > (std::uint64_t{1} << 62)) return -1;
    return static_cast<std::int64_t>(value);
  }
  std::int64_t value = 0;
  for (int i = 0; i < 12 && field[i] != '\0' && field[i] != ' '; ++i) {
    if (field[i] < '0' || field[i] > '7') return -1;
    value = value * 8 + (field[i] - '0');
  }
  return value;
}

unsigned checksum(const std::array<char, block>& header) {
  unsigned sum = 0;
  for (std::size_t i = 0; i < block; ++i) {
    const bool in_field = i >= 148 && i < 156;
    sum += in_field ? ' ' : static_cast<unsigned char>(header[i]);
  }
  return sum;
}

}  // namespace

TarWriter::TarWriter(const std::filesystem::path& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wbx");
  if (file_ == nullptr) {
    throw InputError(path.string() + ": cannot create the archive (" + std::strerror(errno) + ")",
                     errno == EEXIST ? ErrorCode::conflict : ErrorCode::bad_input, path.string());
  }
}

TarWriter::~TarWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void TarWriter::write(const void* data, std::size_t size) {
  if (size > 0 && std::fwrite(data, 1, size, file_) != size) {
    throw StoreError(path_.string() + ": cannot write (" + std::strerror(errno) + ")");
  }
}

void TarWriter::add(const std::string& name, std::int64_t size,
                    const std::function<void(const std::function<void(std::span<const std::byte>)>&)>& produce) {
  if (name.size() >= 100) throw StoreError("internal: archive member name too long: " + name);
  std::array<char, block> header{};
  std::memcpy(header.data(), name.data(), name.size());
  put_octal(header.data() + 100, 8, 0600);
  put_octal(header.data() + 108, 8, 0);
  put_octal(header.data() + 116, 8, 0);
  put_size(header.data() + 124, size);
  put_octal(header.data() + 136, 12, 0);
  header[156] = '0';
  std::memcpy(header.data() + 257, "ustar", 6);
  std::memcpy(header.data() + 263, "00", 2);
  std::snprintf(header.data() + 148, 8, "%06o", checksum(header));
  header[155] = ' ';
  write(header.data(), header.size());
  std::int64_t written = 0;
  produce([&](std::span<const std::byte> bytes) {
    written += static_cast<std::int64_t>(bytes.size());
    if (written > size) throw StoreError("internal: " + name + " is larger than announced");
    write(bytes.data(), bytes.size());
  });
  if (written != size) {
    throw StoreError(name + ": " + std::to_string(written) + " bytes where " + std::to_string(size) + " were announced");
  }
  const std::size_t padding = (block - static_cast<std::size_t>(size % block)) % block;
  static const std::array<char, block> zeros{};
  write(zeros.data(), padding);
}

void TarWriter::add(const std::string& name, std::string_view bytes) {
  add(name, static_cast<std::int64_t>(bytes.size()), [&](const auto& sink) {
    sink(std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
  });
}

void TarWriter::finish() {
  static const std::array<char, block * 2> zeros{};
  write(zeros.data(), zeros.size());
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
    throw StoreError(path_.string() + ": cannot write (" + std::strerror(errno) + ")");
  }
  std::fclose(file_);
  file_ = nullptr;
}

TarReader::TarReader(const std::filesystem::path& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    throw InputError(path.string() + ": cannot be read (" + std::strerror(errno) + ")", ErrorCode::not_found,
                     path.string());
  }
}

TarReader::~TarReader() {
  if (file_ != nullptr) std::fclose(file_);
}

void TarReader::skip_rest() {
  const std::int64_t skip = left_ + padding_;
  if (skip > 0 && std::fseek(file_, static_cast<long>(skip), SEEK_CUR) != 0) {
    throw InputError(path_.string() + ": the archive is truncated", ErrorCode::bad_format, path_.string());
  }
  left_ = padding_ = 0;
}

std::optional<TarReader::Entry> TarReader::next() {
  skip_rest();
  std::array<char, block> header{};
  if (std::fread(header.data(), 1, block, file_) != block) {
    throw InputError(path_.string() + ": the archive is truncated (no end marker)", ErrorCode::bad_format, path_.string());
  }
  bool empty = true;
  for (char c : header) empty = empty && c == 0;
  if (empty) return std::nullopt;
  char checksum_field[9] = {};
  std::memcpy(checksum_field, header.data() + 148, 8);
  const unsigned expected = static_cast<unsigned>(std::strtoul(checksum_field, nullptr, 8));
  if (expected != checksum(header) || std::memcmp(header.data() + 257, "ustar", 5) != 0) {
    throw InputError(path_.string() + ": not a ScarScope backup (a damaged or foreign tar header)", ErrorCode::bad_format,
                     path_.string());
  }
  Entry entry;
  entry.name.assign(header.data(), strnlen(header.data(), 100));
  entry.size = get_size(header.data() + 124);
  if (entry.size < 0) throw InputError(path_.string() + ": a member has an invalid size", ErrorCode::bad_format, path_.string());
  left_ = entry.size;
  padding_ = static_cast<std::int64_t>((block - static_cast<std::size_t>(entry.size % block)) % block);
  return entry;
}

void TarReader::read(const std::function<void(std::span<const std::byte>)>& sink) {
  std::vector<std::byte> piece(1 << 20);
  while (left_ > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::int64_t>(left_, static_cast<std::int64_t>(piece.size())));
    if (std::fread(piece.data(), 1, want, file_) != want) {
      throw InputError(path_.string() + ": the archive is truncated", ErrorCode::bad_format, path_.string());
    }
    left_ -= static_cast<std::int64_t>(want);
    sink(std::span<const std::byte>(piece.data(), want));
  }
}

std::string TarReader::read_all(std::int64_t max_bytes) {
  if (left_ > max_bytes) {
    throw InputError(path_.string() + ": a member is larger than expected", ErrorCode::too_large, path_.string());
  }
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(left_));
  read([&](std::span<const std::byte> piece) { bytes.append(reinterpret_cast<const char*>(piece.data()), piece.size()); });
  return bytes;
}

}  // namespace scarscope::store::detail
