#include "surface/zip_archive.h"

#include <zip.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/error.h"

namespace scarscope {

namespace {

// An X3P holds a handful of entries; a directory of thousands is a forgery meant to waste time.
constexpr zip_int64_t kMaxEntries = 10000;

std::string libzip_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

std::string libzip_message(zip_error_t* error) { return zip_error_strerror(error); }

// Compressed bytes are read from the archive this many at a time.
constexpr std::size_t kCompressedPieceBytes = std::size_t{128} << 10;

// What ISA-L's inflate error codes mean, in zlib's words where zlib has them.
const char* isal_inflate_message(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK: return "invalid block type or lengths";
    case ISAL_INVALID_SYMBOL: return "invalid code";
    case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
    default: return "inflate error";
  }
}

// The timestamp every written entry carries, 2000-01-01 00:00:00, as the DOS date and time fields a
// zip stores (year - 1980, month, day; hour, minute, second / 2). Given as fields, not as a time_t
// that libzip would convert with the process's time zone (mktime and localtime read and reset
// shared time-zone state: the same bytes in every time zone, and nothing shared between threads).
constexpr zip_uint16_t kEntryDosDate = ((2000 - 1980) << 9) | (1 << 5) | 1;
constexpr zip_uint16_t kEntryDosTime = 0;

}  // namespace

struct ZipReader::State {
  std::string bytes;  // owns the archive when read from memory (libzip reads it in place)
  zip_t* archive = nullptr;
  ~State() {
    if (archive) zip_discard(archive);
  }
};

ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

namespace {

void list_entries(zip_t* archive, const std::string& label, std::vector<ZipEntryInfo>& entries) {
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) throw InputError(label + ": cannot list the zip entries");
  if (count > kMaxEntries) {
    throw InputError(label + ": the zip archive claims " + std::to_string(count) +
                     " entries; an X3P file holds a handful (at most " + std::to_string(kMaxEntries) + " accepted)");
  }
  entries.reserve(static_cast<std::size_t>(count));
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0) {
      throw InputError(label + ": zip entry " + std::to_string(i) + " is unreadable: " +
                       libzip_message(zip_get_error(archive)));
    }
    ZipEntryInfo entry;
    if ((stat.valid & ZIP_STAT_NAME) && stat.name) entry.name = stat.name;
    std::replace(entry.name.begin(), entry.name.end(), '\\', '/');
    entry.size = (stat.valid & ZIP_STAT_SIZE) ? stat.size : 0;
    entry.compressed_size = (stat.valid & ZIP_STAT_COMP_SIZE) ? stat.comp_size : 0;
    entry.is_directory = !entry.name.empty() && entry.name.back() == '/';
    entry.deflated = (stat.valid & ZIP_STAT_COMP_METHOD) && stat.comp_method == ZIP_CM_DEFLATE &&
                     (stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method == ZIP_EM_NONE &&
                     (stat.valid & ZIP_STAT_CRC) && (stat.valid & ZIP_STAT_COMP_SIZE);
    entry.crc = (stat.valid & ZIP_STAT_CRC) ? stat.crc : 0;
    entries.push_back(std::move(entry));
  }
}

}  // namespace

ZipReader ZipReader::from_bytes(std::string_view bytes, const std::string& label) { return open_bytes(bytes, label, true); }

ZipReader ZipReader::view_bytes(std::string_view bytes, const std::string& label) { return open_bytes(bytes, label, false); }

ZipReader ZipReader::open_bytes(std::string_view bytes, const std::string& label, bool copy) {
  if (bytes.empty()) throw InputError(label + ": the file is empty (0 bytes); an X3P file is a zip archive");
  ZipReader reader;
  reader.label_ = label;
  reader.state_ = std::make_unique<State>();
  if (copy) {
    reader.state_->bytes.assign(bytes.data(), bytes.size());
    bytes = reader.state_->bytes;
  }
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) {
    const std::string message = libzip_message(&error);
    zip_error_fini(&error);
    throw std::runtime_error(label + ": cannot wrap the bytes for libzip: " + message);
  }
  reader.state_->archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!reader.state_->archive) {
    const std::string message = libzip_message(&error);
    zip_error_fini(&error);
    zip_source_free(source);
    throw InputError(label + ": not a readable zip archive (" + message +
                     "); an X3P file is a zip holding main.xml and bindata/data.bin");
  }
  zip_error_fini(&error);
  list_entries(reader.state_->archive, label, reader.entries_);
  return reader;
}

ZipReader ZipReader::from_file(const std::filesystem::path& path, const std::string& label) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(label + ": cannot read the file (" + ec.message() + ")");
  if (size == 0) throw InputError(label + ": the file is empty (0 bytes); an X3P file is a zip archive");
  ZipReader reader;
  reader.label_ = label;
  reader.state_ = std::make_unique<State>();
  int code = 0;
  reader.state_->archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!reader.state_->archive) {
    throw InputError(label + ": not a readable zip archive (" + libzip_message(code) +
                     "); an X3P file is a zip holding main.xml and bindata/data.bin");
  }
  list_entries(reader.state_->archive, label, reader.entries_);
  return reader;
}

int ZipReader::find(std::string_view name) const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string ZipReader::read(int index, std::uint64_t max_bytes) const {
  const ZipEntryInfo& entry = entries_.at(static_cast<std::size_t>(index));
  if (entry.size > max_bytes) {
    throw InputError(label_ + ": " + entry.name + " claims " + std::to_string(entry.size) +
                     " bytes uncompressed, more than the " + std::to_string(max_bytes) + " accepted for it");
  }
  return inflate(index, entry.size, true);
}

std::string ZipReader::read_prefix(int index, std::uint64_t count) const { return inflate(index, count, false); }

void ZipReader::stream(int index, std::uint64_t max_bytes, std::size_t chunk_bytes, const ChunkSink& sink) const {
  const ZipEntryInfo& entry = entries_.at(static_cast<std::size_t>(index));
  if (entry.size > max_bytes) {
    throw InputError(label_ + ": " + entry.name + " claims " + std::to_string(entry.size) +
                     " bytes uncompressed, more than the " + std::to_string(max_bytes) + " accepted for it");
  }
  if (entry.deflated) {
    inflate_deflated(index, std::max<std::size_t>(chunk_bytes, 1), sink);
    return;
  }
  zip_file_t* file = zip_fopen_index(state_->archive, static_cast<zip_uint64_t>(index), 0);
  if (!file) {
    throw InputError(label_ + ": cannot open " + entry.name + " in the zip archive (" +
                     libzip_message(zip_get_error(state_->archive)) + ")");
  }
  // Closes the entry however this function is left (the sink may throw).
  const std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> closer(file, zip_fclose);
  auto corrupt = [&] { throw InputError(label_ + ": " + entry.name + " is corrupt (" + zip_file_strerror(file) + ")"); };
  const std::uint64_t count = entry.size;
  std::vector<char> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(std::max<std::size_t>(chunk_bytes, 1), count + 1)));
  std::uint64_t done = 0;
  while (done < count) {
    const std::uint64_t want = std::min<std::uint64_t>(buffer.size(), count - done);
    const zip_int64_t got = zip_fread(file, buffer.data(), want);
    if (got < 0) corrupt();
    if (got == 0) break;
    done += static_cast<std::uint64_t>(got);
    sink(buffer.data(), static_cast<std::size_t>(got));
  }
  if (done < count) {
    throw InputError(label_ + ": " + entry.name + " ends after " + std::to_string(done) + " of the " +
                     std::to_string(count) + " bytes its zip header claims (truncated or corrupt)");
  }
  // One more read reaches the end of the stream, where libzip compares the CRC.
  char probe[64];
  const zip_int64_t got = zip_fread(file, probe, sizeof probe);
  if (got < 0) corrupt();
  if (got > 0) throw InputError(label_ + ": " + entry.name + " is longer than its zip header claims (corrupt)");
}

// The raw deflate stream through ISA-L's inflate with our own buffers, CRC-32 by ISA-L too
// (carry-less multiply). On a suite scan's 18 MB data.bin, inflate + CRC take 0.049-0.056 s
// against zlib's 0.079 s; libzip's own path (zlib fed 8 KiB at a time) is slower still. Whole-
// buffer inflaters (libdeflate) would hold the compressed and the raw entry in memory at once.
void ZipReader::inflate_deflated(int index, std::size_t chunk_bytes, const ChunkSink& sink) const {
  const ZipEntryInfo& entry = entries_.at(static_cast<std::size_t>(index));
  zip_file_t* file = zip_fopen_index(state_->archive, static_cast<zip_uint64_t>(index), ZIP_FL_COMPRESSED);
  if (!file) {
    throw InputError(label_ + ": cannot open " + entry.name + " in the zip archive (" +
                     libzip_message(zip_get_error(state_->archive)) + ")");
  }
  const std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> closer(file, zip_fclose);
  // inflate_state is ~40 KB (history and tables): on the heap, not the stack.
  const auto state = std::make_unique<inflate_state>();
  isal_inflate_init(state.get());
  state->crc_flag = ISAL_DEFLATE;  // raw deflate, as zip stores it; the CRC is taken below
  const std::uint64_t count = entry.size;
  const std::size_t input_bytes =
      static_cast<std::size_t>(std::min<std::uint64_t>(kCompressedPieceBytes, entry.compressed_size + 1));
  std::vector<unsigned char> input(std::max<std::size_t>(input_bytes, 16));
  std::vector<unsigned char> output(static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, count + 1)));
  auto corrupt = [&](const std::string& why) {
    throw InputError(label_ + ": " + entry.name + " is corrupt (" + why + ")");
  };
  std::uint64_t done = 0;
  std::uint32_t crc = 0;
  bool input_done = false;
  bool stalled = false;
  while (true) {
    if (!input_done && (stalled || state->avail_in < input.size() / 2)) {
      // Keep what ISA-L has not taken yet at the front and fill the rest.
      const std::size_t kept = state->avail_in;
      if (kept > 0) std::memmove(input.data(), state->next_in, kept);
      const zip_int64_t got = zip_fread(file, input.data() + kept, input.size() - kept);
      if (got < 0) corrupt(zip_file_strerror(file));
      if (got == 0) input_done = true;  // no more compressed bytes
      state->next_in = input.data();
      state->avail_in = static_cast<std::uint32_t>(kept + static_cast<std::size_t>(got));
    }
    const std::uint32_t avail_in_before = state->avail_in;
    state->next_out = output.data();
    state->avail_out = static_cast<std::uint32_t>(output.size());
    const int result = isal_inflate(state.get());
    if (result < 0) corrupt(std::string("invalid deflate data: ") + isal_inflate_message(result));
    const std::size_t produced = output.size() - state->avail_out;
    if (produced > count - done) {
      throw InputError(label_ + ": " + entry.name + " is longer than its zip header claims (corrupt)");
    }
    if (produced > 0) {
      crc = crc32_gzip_refl(crc, output.data(), produced);
      done += produced;
      sink(reinterpret_cast<const char*>(output.data()), produced);
    }
    if (state->block_state == ISAL_BLOCK_FINISH) break;
    stalled = produced == 0 && state->avail_in == avail_in_before;
    // Compressed bytes used up before the end of the deflate stream: the size check below tells.
    if (stalled && input_done) break;
  }
  if (done < count) {
    throw InputError(label_ + ": " + entry.name + " ends after " + std::to_string(done) + " of the " +
                     std::to_string(count) + " bytes its zip header claims (truncated or corrupt)");
  }
  // As libzip: the claimed size and the CRC decide; a stream whose last block is not marked final
  // but whose bytes are all there and check out is accepted.
  if (crc != entry.crc) corrupt("CRC error");
}

std::string ZipReader::inflate(int index, std::uint64_t count, bool to_end) const {
  const ZipEntryInfo& entry = entries_.at(static_cast<std::size_t>(index));
  if (count > entry.size) {
    throw InputError(label_ + ": " + entry.name + " holds " + std::to_string(entry.size) + " bytes, " +
                     std::to_string(count) + " needed");
  }
  zip_file_t* file = zip_fopen_index(state_->archive, static_cast<zip_uint64_t>(index), 0);
  if (!file) {
    throw InputError(label_ + ": cannot open " + entry.name + " in the zip archive (" +
                     libzip_message(zip_get_error(state_->archive)) + ")");
  }
  auto corrupt = [&] {
    const std::string message = zip_file_strerror(file);
    zip_fclose(file);
    throw InputError(label_ + ": " + entry.name + " is corrupt (" + message + ")");
  };
  std::string data(static_cast<std::size_t>(count), '\0');
  std::uint64_t done = 0;
  while (done < count) {
    const zip_int64_t got = zip_fread(file, data.data() + done, count - done);
    if (got < 0) corrupt();
    if (got == 0) break;
    done += static_cast<std::uint64_t>(got);
  }
  if (done < count) {
    zip_fclose(file);
    throw InputError(label_ + ": " + entry.name + " ends after " + std::to_string(done) + " of the " +
                     std::to_string(count) + " bytes its zip header claims (truncated or corrupt)");
  }
  if (to_end) {
    // One more read reaches the end of the stream, where libzip compares the CRC.
    char probe[64];
    const zip_int64_t got = zip_fread(file, probe, sizeof probe);
    if (got < 0) corrupt();
    if (got > 0) {
      zip_fclose(file);
      throw InputError(label_ + ": " + entry.name + " is longer than its zip header claims (corrupt)");
    }
  }
  zip_fclose(file);
  return data;
}

void ZipWriter::add(std::string name, std::string data, Compression compression) {
  entries_.push_back({std::move(name), std::move(data), compression});
}

std::string ZipWriter::finish() const {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* target = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!target) throw std::runtime_error("libzip: cannot create a buffer: " + libzip_message(&error));
  zip_t* archive = zip_open_from_source(target, ZIP_TRUNCATE, &error);
  if (!archive) {
    const std::string message = libzip_message(&error);
    zip_source_free(target);
    throw std::runtime_error("libzip: cannot start an archive: " + message);
  }
  zip_error_fini(&error);
  zip_source_keep(target);  // keep the buffer after zip_close so the bytes can be read out
  auto fail = [&](const std::string& what) {
    const std::string message = zip_strerror(archive);
    zip_discard(archive);
    zip_source_free(target);
    throw std::runtime_error("libzip: " + what + ": " + message);
  };
  for (const Entry& entry : entries_) {
    zip_source_t* source = zip_source_buffer(archive, entry.data.data(), entry.data.size(), 0);
    if (!source) fail("cannot add " + entry.name);
    const zip_int64_t index = zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      fail("cannot add " + entry.name);
    }
    const auto at = static_cast<zip_uint64_t>(index);
    const zip_int32_t method = entry.compression == Compression::deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
    if (zip_set_file_compression(archive, at, method, 0) != 0) fail("cannot set the compression of " + entry.name);
    if (zip_file_set_dostime(archive, at, kEntryDosTime, kEntryDosDate, 0) != 0) fail("cannot set the time of " + entry.name);
  }
  if (zip_close(archive) != 0) fail("cannot finish the archive");

  std::string bytes;
  if (zip_source_open(target) != 0) {
    zip_source_free(target);
    throw std::runtime_error("libzip: cannot read the finished archive back");
  }
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_source_stat(target, &stat) == 0 && (stat.valid & ZIP_STAT_SIZE)) bytes.reserve(stat.size);
  char buffer[65536];
  zip_int64_t got = 0;
  while ((got = zip_source_read(target, buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(got));
  zip_source_close(target);
  zip_source_free(target);
  if (got < 0) throw std::runtime_error("libzip: cannot read the finished archive back");
  return bytes;
}

}  // namespace scarscope
