#pragma once
// A thin RAII layer over the SQLite C API: one Connection owns one sqlite3*,
// one Statement owns one sqlite3_stmt*. Failures throw SqliteError, which
// keeps SQLite's (extended) result code so callers can map it to a status.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/run_columns.h"

namespace telemetry::db {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, int extended_code, const std::string& message)
      : std::runtime_error(message), code_(code), extended_code_(extended_code) {}
  int code() const { return code_; }                    // primary code, e.g. SQLITE_FULL
  int extended_code() const { return extended_code_; }  // e.g. SQLITE_IOERR_WRITE

 private:
  int code_;
  int extended_code_;
};

// How a failed write should be treated by the writer (docs/reference/http-api.md §8).
enum class FailureKind { kBusy, kFull, kIo, kOther };
FailureKind classify_failure(int primary_code);

class Connection {
 public:
  enum class Mode { kReadOnly, kReadWrite, kReadWriteCreate };
  Connection(const std::string& path, Mode mode, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const std::string& sql);
  // Result of a single-value query such as "PRAGMA journal_mode" ("" when no row).
  std::string query_text(const std::string& sql);
  std::int64_t query_int(const std::string& sql);
  std::int64_t changes() const;
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void throw_last_error(const std::string& context) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Connection& connection, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // How long bound text stays valid. kUntilReset saves SQLite a copy of each
  // string; the caller keeps the text alive and unchanged until reset().
  enum class TextLifetime { kCopy, kUntilReset };

  void bind(int index, const SqlValue& value, TextLifetime lifetime = TextLifetime::kCopy);  // 1-based
  void bind_text(int index, std::string_view text, TextLifetime lifetime = TextLifetime::kCopy);
  void bind_int(int index, std::int64_t value);
  void bind_null(int index);
  // true while a row is available; false when done.
  bool step();
  void reset();  // also clears bindings

  int column_count() const;
  int column_type(int index) const;  // SQLITE_INTEGER, ...
  bool column_is_null(int index) const;
  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;  // raw bytes for TEXT and BLOB
  std::string column_name(int index) const;

 private:
  Connection& connection_;
  sqlite3_stmt* stmt_ = nullptr;
};

// RAII transaction helper for code outside the writer (migrate, prune...):
// rolls back unless commit() was called.
class Transaction {
 public:
  Transaction(Connection& connection, const char* begin_sql = "BEGIN IMMEDIATE");
  ~Transaction();
  void commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace telemetry::db
