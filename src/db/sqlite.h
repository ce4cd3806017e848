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
#include "db/storage_env.h"
#include "util/error.h"

namespace telemetry::db {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, int extended_code, const std::string& message, int system_errno = 0)
      : std::runtime_error(message), code_(code), extended_code_(extended_code), system_errno_(system_errno) {}
  int code() const { return code_; }                    // primary code, e.g. SQLITE_FULL
  int extended_code() const { return extended_code_; }  // e.g. SQLITE_IOERR_WRITE
  // The errno of the system call behind an I/O-class failure (sqlite3_system_errno), else 0.
  int system_errno() const { return system_errno_; }

 private:
  int code_;
  int extended_code_;
  int system_errno_;
};

// "name" with embedded quotes doubled: an identifier read from a file is only
// ever put into SQL this way.
std::string quote_identifier(std::string_view name);

// The one classification of SQLite's result codes into the engine-neutral
// kinds of util/error.h (docs/architecture.md, "Errors"); the writer's HTTP
// statuses and every command's exit code derive from it.
ErrorKind error_kind(int primary_code);
inline ErrorKind error_kind(const SqliteError& error) { return error_kind(error.code()); }
// SQLITE_CANTOPEN because the process (EMFILE) or the system (ENFILE) had no
// file descriptor left, e.g. for a rollback journal: transient, worth a retry,
// never a reason to stop writing for good.
bool out_of_descriptors(const SqliteError& error);

class Connection {
 public:
  // kImmutable: read-only and assumed unchanging (SQLite's immutable=1): no
  // -shm or -wal is created beside the file, even for a WAL database. Only for
  // a file without a -wal or -journal, whose content is all in the main file.
  enum class Mode { kReadOnly, kReadWrite, kReadWriteCreate, kImmutable };
  // `env` decides how the file is reached (db/storage_env.h).
  Connection(const std::string& path, Mode mode, int busy_timeout_ms,
             const StorageEnv& env = StorageEnv::real());
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
  // The same bytes without a copy: valid until the next step(), reset() or
  // another column call on this column.
  std::string_view column_view(int index) const;
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
