#pragma once
// `telemetry backup restore FILE`: replaces the database with a verified copy
// of FILE. The caller holds the writer lock (docs/reference/configuration.md §5).
//
// Steps: FILE is checked (exists, SQLite, integrity_check, known shape); it is
// copied with the online backup API into a hidden temporary file beside the
// database, switched to the configured journal mode, verified against FILE's
// row counts and fsynced. Then the current database is kept as
// "<db>.pre-restore-YYYYMMDD_HHMMSS.sqlite" (a hard link to the same file, so
// it costs no space and preserves the file exactly; its -wal/-journal files
// move with it), and the temporary copy is renamed over the database path:
// readers see either the old or the new file, never a mix.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "db/backup/backup_name.h"
#include "db/backup/online_copy.h"

namespace telemetry::db::backup {

struct RestoreSource {
  std::string path;
  Shape shape = Shape::kUnknown;
  std::map<std::string, std::int64_t> row_counts;
  std::uint64_t bytes = 0;
};

// Throws Error: kNotFound FILE missing or unreadable, kInvalidInput not SQLite
// or the unknown shape, kCorrupt fails integrity_check.
RestoreSource inspect_restore_file(const std::string& file, int busy_timeout_ms, const CopyControl& control);

struct RestoreOptions {
  std::string db_path;
  JournalMode journal_mode = JournalMode::kDelete;
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 30000;
  TimePoint now;  // names the safety copy
  CopyControl control;
};

struct RestoreOutcome {
  std::optional<std::string> safety_copy;  // nullopt when there was no database
  JournalMode journal_mode = JournalMode::kDelete;  // in force on the restored file
};

// "<db>.pre-restore-YYYYMMDD_HHMMSS.sqlite" with -1, -2 ... when taken.
std::string choose_safety_copy_path(const std::string& db_path, TimePoint now);

RestoreOutcome restore_database(const RestoreOptions& options, const RestoreSource& source);

}  // namespace telemetry::db::backup
