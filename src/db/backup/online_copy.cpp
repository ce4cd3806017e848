#include "db/backup/online_copy.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "db/backup/integrity.h"
#include "db/database.h"
#include "db/pragmas.h"
#include "db/shape.h"
#include "util/error.h"
#include "util/stop_signals.h"

namespace telemetry::db::backup {
namespace {

int progress_callback(void* context) {
  const CopyControl* control = static_cast<const CopyControl*>(context);
  return control->interrupted && control->interrupted() != 0 ? 1 : 0;
}

[[noreturn]] void throw_copy_error(const SqliteError& error, const std::string& source_path) {
  if (error.code() == SQLITE_NOTADB) {
    throw Error(ErrorKind::kInvalidInput, fmt::format("{} is not a SQLite database", source_path));
  }
  if (error.code() == SQLITE_CORRUPT) {
    throw Error(ErrorKind::kCorrupt, fmt::format("database {} is corrupt: {}", source_path, error.what()));
  }
  throw Error(error_kind(error), fmt::format("backup of {}: {}", source_path, error.what()));
}

// Ends the source's read transaction on every path out of copy_database.
struct ReadTransaction {
  explicit ReadTransaction(Connection& c) : connection(c) { connection.exec("BEGIN DEFERRED"); }
  ~ReadTransaction() {
    if (sqlite3_get_autocommit(connection.handle()) == 0) {
      sqlite3_exec(connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  Connection& connection;
};

}  // namespace

void interrupt_on_signal(Connection& connection, const CopyControl& control) {
  if (control.interrupted) {
    sqlite3_progress_handler(connection.handle(), 10000, progress_callback, const_cast<CopyControl*>(&control));
  }
}

ReadProgress::ReadProgress(Connection& connection, const CopyControl& control)
    : connection_(connection), control_(control) {
  if (!control_.read_progress) {
    interrupt_on_signal(connection_, control_);
    return;
  }
  page_size_ = connection_.query_int("PRAGMA page_size");
  file_bytes_ = connection_.query_int("PRAGMA page_count") * page_size_;
  int current = 0, highest = 0;
  sqlite3_db_status(connection_.handle(), SQLITE_DBSTATUS_CACHE_MISS, &current, &highest, /*reset=*/1);
  sqlite3_progress_handler(connection_.handle(), 10000, &ReadProgress::handler, this);
}

ReadProgress::~ReadProgress() { sqlite3_progress_handler(connection_.handle(), 0, nullptr, nullptr); }

int ReadProgress::handler(void* self) {
  auto* watch = static_cast<ReadProgress*>(self);
  if (watch->control_.interrupted && watch->control_.interrupted() != 0) return 1;
  int misses = 0, highest = 0;
  sqlite3_db_status(watch->connection_.handle(), SQLITE_DBSTATUS_CACHE_MISS, &misses, &highest, 0);
  const std::int64_t total = watch->file_bytes_;
  watch->control_.read_progress(std::min<std::int64_t>(misses * watch->page_size_, total * 99 / 100), total);
  return 0;
}

void ReadProgress::done() {
  if (control_.read_progress) control_.read_progress(file_bytes_, file_bytes_);
}

void throw_if_interrupted(const CopyControl& control) {
  if (!control.interrupted) return;
  if (int signal_number = control.interrupted()) throw stopped_by(signal_number);
}

SourceSnapshot copy_database(Connection& source, const std::string& dest_path, Synchronous synchronous,
                             int busy_timeout_ms, const CopyControl& control) {
  SourceSnapshot snapshot;
  try {
    Connection dest(dest_path, Connection::Mode::kReadWrite, busy_timeout_ms);
    // The destination is a private temporary file deleted on any failure, so
    // its rollback journal can stay in memory.
    dest.exec("PRAGMA journal_mode=MEMORY");
    set_synchronous(dest, synchronous);

    ReadTransaction read(source);
    // The first read starts the snapshot (WAL) or takes the SHARED lock.
    snapshot.shape = detect_shape(source).id;
    snapshot.page_size = source.query_int("PRAGMA page_size");
    snapshot.page_count = source.query_int("PRAGMA page_count");
    interrupt_on_signal(source, control);
    snapshot.row_counts = table_row_counts(source);

    sqlite3_backup* backup = sqlite3_backup_init(dest.handle(), "main", source.handle(), "main");
    if (backup == nullptr) dest.throw_last_error("cannot start the backup");
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (control.interrupted && control.interrupted() != 0) break;
      rc = sqlite3_backup_step(backup, control.pages_per_step);
      if (control.progress) {
        const std::int64_t total = sqlite3_backup_pagecount(backup);
        control.progress((total - sqlite3_backup_remaining(backup)) * snapshot.page_size, total * snapshot.page_size);
      }
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    sqlite3_backup_finish(backup);
    throw_if_interrupted(control);
    if (rc != SQLITE_DONE) {
      // The error belongs to whichever side failed; the destination's code is
      // set by backup_finish, the source's stays on the source connection.
      int dest_code = sqlite3_extended_errcode(dest.handle());
      if ((dest_code & 0xff) != SQLITE_OK) dest.throw_last_error("writing the copy");
      throw SqliteError(rc & 0xff, rc, sqlite3_errstr(rc));
    }
  } catch (const SqliteError& error) {
    if (error.code() == SQLITE_INTERRUPT) throw_if_interrupted(control);
    throw_copy_error(error, source.path());
  }
  sqlite3_progress_handler(source.handle(), 0, nullptr, nullptr);
  return snapshot;
}

}  // namespace telemetry::db::backup
