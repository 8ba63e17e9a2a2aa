#include "store/detail/postgres_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <unordered_map>

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
    PGresult* result = run(sql, params);
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
    PGresult* result = run(sql, params);
    const char* affected = PQcmdTuples(result);
    std::int64_t count = 0;
    if (affected != nullptr && *affected != '\0') std::from_chars(affected, affected + std::strlen(affected), count);
    PQclear(result);
    return count;
  }

  void run_script(std::string_view sql) override {
    const std::string text(sql);
    PGresult* result = PQexec(connection_, text.c_str());
    check(result);
    PQclear(result);
  }

  bool usable() const override { return PQstatus(connection_) == CONNECTION_OK; }

  // BEGIN and the scope's set_config in one round trip (libpq pipeline mode).
  void begin(std::string_view begin_sql, std::string_view setup_sql, std::span<const SqlParam> setup_params) override {
    const std::string begin_text(begin_sql);
    const std::string& setup_name = prepare(setup_sql, static_cast<int>(setup_params.size()));
    std::vector<std::string> texts;
    std::vector<const char*> values;
    for (const SqlParam& param : setup_params) {
      const auto* text = std::get_if<std::string>(&param);
      texts.push_back(text ? *text : format_param(param));
    }
    for (const std::string& text : texts) values.push_back(text.c_str());
    if (PQenterPipelineMode(connection_) != 1) throw_lost("cannot enter pipeline mode");
    const bool sent =
        PQsendQueryParams(connection_, begin_text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1) == 1 &&
        PQsendQueryPrepared(connection_, setup_name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                            nullptr, 1) == 1 &&
        PQpipelineSync(connection_) == 1;
    if (!sent) throw_lost(PQerrorMessage(connection_));
    // Two results (each followed by a null), then the sync marker. Keep the first error.
    PGresult* failure = nullptr;
    for (int statement = 0; statement < 2; ++statement) {
      while (PGresult* result = PQgetResult(connection_)) {
        const ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && failure == nullptr) {
          failure = result;
        } else {
          PQclear(result);
        }
      }
    }
    PGresult* sync = PQgetResult(connection_);
    const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    PQexitPipelineMode(connection_);
    if (failure != nullptr) check(failure);
    if (!synced) throw_lost(PQerrorMessage(connection_));
  }

 private:
  [[noreturn]] void throw_lost(const std::string& message) {
    throw StoreUnavailableError("PostgreSQL connection lost: " + message);
  }

  PGresult* run(std::string_view sql, std::span<const SqlParam> params) {
    const std::string& name = prepare(sql, static_cast<int>(params.size()));
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const SqlParam& param = params[i];
      if (std::holds_alternative<SqlNull>(param)) {
        values[i] = nullptr;
      } else if (const auto* text = std::get_if<std::string>(&param)) {
        values[i] = text->c_str();
        lengths[i] = static_cast<int>(text->size());
      } else if (const auto* bytes = std::get_if<SqlBytes>(&param)) {
        values[i] = reinterpret_cast<const char*>(bytes->bytes.data());
        lengths[i] = static_cast<int>(bytes->bytes.size());
        formats[i] = 1;
      } else {
        texts[i] = format_param(param);
        values[i] = texts[i].c_str();
        lengths[i] = static_cast<int>(texts[i].size());
      }
    }
    PGresult* result = PQexecPrepared(connection_, name.c_str(), static_cast<int>(params.size()), values.data(),
                                      lengths.data(), formats.data(), /*resultFormat=*/1);
    check(result);
    return result;
  }

  const std::string& prepare(std::string_view sql, int parameter_count) {
    const std::string key(sql);
    const auto found = prepared_.find(key);
    if (found != prepared_.end()) return found->second;
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
  std::unordered_map<std::string, std::string> prepared_;
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
