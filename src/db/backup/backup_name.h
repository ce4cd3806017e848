#pragma once
// Backup file names (docs/reference/configuration.md §4.3): telemetry_YYYYMMDD_HHMMSS.sqlite, from the
// UTC time the backup started, with -1, -2, ... before .sqlite when taken.
// A backup's age is the time in its name, so the name is the only record of it.
#include <chrono>
#include <optional>
#include <string>

namespace telemetry::db::backup {

using TimePoint = std::chrono::system_clock::time_point;

struct BackupName {
  TimePoint time;  // whole seconds, UTC
  int sequence = 0;  // the -N suffix, 0 when none
};

// "telemetry_20260114_091502.sqlite" (sequence 0) or "..._091502-2.sqlite".
std::string backup_file_name(TimePoint time, int sequence = 0);
// Parses a name made by backup_file_name; nullopt for anything else (pre-migration
// backups, temporary files, .verified records, other files).
std::optional<BackupName> parse_backup_file_name(const std::string& name);

// The first free name in `directory` for `time` (adds -1, -2, ... when taken).
std::string choose_backup_file_name(const std::string& directory, TimePoint time);

// "2026-01-14T09:15:02Z": how list and JSON output show a backup's time.
std::string format_utc_seconds(TimePoint time);

}  // namespace telemetry::db::backup
