#pragma once
// `telemetry backup`: an online, verified copy of the database into the backup
// directory, named after the database (backup_name.h) with a record naming
// its source, then retention of this database's older verified backups
// (docs/reference/configuration.md §4.3).
//
// Order: free-space check; copy into a hidden temporary name (".<stem>_...
// .sqlite.tmp-<pid>"); verify that temporary copy; fsync it; rename it to
// its backup name; fsync the directory; write the .verified record. The copy
// is verified before it gets its backup name so that a failed or interrupted
// backup never leaves a file that looks like a backup: on every failure the
// temporary file is deleted.
#include <cstdint>
#include <string>
#include <vector>

#include "db/backup/online_copy.h"
#include "db/backup/retention_policy.h"

namespace telemetry::db::backup {

struct BackupOptions {
  std::string db_path;
  std::string backup_dir;
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 30000;
  RetentionLimits limits;
  TimePoint started;  // names the backup and is "now" for retention
  CopyControl control;
};

struct RemovedBackup {
  std::string name;
  TimePoint time;
};

struct BackupOutcome {
  std::string name;  // file name in backup_dir
  std::string path;
  std::uint64_t bytes = 0;
  SourceSnapshot source;  // shape and row counts copied
  double copy_seconds = 0;
  double verify_seconds = 0;
  std::vector<RemovedBackup> removed;
  std::vector<std::string> warnings;  // retention deletions that failed
};

// Throws Error: kNotFound database missing, kInvalidInput / kCorrupt source
// not SQLite or corrupt (its quick_check fails), kCannotCreate / kDiskFull
// directory or file cannot be created or not enough free space, kIo I/O
// error or the copy failed verification, kBusy, kInterrupted / kTerminated.
BackupOutcome make_backup(const BackupOptions& options);

// Deletes the backups select_backups_to_delete names among those in
// `directory` whose .verified record names `db_path` (backup_owner.h): each
// file, then its record. Failures are returned as warnings.
std::vector<RemovedBackup> apply_backup_retention(const std::string& directory, const std::string& db_path,
                                                  const std::string& just_made, RetentionLimits limits, TimePoint now,
                                                  std::vector<std::string>& warnings);

}  // namespace telemetry::db::backup
