#include "store/detail/postgres_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "store/store_error.h"

namespace scarscope::store::detail {
namespace {

// Type OIDs of the columns the store reads (pg_type.h).
constexpr Oid bool_oid = 16, bytea_oid = 17, char_oid = 18, name_oid = 19, int8_oid = 20, int2_oid = 21,
              int4_oid = 23, text_oid = 25, json_oid = 114, float4_oid = 700, float8_oid = 701, unknown_oid = 705,
              varchar_oid = 1043, jsonb_oid = 3802;

std::uint64_t read_big_endian(const char* data, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(data[i]);
  return value;
}

SqlCell decode(Oid type, const char* data, int length, const std::string& column) {
  switch (type) {
    case bool_oid: return static_cast<std::int64_t>(data[0] != 0);
    case int2_oid: return static_cast<std::int64_t>(static_cast<std::int16_t>(read_big_endian(data, 2)));
    case int4_oid: return static_cast<std::int64_t>(static_cast<std::int32_t>(read_big_endian(data, 4)));
    case int8_oid: return static_cast<std::int64_t>(read_big_endian(data, 8));
    case float4_oid: {
      const auto bits = static_cast<std::uint32_t>(read_big_endian(data, 4));
      float value;
      std::memcpy(&value, &bits, sizeof value);
      return static_cast<double>(value);
    }
    case float8_oid: {
      const std::uint64_t bits = read_big_endian(data, 8);
      double value;
      std::memcpy(&value, &bits, sizeof value);
      return value;
    }
    case jsonb_oid:  // binary jsonb: a version byte, then the text
      return std::string(data + 1, static_cast<std::size_t>(length - 1));
    case bytea_oid:
    case char_oid:
    case name_oid:
    case text_oid:
    case json_oid:
    case unknown_oid:
    case varchar_oid: return std::string(data, static_cast<std::size_t>(length));
    default: throw StoreError("internal: column " + column + " has a type the store does not read (oid " +
                              std::to_string(type) + ")");
  }
}

std::string format_param(const SqlParam& param) {
  if (const auto* number = std::get_if<std::int64_t>(&param)) return std::to_string(*number);
  if (const auto* real = std::get_if<double>(&param)) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, *real);
    return std::string(buffer, result.ptr);
  }
  return {};
}

// A statement ready to send: a prepared statement's name (or an unprepared text such as BEGIN) and
// its parameters, owned, so it can wait in a queue.
struct Outgoing {
  bool prepared = true;
  std::string name_or_text;
  std::vector<std::optional<std::string>> values;
  std::vector<int> formats;
};

// One libpq connection. Within a transaction it sends what it can together (libpq pipeline mode):
// BEGIN and the clinic scope go with the first statement, statements whose results nobody reads go
// with the next one or the COMMIT, and a read-only COMMIT is not waited for.
class PostgresConnection final : public Connection {
 public:
  PostgresConnection(const std::string& url, std::chrono::seconds connect_timeout) {
    const std::string timeout = std::to_string(std::max<long long>(1, connect_timeout.count()));
    const char* keywords[] = {"dbname", "connect_timeout", "application_name", "client_encoding", nullptr};
    const char* values[] = {url.c_str(), timeout.c_str(), "scarscope", "UTF8", nullptr};
    connection_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
      std::string message = connection_ ? PQerrorMessage(connection_) : "out of memory";
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
      PQfinish(connection_);
      connection_ = nullptr;
      throw StoreUnavailableError("PostgreSQL at " + redact_postgres_url(url) + " cannot be reached: " + message);
    }
    PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
  }

  ~PostgresConnection() override { PQfinish(connection_); }

  SqlRows query(std::string_view sql, std::span<const SqlParam> params) override {
    const Outgoing statement = outgoing(sql, params);
    PGresult* result = send(&statement);
    const int rows = PQntuples(result);
    const int count = PQnfields(result);
    std::vector<std::string> columns;
    columns.reserve(static_cast<std::size_t>(count));
    for (int c = 0; c < count; ++c) columns.emplace_back(PQfname(result, c));
    std::vector<SqlCell> cells;
    cells.reserve(static_cast<std::size_t>(rows) * static_cast<std::size_t>(count));
    try {
      for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < count; ++c) {
          if (PQgetisnull(result, r, c)) {
            cells.emplace_back(SqlNull{});
          } else {
            cells.push_back(decode(PQftype(result, c), PQgetvalue(result, r, c), PQgetlength(result, r, c),
                                   columns[static_cast<std::size_t>(c)]));
          }
        }
      }
    } catch (...) {
      PQclear(result);
      throw;
    }
    PQclear(result);
    return SqlRows(std::move(columns), std::move(cells));
  }

  std::int64_t execute(std::string_view sql, std::span<const SqlParam> params) override {
    const Outgoing statement = outgoing(sql, params);
    PGresult* result = send(&statement);
    const char* affected = PQcmdTuples(result);
    std::int64_t count = 0;
    if (affected != nullptr && *affected != '\0') std::from_chars(affected, affected + std::strlen(affected), count);
    PQclear(result);
    return count;
  }

  void execute_later(std::string_view sql, std::span<const SqlParam> params) override {
    queued_.push_back(outgoing(sql, params));
  }

  void begin(std::string_view begin_sql, std::string_view setup_sql, std::span<const SqlParam> setup_params) override {
    collect_read_commit();
    Outgoing begin_statement;
    begin_statement.prepared = false;
    begin_statement.name_or_text = std::string(begin_sql);
    begin_pending_ = true;
    queued_.clear();
    queued_.push_back(std::move(begin_statement));
    queued_.push_back(outgoing(setup_sql, setup_params));
  }

  void run_script(std::string_view sql) override {
    const bool commit = sql == "COMMIT";
    const bool rollback = sql == "ROLLBACK";
    if ((rollback && begin_pending_) || (commit && begin_pending_ && !holds_statements())) {
      queued_.clear();  // the transaction never reached the server: nothing to end
      begin_pending_ = false;
      return;
    }
    if (rollback) queued_.clear();  // what was not sent is simply not sent
    if (commit) {
      Outgoing statement;
      statement.prepared = false;
      statement.name_or_text = "COMMIT";
      PQclear(send(&statement));
      return;
    }
    if (!queued_.empty()) PQclear(send(nullptr));
    collect_read_commit();
    const std::string text(sql);
    PGresult* result = PQexec(connection_, text.c_str());
    check(result);
    PQclear(result);
  }

  void commit_read_only() override {
    if (begin_pending_ && !holds_statements()) {
      queued_.clear();
      begin_pending_ = false;
      return;
    }
    if (!queued_.empty()) PQclear(send(nullptr));
    if (PQsendQuery(connection_, "COMMIT") != 1) throw_lost(PQerrorMessage(connection_));
    read_commit_pending_ = true;
  }

  bool usable() const override { return PQstatus(connection_) == CONNECTION_OK; }

 private:
  [[noreturn]] void throw_lost(const std::string& message) {
    throw StoreUnavailableError("PostgreSQL connection lost: " + message);
  }

  // True when the queue holds more than a transaction's BEGIN and scope.
  bool holds_statements() const { return queued_.size() > (begin_pending_ ? 2u : 0u); }

  // The answer to a read-only COMMIT sent earlier (long arrived by now).
  void collect_read_commit() {
    if (!read_commit_pending_) return;
    read_commit_pending_ = false;
    while (PGresult* result = PQgetResult(connection_)) PQclear(result);
  }

  Outgoing outgoing(std::string_view sql, std::span<const SqlParam> params) {
    Outgoing statement;
    statement.name_or_text = prepare(sql, static_cast<int>(params.size()));
    for (const SqlParam& param : params) {
      if (std::holds_alternative<SqlNull>(param)) {
        statement.values.emplace_back(std::nullopt);
        statement.formats.push_back(0);
      } else if (const auto* text = std::get_if<std::string>(&param)) {
        statement.values.emplace_back(*text);
        statement.formats.push_back(0);
      } else if (const auto* bytes = std::get_if<SqlBytes>(&param)) {
        statement.values.emplace_back(std::string(reinterpret_cast<const char*>(bytes->bytes.data()), bytes->bytes.size()));
        statement.formats.push_back(1);
      } else {
        statement.values.emplace_back(format_param(param));
        statement.formats.push_back(0);
      }
    }
    return statement;
  }

  bool dispatch(const Outgoing& statement) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& value : statement.values) {
      values.push_back(value ? value->data() : nullptr);
      lengths.push_back(value ? static_cast<int>(value->size()) : 0);
    }
    const int count = static_cast<int>(values.size());
    if (!statement.prepared) {
      return PQsendQueryParams(connection_, statement.name_or_text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1) == 1;
    }
    return PQsendQueryPrepared(connection_, statement.name_or_text.c_str(), count, values.data(), lengths.data(),
                               statement.formats.data(), 1) == 1;
  }

  // Sends what is queued and then `last` (if any) in one round trip, and returns `last`'s result
  // (the caller frees it). The first error among them is thrown.
  PGresult* send(const Outgoing* last) {
    collect_read_commit();
    begin_pending_ = false;
    std::vector<Outgoing> batch = std::move(queued_);
    queued_.clear();
    if (batch.empty() && last != nullptr) {
      // One statement: the plain synchronous call.
      std::vector<const char*> values;
      std::vector<int> lengths;
      for (const auto& value : last->values) {
        values.push_back(value ? value->data() : nullptr);
        lengths.push_back(value ? static_cast<int>(value->size()) : 0);
      }
      PGresult* result =
          last->prepared
              ? PQexecPrepared(connection_, last->name_or_text.c_str(), static_cast<int>(values.size()), values.data(),
                               lengths.data(), last->formats.data(), 1)
              : PQexecParams(connection_, last->name_or_text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1);
      check(result);
      return result;
    }
    if (PQenterPipelineMode(connection_) != 1) throw_lost("cannot enter pipeline mode");
    bool sent = true;
    for (const Outgoing& statement : batch) sent = sent && dispatch(statement);
    if (last != nullptr) sent = sent && dispatch(*last);
    sent = sent && PQpipelineSync(connection_) == 1;
    if (!sent) {
      const std::string message = PQerrorMessage(connection_);
      PQexitPipelineMode(connection_);
      throw_lost(message);
    }
    const std::size_t statements = batch.size() + (last != nullptr ? 1 : 0);
    PGresult* failure = nullptr;
    PGresult* answer = nullptr;
    for (std::size_t i = 0; i < statements; ++i) {
      while (PGresult* result = PQgetResult(connection_)) {
        const ExecStatusType status = PQresultStatus(result);
        const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (!ok && failure == nullptr && status != PGRES_PIPELINE_ABORTED) {
          failure = result;
        } else if (ok && last != nullptr && i + 1 == statements && answer == nullptr) {
          answer = result;
        } else {
          PQclear(result);
        }
      }
    }
    PGresult* sync = PQgetResult(connection_);
    const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    PQexitPipelineMode(connection_);
    if (failure != nullptr) {
      PQclear(answer);
      check(failure);
    }
    if (!synced) {
      PQclear(answer);
      throw_lost(PQerrorMessage(connection_));
    }
    return answer;
  }

  const std::string& prepare(std::string_view sql, int parameter_count) {
    const auto found = prepared_.find(sql);
    if (found != prepared_.end()) return found->second;
    const std::string key(sql);
    collect_read_commit();
    std::string name = "scarscope_" + std::to_string(prepared_.size() + 1);
    PGresult* result = PQprepare(connection_, name.c_str(), key.c_str(), parameter_count, nullptr);
    check(result);
    PQclear(result);
    return prepared_.emplace(key, std::move(name)).first->second;
  }

  // Throws the error a failed result stands for (and frees it).
  void check(PGresult* result) {
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    const char* state_field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string state = state_field ? state_field : "";
    const char* constraint_field = result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr;
    const char* table_field = result ? PQresultErrorField(result, PG_DIAG_TABLE_NAME) : nullptr;
    std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(connection_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const std::string constraint = constraint_field ? constraint_field : (table_field ? table_field : "");
    PQclear(result);
    if (PQstatus(connection_) != CONNECTION_OK || state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" ||
        state == "57P03") {
      throw StoreUnavailableError("PostgreSQL connection lost: " + message);
    }
    if (state == "40001" || state == "40P01") throw RetryableError(message);
    if (state == "23505") throw ConstraintError(ConstraintError::Kind::unique, constraint, message);
    if (state == "23503") throw ConstraintError(ConstraintError::Kind::foreign_key, constraint, message);
    if (state == "23514") throw ConstraintError(ConstraintError::Kind::check, constraint, message);
    if (state == "23502") throw ConstraintError(ConstraintError::Kind::not_null, constraint, message);
    throw StoreError("PostgreSQL: " + message + (state.empty() ? "" : " [" + state + "]"));
  }

  PGconn* connection_ = nullptr;
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> prepared_;
  std::vector<Outgoing> queued_;
  bool begin_pending_ = false;        // BEGIN (and the scope) queued, not yet sent
  bool read_commit_pending_ = false;  // a read-only COMMIT sent, its answer not yet read
};

}  // namespace

std::string redact_postgres_url(const std::string& url) {
  // postgresql://user:password@host/... -> postgresql://user:***@host/...
  const std::string::size_type scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const std::string::size_type at = url.find('@', scheme + 3);
  const std::string::size_type slash = url.find('/', scheme + 3);
  std::string redacted = url;
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    const std::string::size_type colon = url.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) redacted = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  // A password may also be given as a query parameter.
  const std::string::size_type password = redacted.find("password=");
  if (password != std::string::npos) {
    const std::string::size_type end = redacted.find('&', password);
    redacted = redacted.substr(0, password + 9) + "***" + (end == std::string::npos ? "" : redacted.substr(end));
  }
  return redacted;
}

std::unique_ptr<Connection> open_postgres_connection(const std::string& url, std::chrono::seconds connect_timeout) {
  return std::make_unique<PostgresConnection>(url, connect_timeout);
}

}  // namespace scarscope::store::detail
