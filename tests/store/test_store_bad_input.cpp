// Bad input to the store: a corrupt SQLite file, a missing record, a PostgreSQL URL that does not
// answer, a URL that is not one. Each gets a clear error naming what is wrong, and nothing changes.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "store/fsck.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using store::Engine;

// A loopback port nothing listens on (bound, then released).
int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(StoreBadInput, AFileThatIsNotADatabaseIsRefusedAndLeftAlone) {
  RecordFolder folder;
  const auto data = folder.path() / "data";
  std::filesystem::create_directories(data);
  const std::string garbage = "this is a spreadsheet, not a database, and it is 64 bytes long!!";
  write_text_file(data / "scarscope.db", garbage);
  try {
    store::Store::open(store::StoreLocation::sqlite(data));
    FAIL() << "a garbage file was opened as a record";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::bad_format);
    EXPECT_NE(std::string(error.what()).find("scarscope.db"), std::string::npos) << error.what();
  }
  EXPECT_EQ(read_text_file(data / "scarscope.db"), garbage);
}

TEST(StoreBadInput, ADatabaseWithDamagedPagesIsFoundByFsckOrRefused) {
  TestRecord record(Engine::sqlite);
  {
    std::unique_ptr<store::Store> store = record.open();
    Random random(40);
    fill_clinic(*store, "Alder", random);
  }
  const auto database = record.location().data_dir / "scarscope.db";
  sqlite_execute(database, "PRAGMA wal_checkpoint(TRUNCATE)");
  // Overwrite a page in the middle of the file with noise.
  std::string bytes = read_text_file(database);
  ASSERT_GT(bytes.size(), 16384u);
  for (std::size_t i = 8192; i < 12288; ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
  write_text_file(database, bytes);
  try {
    std::unique_ptr<store::Store> store = record.open();
    const store::FsckReport report = store::check_store(*store);
    EXPECT_TRUE(report.has_errors()) << "fsck did not notice a damaged page";
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::bad_format) << error.what();
  }
}

TEST(StoreBadInput, AMissingRecordIsNotCreatedUnlessAsked) {
  RecordFolder folder;
  try {
    store::Store::open(store::StoreLocation::sqlite(folder.path() / "nothing-here"));
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.code(), ErrorCode::not_found);
    EXPECT_NE(std::string(error.what()).find("scarscope init"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(folder.path() / "nothing-here"));
}

TEST(StoreBadInput, APostgresServerThatDoesNotAnswerIsReportedWithoutItsPassword) {
  const std::string url = "postgresql://clinic:s3cret-pass@127.0.0.1:" + std::to_string(unused_port()) + "/scarscope";
  store::StoreOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  try {
    store::Store::open(store::StoreLocation::postgres(url), options);
    FAIL() << "a server that is not there was opened";
  } catch (const store::StoreUnavailableError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("cannot be reached"), std::string::npos) << message;
    EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cret-pass"), std::string::npos) << "the password leaked: " << message;
  }
}

TEST(StoreBadInput, AUrlThatIsNotAPostgresUrlIsRefused) {
  EXPECT_THROW(store::StoreLocation::postgres("mysql://root@localhost/db"), InputError);
  EXPECT_THROW(store::StoreLocation::from_options("some-dir", "postgresql://x@y/z"), InputError);
  EXPECT_EQ(store::StoreLocation::from_options("", "").data_dir, std::filesystem::path("scarscope-data"));
  EXPECT_EQ(store::StoreLocation::postgres("postgresql://app:pw@db:5432/s").describe(), "postgresql://app:***@db:5432/s");
}

}  // namespace
}  // namespace scarscope::test
