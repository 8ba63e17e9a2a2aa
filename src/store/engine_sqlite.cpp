// The SQLite engine: one database file in the data folder (DATA/scarscope.db), blobs as files under
// DATA/blobs/ab/cd/<sha256>, one writer at a time.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <thread>

#include "clinic/ids.h"
#include "core/error.h"
#include "store/detail/sha256.h"
#include "store/detail/sqlite_connection.h"
#include "store/detail/store_impl.h"
#include "store/sqlite_layout.h"

namespace scarscope::store::detail {

namespace {

[[noreturn]] void fail_errno(const std::string& what, const std::filesystem::path& path) {
  throw StoreError(what + " " + path.string() + ": " + std::strerror(errno));
}

// Makes a rename or a new file in `directory` durable.
void fsync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open folder", directory);
  const int status = ::fsync(fd);
  ::close(fd);
  if (status != 0) fail_errno("cannot sync folder", directory);
}

// Creates `directory` (and missing parents below `root`), syncing each parent it adds to.
void make_directories(const std::filesystem::path& root, const std::filesystem::path& directory) {
  if (std::filesystem::exists(directory)) return;
  make_directories(root, directory.parent_path());
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) fail_errno("cannot create folder", directory);
  fsync_directory(directory.parent_path());
}

class SqliteStore;

class FileBlobWriter final : public BlobWriter {
 public:
  explicit FileBlobWriter(SqliteStore& store);
  ~FileBlobWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temporary_.c_str());
  }
  void write(std::span<const std::byte> bytes) override;
  BlobRef commit() override;

 private:
  SqliteStore& store_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  Sha256 hash_;
  std::int64_t size_ = 0;
  bool committed_ = false;
};

class SqliteStore final : public StoreImpl {
 public:
  SqliteStore(const StoreLocation& location, const StoreOptions& options) : StoreImpl(location, options) {
    const SqliteLayout layout(location_.data_dir);
    if (options_.create) {
      std::filesystem::create_directories(layout.data_dir);
      make_directories(layout.data_dir, layout.blob_temporary_dir());
    } else if (!std::filesystem::exists(layout.database())) {
      throw InputError(layout.data_dir.string() + ": holds no ScarScope record (create one with `scarscope init --data " +
                           layout.data_dir.string() + "`)",
                       ErrorCode::not_found, layout.data_dir.string());
    } else {
      make_directories(layout.data_dir, layout.blob_temporary_dir());
    }
  }

  ~SqliteStore() override {
    {
      std::lock_guard lock(checkpoint_mutex_);
      checkpoint_stopping_ = true;
    }
    checkpoint_wake_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
  }

  SqliteLayout layout() const { return SqliteLayout(location_.data_dir); }

  void begin(Connection& connection, TransactionKind kind, const std::string&) override {
    const bool write = kind == TransactionKind::clinic_write || kind == TransactionKind::system_write;
    // IMMEDIATE takes the write lock at once, so a write transaction never fails half-way on
    // SQLITE_BUSY; reads see one WAL snapshot from their first statement.
    connection.run_script(write ? "BEGIN IMMEDIATE" : "BEGIN");
  }

  std::unique_lock<std::mutex> write_lock(TransactionKind kind) override {
    const bool write = kind == TransactionKind::clinic_write || kind == TransactionKind::system_write;
    return write ? std::unique_lock<std::mutex>(writer_) : std::unique_lock<std::mutex>();
  }

  // Group commit. Connections commit with synchronous=NORMAL: the commit is in the WAL (safe
  // against a killed process) but not yet on disk. The writer then waits here, outside the write
  // lock, until an fsync of the WAL that began after its commit has ended: one fsync covers every
  // commit made before it, so writers no longer queue for one fsync each, and a write still
  // returns only once it would survive a power cut (as synchronous=FULL).
  std::uint64_t committed_write() override { return ++commits_; }

  void wait_durable(std::uint64_t ticket) override {
    std::unique_lock lock(sync_mutex_);
    while (synced_ < ticket) {
      if (syncing_) {
        sync_done_.wait(lock);
        continue;
      }
      syncing_ = true;
      const std::uint64_t target = commits_.load();  // every one of these has finished its COMMIT
      lock.unlock();
      std::exception_ptr failure;
      try {
        fault("sqlite.sync_begin");
        sync_wal();
        fault("sqlite.sync_end");
      } catch (...) {
        failure = std::current_exception();
      }
      lock.lock();
      syncing_ = false;
      if (!failure) synced_ = std::max(synced_, target);
      sync_done_.notify_all();
      if (failure) std::rethrow_exception(failure);
    }
  }

  std::string_view claim_lock_clause() const override { return ""; }

  std::unique_ptr<BlobWriter> begin_blob() override { return std::make_unique<FileBlobWriter>(*this); }

  void read_blob(TransactionContext&, const std::string& sha256, std::int64_t size,
                 const std::function<void(std::span<const std::byte>)>& sink) override {
    const std::filesystem::path path = layout().blob_path(sha256);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw StoreError("blob " + sha256 + " is missing from " + layout().blobs_dir().string() + " (run scarscope fsck)");
    std::vector<std::byte> piece(1 << 20);
    std::int64_t total = 0;
    while (in) {
      in.read(reinterpret_cast<char*>(piece.data()), static_cast<std::streamsize>(piece.size()));
      const std::streamsize got = in.gcount();
      if (got <= 0) break;
      total += got;
      sink(std::span<const std::byte>(piece.data(), static_cast<std::size_t>(got)));
    }
    if (total != size) {
      throw StoreError("blob " + sha256 + " has " + std::to_string(total) + " bytes, the record says " +
                       std::to_string(size) + " (run scarscope fsck)");
    }
  }

  void delete_blob(const std::string& sha256) override {
    if (!is_sha256_hex(sha256)) throw StoreError("internal: not a blob name: " + sha256);
    run_in_transaction(*this, TransactionKind::system_write, {}, [&](TransactionContext& context) {
      context.execute("DELETE FROM blobs WHERE sha256 = $1", sha256);
    });
    const std::filesystem::path path = layout().blob_path(sha256);
    if (::unlink(path.c_str()) == 0) fsync_directory(path.parent_path());
  }

  const std::vector<std::pair<int, std::string_view>>& migrations() const override { return sqlite_migrations(); }
  void lock_for_migration(Connection&) override {}  // BEGIN IMMEDIATE already excludes other writers
  bool schema_table_exists(Connection& connection) override {
    return !connection.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scarscope_schema'", {}).empty();
  }

 protected:
  std::unique_ptr<Connection> connect() override {
    return open_sqlite_connection(layout().database(),
                                  {options_.create, options_.busy_timeout, [this](int frames) { wal_committed(frames); }});
  }

 private:
  // Checkpoints beside the writer. SQLite's automatic checkpoint runs inside the commit that takes
  // the WAL past 1,000 frames, holding the write lock, so every writer queued behind it (the read
  // audit's group commit among them) waits for the copy and its fsyncs. Here the committing
  // connection only wakes the checkpointer thread, which copies the WAL into the database with a
  // PASSIVE checkpoint on a connection of its own: readers and writers go on meanwhile, and the
  // next writer restarts the WAL from its start once it has been copied entirely.
  static constexpr int checkpoint_frames = 1000;  // SQLite's own automatic threshold

  void wal_committed(int frames) {
    if (frames < checkpoint_frames || frames <= checkpointed_frames_.load(std::memory_order_relaxed)) {
      if (frames < checkpointed_frames_.load(std::memory_order_relaxed)) {
        // The WAL was copied entirely and this commit started it again from its beginning.
        checkpointed_frames_.store(0);
        fault("sqlite.wal_restarted");
      }
      return;
    }
    {
      std::lock_guard lock(checkpoint_mutex_);
      if (checkpoint_stopping_ || checkpoint_wanted_) return;
      checkpoint_wanted_ = true;
      if (!checkpointer_.joinable()) checkpointer_ = std::thread([this] { checkpoint_loop(); });
    }
    checkpoint_wake_.notify_one();
  }

  void checkpoint_loop() {
    std::unique_ptr<Connection> connection;
    std::unique_lock lock(checkpoint_mutex_);
    while (true) {
      checkpoint_wake_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_stopping_; });
      if (checkpoint_stopping_) break;
      lock.unlock();
      try {
        if (!connection) connection = open_sqlite_connection(layout().database(), {false, options_.busy_timeout, {}});
        fault("sqlite.checkpoint_begin");
        WalCheckpoint done = checkpoint_passive(*connection);
        // Writers that committed meanwhile left frames behind, and the WAL restarts from its start
        // only once all of it is in the database (else it grows without end under a steady load:
        // measured, 54 MB in 10 s of bench/server_tail.sh): the rest, what was committed during the
        // copy, is copied while this process's writers wait - shorter than SQLite's own checkpoint
        // in the writer, which copied and flushed all of it there. PASSIVE still, so a reader does
        // not hold the writers up: what a reader's snapshot keeps is copied next time.
        if (done.checkpointed_frames < done.wal_frames) {
          std::lock_guard writer(writer_);
          fault("sqlite.checkpoint_locked");
          done = checkpoint_passive(*connection);
        }
        checkpointed_frames_.store(done.checkpointed_frames);
        fault("sqlite.checkpoint_end");
      } catch (const std::exception&) {
        // Busy (a closing connection checkpoints too) or failing: the next commit asks again, and
        // the WAL stays valid meanwhile (a checkpoint only copies it).
        connection.reset();
      }
      lock.lock();
      checkpoint_wanted_ = false;
    }
  }

  // fsync of the WAL file, opened by its name: on Linux an fsync writes out the file (the inode)
  // whatever descriptor it is called on. No WAL: the last connection checkpointed it into the
  // database file, which SQLite synced, and removed it.
  void sync_wal() const {
    const std::filesystem::path wal = layout().database().string() + "-wal";
    const int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return;
      fail_errno("cannot open", wal);
    }
    const int status = ::fsync(fd);
    ::close(fd);
    if (status != 0) fail_errno("cannot sync", wal);
  }

  std::mutex writer_;
  std::atomic<std::uint64_t> commits_{0};  // write transactions committed through this store
  std::mutex sync_mutex_;
  std::condition_variable sync_done_;
  std::uint64_t synced_ = 0;  // commits known to be on disk
  bool syncing_ = false;      // an fsync is running (its caller leads; the others wait for it)
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  bool checkpoint_wanted_ = false;    // a commit found the WAL long: the checkpointer runs
  bool checkpoint_stopping_ = false;
  std::atomic<int> checkpointed_frames_{0};  // of the WAL, copied by the last checkpoint
  std::thread checkpointer_;          // started by the first long WAL
};

FileBlobWriter::FileBlobWriter(SqliteStore& store) : store_(store) {
  temporary_ = store.layout().blob_temporary_dir() / (clinic::new_record_id() + ".part");
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) fail_errno("cannot create", temporary_);
}

void FileBlobWriter::write(std::span<const std::byte> bytes) {
  if (committed_ || fd_ < 0) throw std::logic_error("BlobWriter::write after commit");
  if (size_ + static_cast<std::int64_t>(bytes.size()) > store_.options().max_blob_bytes) {
    throw InputError("the file is larger than the " + std::to_string(store_.options().max_blob_bytes) +
                         " bytes the record accepts",
                     ErrorCode::too_large, "file");
  }
  hash_.update(bytes);
  const std::byte* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot write", temporary_);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  size_ += static_cast<std::int64_t>(bytes.size());
}

BlobRef FileBlobWriter::commit() {
  if (committed_ || fd_ < 0) throw std::logic_error("BlobWriter::commit called twice");
  if (::fsync(fd_) != 0) fail_errno("cannot sync", temporary_);
  ::close(fd_);
  fd_ = -1;
  BlobRef blob{hash_.hex(), size_};
  const SqliteLayout layout = store_.layout();
  const std::filesystem::path final_path = layout.blob_path(blob.sha256);
  make_directories(layout.data_dir, final_path.parent_path());
  store_.fault("blob.before_rename");
  if (std::filesystem::exists(final_path)) {
    ::unlink(temporary_.c_str());  // the same bytes are already stored under their name
  } else {
    if (::rename(temporary_.c_str(), final_path.c_str()) != 0) fail_errno("cannot rename into", final_path);
    fsync_directory(final_path.parent_path());
  }
  committed_ = true;
  store_.fault("blob.before_record");
  run_in_transaction(store_, TransactionKind::system_write, {}, [&](TransactionContext& context) {
    context.execute("INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
                    blob.sha256, blob.size, context.now());
  });
  return blob;
}

}  // namespace

std::unique_ptr<StoreImpl> make_sqlite_store(const StoreLocation& location, const StoreOptions& options) {
  return std::make_unique<SqliteStore>(location, options);
}

}  // namespace scarscope::store::detail
