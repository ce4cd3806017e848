#include "db/backup/make_backup.h"

#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "core/timestamp.h"
#include "db/backup/backup_name.h"
#include "db/backup/backup_owner.h"
#include "db/backup/catalog.h"
#include "db/backup/verified_copy.h"
#include "db/backup/verified_record.h"
#include "db/database.h"
#include "util/error.h"
#include "util/file_sync.h"
#include "util/temporary_file.h"

namespace telemetry::db::backup {
namespace fs = std::filesystem;
BackupOutcome make_backup(const BackupOptions& options) {
  std::error_code error;
  if (!fs::exists(options.db_path, error)) {
    throw Error(ErrorKind::kNotFound, fmt::format("database {} does not exist", options.db_path));
  }
  std::unique_ptr<Connection> source;
  std::int64_t source_bytes = 0;
  try {
    source = open_read_only(options.db_path, options.busy_timeout_ms);
    source_bytes = source->query_int("PRAGMA page_count") * source->query_int("PRAGMA page_size");
  } catch (const SqliteError& failure) {
    if (failure.code() == SQLITE_NOTADB) {
      throw Error(ErrorKind::kInvalidInput, fmt::format("{} is not a SQLite database", options.db_path));
    }
    throw Error(error_kind(failure), fmt::format("database {}: {}", options.db_path, failure.what()));
  }

  create_private_directories(options.backup_dir);
  require_free_space(options.backup_dir, static_cast<std::uint64_t>(source_bytes), "make a backup");

  BackupOutcome outcome;
  outcome.name = choose_backup_file_name(options.backup_dir, database_stem(options.db_path), options.started);
  outcome.path = (fs::path(options.backup_dir) / outcome.name).string();
  TemporaryFile temporary(
      (fs::path(options.backup_dir) / fmt::format(".{}.tmp-{}", outcome.name, ::getpid())).string());

  VerifiedCopyOptions copy_options;
  copy_options.synchronous = options.synchronous;
  copy_options.busy_timeout_ms = options.busy_timeout_ms;
  copy_options.control = options.control;
  const VerifiedCopy copy = make_verified_copy(*source, temporary, outcome.path, copy_options);
  source.reset();
  outcome.source = copy.source;
  outcome.bytes = copy.bytes;
  outcome.copy_seconds = copy.copy_seconds;
  outcome.verify_seconds = copy.verify_seconds;

  VerifiedRecord record;
  record.verified_at = canonical_utc_now();
  record.tables = outcome.source.row_counts;
  record.shape = shape_name(outcome.source.shape);
  record.bytes = outcome.bytes;
  record.source = database_identity(options.db_path);
  try {
    write_verified_record(outcome.path, record);
  } catch (const Error&) {
    // Without its record the copy would look like an unverified backup; a
    // backup command that fails must not leave one behind.
    fs::remove(outcome.path, error);
    throw;
  }

  outcome.removed = apply_backup_retention(options.backup_dir, options.db_path, outcome.name, options.limits,
                                           options.started, outcome.warnings);
  return outcome;
}

std::vector<RemovedBackup> apply_backup_retention(const std::string& directory, const std::string& db_path,
                                                  const std::string& just_made, RetentionLimits limits, TimePoint now,
                                                  std::vector<std::string>& warnings) {
  // Only backups whose record names this database: one attributed by its
  // name alone may be another database's (backup_owner.h).
  std::vector<RetentionCandidate> candidates;
  for (const BackupEntry& entry : list_backups(directory)) {
    if (belonging_of(entry.name, entry.record, db_path) != Belonging::kRecorded) continue;
    candidates.push_back({entry.name, entry.time, entry.sequence, entry.record.has_value()});
  }
  std::vector<RemovedBackup> removed;
  for (const std::string& name : select_backups_to_delete(candidates, just_made, limits, now)) {
    const fs::path path = fs::path(directory) / name;
    std::error_code error;
    fs::remove(path, error);
    if (error) {
      warnings.push_back(fmt::format("could not delete old backup {}: {}", path.string(), error.message()));
      continue;
    }
    fs::remove(verified_record_path(path.string()), error);
    removed.push_back({name, parse_backup_file_name(name)->time});
  }
  if (!removed.empty()) fsync_directory(directory);
  return removed;
}

}  // namespace telemetry::db::backup
