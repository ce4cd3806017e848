#include "db/sqlite.h"

#include <cerrno>

#include <fmt/format.h>

namespace telemetry::db {

ErrorKind error_kind(int primary_code) {
  switch (primary_code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorKind::kBusy;
    case SQLITE_FULL:
      return ErrorKind::kDiskFull;
    case SQLITE_IOERR:
      return ErrorKind::kIo;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:  // a file whose header is not SQLite's: damaged, or not a database at all
      return ErrorKind::kCorrupt;
    case SQLITE_CANTOPEN:
      return ErrorKind::kCannotCreate;
    case SQLITE_READONLY:
      return ErrorKind::kReadOnly;
    case SQLITE_CONSTRAINT:
      return ErrorKind::kConflict;
    case SQLITE_MISMATCH:
      return ErrorKind::kInvalidInput;
    default:
      return ErrorKind::kInternal;
  }
}

bool out_of_descriptors(const SqliteError& error) {
  return error.code() == SQLITE_CANTOPEN && (error.system_errno() == EMFILE || error.system_errno() == ENFILE);
}

std::string quote_identifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

namespace {

// "file:<path>?immutable=1" with the characters a URI path cannot hold escaped.
std::string immutable_uri(const std::string& path) {
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) {
      uri += fmt::format("%{:02X}", c);
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + "?immutable=1";
}

}  // namespace

Connection::Connection(const std::string& path, Mode mode, int busy_timeout_ms, const StorageEnv& env)
    : path_(path) {
  // SQLite's allocation statistics take a process-wide mutex on every malloc;
  // nothing here reads them. Must be set before SQLite initialises (first open).
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case Mode::kReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case Mode::kReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::kReadWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case Mode::kImmutable: flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI; break;
  }
  const std::string name = mode == Mode::kImmutable ? immutable_uri(path) : path;
  int rc = sqlite3_open_v2(name.c_str(), &db_, flags, env.sqlite_vfs());
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    int extended = db_ ? sqlite3_extended_errcode(db_) : rc;
    const int system_errno = db_ ? sqlite3_system_errno(db_) : 0;
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc & 0xff, extended, fmt::format("cannot open {}: {}", path, message), system_errno);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::throw_last_error(const std::string& context) const {
  int extended = sqlite3_extended_errcode(db_);
  std::string message = sqlite3_errmsg(db_);
  throw SqliteError(extended & 0xff, extended, context.empty() ? message : context + ": " + message,
                    sqlite3_system_errno(db_));
}

void Connection::exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    int extended = sqlite3_extended_errcode(db_);
    throw SqliteError(extended & 0xff, extended, message, sqlite3_system_errno(db_));
  }
}

std::string Connection::query_text(const std::string& sql) {
  Statement statement(*this, sql);
  if (!statement.step()) return "";
  return statement.column_text(0);
}

std::int64_t Connection::query_int(const std::string& sql) {
  Statement statement(*this, sql);
  if (!statement.step()) return 0;
  return statement.column_int(0);
}

std::int64_t Connection::changes() const { return sqlite3_changes64(db_); }

Statement::Statement(Connection& connection, const std::string& sql) : connection_(connection) {
  if (sqlite3_prepare_v2(connection.handle(), sql.c_str(), static_cast<int>(sql.size()), &stmt_,
                         nullptr) != SQLITE_OK) {
    connection.throw_last_error("");
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(int index, const SqlValue& value, TextLifetime lifetime) {
  if (auto* text = std::get_if<std::string>(&value)) {
    bind_text(index, *text, lifetime);
  } else if (auto* number = std::get_if<std::int64_t>(&value)) {
    bind_int(index, *number);
  } else {
    bind_null(index);
  }
}

void Statement::bind_text(int index, std::string_view text, TextLifetime lifetime) {
  auto destructor = lifetime == TextLifetime::kCopy ? SQLITE_TRANSIENT : SQLITE_STATIC;
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), destructor, SQLITE_UTF8) != SQLITE_OK) {
    connection_.throw_last_error("bind");
  }
}

void Statement::bind_int(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) connection_.throw_last_error("bind");
}

void Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) connection_.throw_last_error("bind");
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  int extended = sqlite3_extended_errcode(connection_.handle());
  std::string message = sqlite3_errmsg(connection_.handle());
  const int system_errno = sqlite3_system_errno(connection_.handle());
  sqlite3_reset(stmt_);
  throw SqliteError(rc & 0xff, extended, message, system_errno);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }
int Statement::column_type(int index) const { return sqlite3_column_type(stmt_, index); }
bool Statement::column_is_null(int index) const { return column_type(index) == SQLITE_NULL; }
std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }

std::string Statement::column_text(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (!data || size <= 0) return "";
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::string_view Statement::column_view(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (!data || size <= 0) return {};
  return std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::string Statement::column_name(int index) const {
  const char* name = sqlite3_column_name(stmt_, index);
  return name ? name : "";
}

Transaction::Transaction(Connection& connection, const char* begin_sql) : connection_(connection) {
  connection_.exec(begin_sql);
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  connection_.exec("COMMIT");
  open_ = false;
}

}  // namespace telemetry::db
