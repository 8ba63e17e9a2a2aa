// The store's internal SQL layer: one connection interface over SQLite and libpq, parameters and
// result rows in one neutral form. SQL is written once with PostgreSQL's $1..$n placeholders; the
// SQLite connection rewrites them to ?1..?n. Not part of the public interface.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <functional>
#include <variant>
#include <vector>

namespace scarscope::store::detail {

struct SqlNull {};
// Bytes passed without copying (blob pieces); they must outlive the call.
struct SqlBytes {
  std::span<const std::byte> bytes;
};

using SqlParam = std::variant<SqlNull, std::int64_t, double, std::string, SqlBytes>;

// Statement caches are looked up by the SQL text without copying it.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// A cell of a result: NULL, an integer, a real, or text/bytes (both as std::string).
using SqlCell = std::variant<SqlNull, std::int64_t, double, std::string>;

class SqlRows {
 public:
  SqlRows() = default;
  SqlRows(std::vector<std::string> columns, std::vector<SqlCell> cells)
      : columns_(std::move(columns)), cells_(std::move(cells)) {}

  std::size_t size() const { return columns_.empty() ? 0 : cells_.size() / columns_.size(); }
  bool empty() const { return size() == 0; }
  const std::vector<std::string>& columns() const { return columns_; }
  const SqlCell& cell(std::size_t row, std::size_t column) const { return cells_.at(row * columns_.size() + column); }

  bool is_null(std::size_t row, std::size_t column) const {
    return std::holds_alternative<SqlNull>(cell(row, column));
  }
  std::int64_t integer(std::size_t row, std::size_t column) const;
  double real(std::size_t row, std::size_t column) const;
  const std::string& text(std::size_t row, std::size_t column) const;
  // Text, or "" for NULL.
  std::string text_or_empty(std::size_t row, std::size_t column) const;

 private:
  std::vector<std::string> columns_;
  std::vector<SqlCell> cells_;
};

// Internal failures the transaction runner acts on.
// A serialization failure, a deadlock or a busy database: the transaction may be run again.
class RetryableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A constraint the database enforced. `constraint` is the engine's text naming it ("users.email",
// "users_email_key").
class ConstraintError : public std::runtime_error {
 public:
  enum class Kind { unique, foreign_key, check, not_null, other };
  ConstraintError(Kind kind, std::string constraint, const std::string& message)
      : std::runtime_error(message), kind_(kind), constraint_(std::move(constraint)) {}
  Kind kind() const { return kind_; }
  const std::string& constraint() const { return constraint_; }

 private:
  Kind kind_;
  std::string constraint_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one statement (prepared once per connection and cached) and returns its rows.
  virtual SqlRows query(std::string_view sql, std::span<const SqlParam> params) = 0;
  // Runs one statement and returns the number of rows it changed.
  virtual std::int64_t execute(std::string_view sql, std::span<const SqlParam> params) = 0;
  // Runs one statement whose result nobody reads (an INSERT): PostgreSQL sends it with the next
  // statement or the COMMIT in one round trip, and an error it raises surfaces there (the
  // transaction fails as a whole either way). Statements keep their order.
  virtual void execute_later(std::string_view sql, std::span<const SqlParam> params) { execute(sql, params); }
  // Ends a read-only transaction. PostgreSQL does not wait for the answer: it is collected when the
  // connection is next used (a read-only COMMIT changes nothing that could fail).
  virtual void commit_read_only() { run_script("COMMIT"); }
  // Runs statements without parameters (transaction control, migrations).
  virtual void run_script(std::string_view sql) = 0;
  // Starts a transaction with `begin_sql` and runs `setup_sql` in it (the clinic scope); PostgreSQL
  // sends both in one round trip.
  virtual void begin(std::string_view begin_sql, std::string_view setup_sql, std::span<const SqlParam> setup_params) {
    run_script(begin_sql);
    if (!setup_sql.empty()) query(setup_sql, setup_params);
  }
  // False once the connection is broken (it is then dropped from the pool).
  virtual bool usable() const = 0;
};

}  // namespace scarscope::store::detail
