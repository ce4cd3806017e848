#include "db/backup/restore.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "db/backup/integrity.h"
#include "db/backup/verify_copy.h"
#include "db/database.h"
#include "db/outside_database.h"
#include "db/shape.h"
#include "util/error.h"
#include "util/file_sync.h"
#include "util/temporary_file.h"

namespace telemetry::db::backup {
namespace fs = std::filesystem;
namespace {

// Keeps the current database under `safety` without copying it.
void keep_current_database(const std::string& db_path, const std::string& safety) {
  if (::link(db_path.c_str(), safety.c_str()) != 0) {
    // Filesystems without hard links: a byte copy, made durable.
    std::error_code error;
    fs::copy_file(db_path, safety, error);
    if (error) {
      throw Error(ErrorKind::kCannotCreate,
                  fmt::format("cannot keep a safety copy of {} as {}: {}", db_path, safety, error.message()));
    }
    fsync_file(safety);
  }
  // A WAL or a hot journal belongs to the old file: it moves with it, so the
  // safety copy stays complete and the restored file never inherits it.
  for (const char* suffix : {"-wal", "-journal"}) {
    const std::string from = db_path + suffix;
    if (fs::exists(from)) durable_rename(from, safety + suffix);
  }
  ::unlink((db_path + "-shm").c_str());  // rebuilt by SQLite from the WAL
  fsync_directory(fs::path(db_path).parent_path().string());
}

}  // namespace

RestoreSource inspect_restore_file(const std::string& file, int busy_timeout_ms, const CopyControl& control) {
  std::error_code error;
  if (!fs::exists(file, error) || !fs::is_regular_file(file, error)) {
    throw Error(ErrorKind::kNotFound, fmt::format("restore file {} does not exist", file));
  }
  if (::access(file.c_str(), R_OK) != 0) {
    throw Error(ErrorKind::kNotFound, fmt::format("cannot read restore file {}: {}", file, std::strerror(errno)));
  }
  RestoreSource source;
  source.path = file;
  source.bytes = fs::file_size(file, error);
  try {
    // The file comes from outside: nothing stored in it runs (outside_database.h).
    auto connection = open_outside_database(file, Connection::Mode::kReadOnly, busy_timeout_ms);
    ReadProgress reading(*connection, control);
    IntegrityResult integrity = check_integrity(*connection, /*quick=*/false);
    if (!integrity.ok) {
      if (integrity.problems.front().find("not a database") != std::string::npos) {
        throw Error(ErrorKind::kInvalidInput, fmt::format("restore file {} is not a SQLite database", file));
      }
      throw Error(ErrorKind::kCorrupt, fmt::format("restore file {} fails integrity_check: {}", file,
                                                   integrity.problems.front()));
    }
    ShapeReport shape = detect_shape(*connection);
    if (shape.id == Shape::kUnknown) {
      throw Error(ErrorKind::kInvalidInput,
                  fmt::format("restore file {} has an unknown schema: {}", file, shape.details));
    }
    source.shape = shape.id;
    source.row_counts = table_row_counts(*connection);
    reading.done();
  } catch (const SqliteError& failure) {
    if (failure.code() == SQLITE_INTERRUPT) throw_if_interrupted(control);
    if (failure.code() == SQLITE_NOTADB) {
      throw Error(ErrorKind::kInvalidInput, fmt::format("restore file {} is not a SQLite database", file));
    }
    throw Error(error_kind(failure), fmt::format("restore file {}: {}", file, failure.what()));
  }
  return source;
}

std::string choose_safety_copy_path(const std::string& db_path, TimePoint now) {
  const std::string stamp = utc_file_stamp(now);
  for (int sequence = 0;; ++sequence) {
    std::string path = sequence == 0 ? fmt::format("{}.pre-restore-{}.sqlite", db_path, stamp)
                                     : fmt::format("{}.pre-restore-{}-{}.sqlite", db_path, stamp, sequence);
    std::error_code error;
    if (!fs::exists(path, error)) return path;
  }
}

RestoreOutcome restore_database(const RestoreOptions& options, const RestoreSource& source) {
  const fs::path db_path(options.db_path);
  const std::string directory = db_path.parent_path().string();
  create_private_directories(directory);
  require_free_space(directory, source.bytes, "restore the database");

  TemporaryFile temporary(
      (db_path.parent_path() / fmt::format(".{}.restore-tmp-{}", db_path.filename().string(), ::getpid())).string());
  std::unique_ptr<Connection> from;
  try {
    from = open_outside_database(source.path, Connection::Mode::kReadOnly, options.busy_timeout_ms);
  } catch (const SqliteError& failure) {
    throw Error(error_kind(failure), fmt::format("restore file {}: {}", source.path, failure.what()));
  }
  SourceSnapshot snapshot =
      copy_database(*from, temporary.path(), options.synchronous, options.busy_timeout_ms, options.control);
  from.reset();
  if (snapshot.row_counts != source.row_counts) {
    throw Error(ErrorKind::kBusy,
                fmt::format("restore file {} changed while it was being read; try again", source.path));
  }

  RestoreOutcome outcome;
  try {
    CopyVerification verification = verify_copy(temporary.path(), snapshot, options.journal_mode,
                                                 options.synchronous, options.busy_timeout_ms, options.control);
    if (!verification.ok) {
      throw Error(ErrorKind::kIo,
                  fmt::format("the restored copy failed verification ({}); the database is unchanged",
                              verification.problem));
    }
    outcome.journal_mode = verification.journal_mode;
  } catch (const SqliteError& failure) {
    if (failure.code() == SQLITE_INTERRUPT) throw_if_interrupted(options.control);
    throw Error(error_kind(failure), fmt::format("verifying the restored copy: {}", failure.what()));
  }
  throw_if_interrupted(options.control);
  fsync_file(temporary.path());

  std::error_code error;
  if (fs::exists(db_path, error)) {
    outcome.safety_copy = choose_safety_copy_path(options.db_path, options.now);
    keep_current_database(options.db_path, *outcome.safety_copy);
  }
  durable_rename(temporary.path(), options.db_path);
  temporary.keep();
  return outcome;
}

}  // namespace telemetry::db::backup
