#include "server_test_support.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdlib>
#include <stdexcept>

#include "clinic/ids.h"
#include "clinic/password.h"

namespace scarscope::test {

namespace {

const char* postgres_url_variable() {
  const char* url = std::getenv("SCARSCOPE_TEST_POSTGRES_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

// postgresql://USER@HOST:PORT/DB -> the same with another user and database.
std::string with_user_and_database(const std::string& url, const std::string& user, const std::string& database) {
  const std::string::size_type scheme = url.find("://");
  const std::string::size_type at = url.find('@', scheme + 3);
  const std::string::size_type slash = url.find('/', at);
  if (scheme == std::string::npos || at == std::string::npos || slash == std::string::npos)
    throw std::runtime_error("SCARSCOPE_TEST_POSTGRES_URL must look like postgresql://USER@HOST:PORT/DB");
  return url.substr(0, scheme + 3) + user + url.substr(at, slash - at) + "/" + database;
}

std::string postgres_url() {
  const char* url = postgres_url_variable();
  if (url == nullptr)
    throw std::runtime_error("SCARSCOPE_TEST_POSTGRES_URL is not set: run the tests through ./run test, which starts "
                             "a throwaway PostgreSQL server");
  return url;
}

// One argon2id hash for every test user: hashing costs 0.13 s each.
const std::string& test_password_hash() {
  static const std::string hash = clinic::hash_password(test_password);
  return hash;
}

ClinicStaff make_staff(store::Store& store, const std::string& name) {
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return store.write_system([&](store::SystemWriter& tx) {
    ClinicStaff staff;
    staff.clinic = tx.create_clinic(name);
    auto user = [&](clinic::Role role, const std::string& who) {
      clinic::User draft;
      draft.clinic_id = staff.clinic.id;
      draft.email = who + "@" + lower + ".test";
      draft.display_name = who + " of " + name;
      draft.role = role;
      draft.password_hash = test_password_hash();
      return tx.create_user(draft);
    };
    staff.admin = user(clinic::Role::admin, "admin");
    staff.clinician = user(clinic::Role::clinician, "clinician");
    staff.assistant = user(clinic::Role::assistant, "assistant");
    return staff;
  });
}

}  // namespace

std::vector<store::Engine> test_engines() {
  // PostgreSQL is always in the list: without the server its tests fail and say why, rather than
  // passing unseen.
  return {store::Engine::sqlite, store::Engine::postgres};
}

std::string engine_name_for_test(const testing::TestParamInfo<store::Engine>& info) {
  return info.param == store::Engine::sqlite ? "SQLite" : "PostgreSQL";
}

std::string postgres_superuser_query(const std::string& database, const std::string& sql) {
  PGconn* connection = PQconnectdb(with_user_and_database(postgres_url(), "postgres", database).c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(connection);
    PQfinish(connection);
    throw std::runtime_error("cannot reach the test PostgreSQL server: " + message);
  }
  PQsetNoticeProcessor(connection, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(connection, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  std::string value;
  std::string error;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQresultErrorMessage(result);
  else if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0) value = PQgetvalue(result, 0, 0);
  PQclear(result);
  PQfinish(connection);
  if (!error.empty()) throw std::runtime_error("test SQL failed: " + error + " in: " + sql);
  return value;
}

std::string sqlite_file_query(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + database.string());
  }
  sqlite3_busy_timeout(db, 10000);
  std::string value;
  char* error = nullptr;
  const int status = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int columns, char** values, char**) {
        auto* text = static_cast<std::string*>(out);
        if (text->empty() && columns > 0 && values[0] != nullptr) *text = values[0];
        return 0;
      },
      &value, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (status != SQLITE_OK) throw std::runtime_error("test SQL failed: " + message + " in: " + sql);
  return value;
}

ServerRecord::ServerRecord(store::Engine engine) : engine_(engine) {
  if (engine == store::Engine::sqlite) {
    folder_ = std::make_unique<TempDir>();
    location_ = owner_location_ = store::StoreLocation::sqlite(folder_->path() / "data");
    store::StoreOptions options;
    options.create = true;
    store::Store::open(location_, options);
    return;
  }
  std::string id = clinic::new_record_id();
  for (char& c : id) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
  }
  database_ = "scarscope_server_test_" + id;
  postgres_superuser_query("postgres", "CREATE DATABASE " + database_);
  owner_location_ = store::StoreLocation::postgres(with_user_and_database(postgres_url(), "postgres", database_));
  store::Store::open(owner_location_);  // the owner makes the schema, as a DBA would
  postgres_superuser_query("postgres",
                           "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'scarscope_server_test') "
                           "THEN CREATE ROLE scarscope_server_test LOGIN; END IF; EXCEPTION WHEN duplicate_object OR "
                           "unique_violation THEN NULL; END $$");
  postgres_superuser_query("postgres", "GRANT scarscope_app TO scarscope_server_test");
  location_ = store::StoreLocation::postgres(with_user_and_database(postgres_url(), "scarscope_server_test", database_));
}

ServerRecord::~ServerRecord() {
  if (engine_ == store::Engine::postgres && !database_.empty()) {
    try {
      postgres_superuser_query("postgres", "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // A leftover database of a throwaway server: it goes with the server.
    }
  }
}

std::string ServerRecord::cli_arguments() const {
  return engine_ == store::Engine::sqlite ? "--data '" + location_.data_dir.string() + "'" : "--db '" + location_.url + "'";
}

std::string Answer::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

std::vector<std::string> Answer::headers_named(const std::string& name) const {
  std::vector<std::string> values;
  auto [begin, end] = headers.equal_range(name);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  return values;
}

ApiClient::ApiClient(int port) : client_("127.0.0.1", port) {
  client_.set_keep_alive(true);
  client_.set_read_timeout(120, 0);
  client_.set_write_timeout(120, 0);
}

Answer ApiClient::send(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& content_type, const httplib::Headers& headers) {
  httplib::Request request;
  request.method = method;
  request.path = path;
  request.headers = headers;
  if (!token_.empty() && !request.has_header("Authorization")) request.set_header("Authorization", "Bearer " + token_);
  if (!content_type.empty()) {
    request.body = body;
    request.set_header("Content-Type", content_type);
  }
  httplib::Result result = client_.send(request);
  if (!result) throw std::runtime_error(method + " " + path + ": no answer (" + httplib::to_string(result.error()) + ")");
  Answer answer;
  answer.status = result->status;
  answer.body = result->body;
  answer.headers = result->headers;
  if (result->get_header_value("Content-Type").rfind("application/json", 0) == 0) {
    answer.json = Json::parse(answer.body, nullptr, false);
  }
  return answer;
}

Answer ApiClient::get(const std::string& path, const httplib::Headers& headers) {
  return send("GET", path, "", "", headers);
}

Answer ApiClient::post(const std::string& path, const Json& body, const httplib::Headers& headers) {
  return send("POST", path, body.dump(), "application/json", headers);
}

Answer ApiClient::patch(const std::string& path, const Json& body, const httplib::Headers& headers) {
  return send("PATCH", path, body.dump(), "application/json", headers);
}

const clinic::User& ClinicStaff::with_role(clinic::Role role) const {
  switch (role) {
    case clinic::Role::admin: return admin;
    case clinic::Role::clinician: return clinician;
    case clinic::Role::assistant: return assistant;
  }
  return assistant;
}

TestServer::TestServer(store::Engine engine, std::function<void(server::ServeOptions&)> configure)
    : record_(std::make_unique<ServerRecord>(engine)), clock_(clinic::parse_timestamp("2026-12-04T09:00:00Z", "test")) {
  server::ServeOptions options;
  options.location = record_->location();
  options.http.host = "127.0.0.1";
  options.http.port = 0;
  options.http.threads = 16;
  options.workers = 1;
  options.kb_dir = std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "kb";
  options.clock = &clock_;
  options.database_connections = 8;
  if (configure) configure(options);
  server_ = std::make_unique<server::ClinicServer>(std::move(options));
  north = make_staff(server_->store(), "North");
  south = make_staff(server_->store(), "South");
  port_ = server_->bind();
  thread_ = std::thread([this] { server_->run(); });
  while (!server_->is_serving()) std::this_thread::yield();
}

TestServer::~TestServer() { stop(); }

void TestServer::stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

std::map<std::string, std::int64_t> TestServer::counts() {
  server_->flush_audit();
  return record_counts(server_->store());
}

std::string TestServer::login(const clinic::User& user) {
  Answer answer = client().post("/api/v1/login", {{"email", user.email}, {"password", test_password}});
  if (answer.status != 200) throw std::runtime_error("login of " + user.email + " failed: " + answer.body);
  return answer.json["token"].get<std::string>();
}

ApiClient TestServer::client_as(const clinic::User& user) {
  ApiClient api = client();
  api.bearer(login(user));
  return api;
}

std::map<std::string, std::int64_t> record_counts(store::Store& store) {
  return store.read_system([](const store::SystemReader& tx) { return tx.record_counts(); });
}

}  // namespace scarscope::test
