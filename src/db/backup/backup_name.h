#pragma once
// Backup file names (docs/reference/configuration.md §4.3): <stem>_YYYYMMDD_HHMMSS.sqlite, where <stem> is the
// database's file name without its extension (u.sqlite -> u_...) and the time
// is the UTC time the backup started, with -1, -2, ... before .sqlite when
// taken. The stem tells whose backup it is at a glance (the .verified record
// holds the full source path); a database named telemetry.sqlite gets the
// telemetry_<time>.sqlite names that every backup had before stems existed.
// A backup's age is the time in its name, so the name is the only record of it.
#include <chrono>
#include <optional>
#include <string>

namespace telemetry::db::backup {

using TimePoint = std::chrono::system_clock::time_point;

struct BackupName {
  std::string stem;  // the database's file name without extension
  TimePoint time;    // whole seconds, UTC
  int sequence = 0;  // the -N suffix, 0 when none
};

// "u" for /srv/u.sqlite: what backup names start with.
std::string database_stem(const std::string& db_path);

// "u_20260114_091502.sqlite" (sequence 0) or "u_20260114_091502-2.sqlite".
std::string backup_file_name(const std::string& stem, TimePoint time, int sequence = 0);
// Parses a name made by backup_file_name; nullopt for anything else (pre-migration
// backups, temporary files, .verified records, other files).
std::optional<BackupName> parse_backup_file_name(const std::string& name);

// The first free name in `directory` for `stem` and `time` (adds -1, -2, ... when taken).
std::string choose_backup_file_name(const std::string& directory, const std::string& stem, TimePoint time);

// "20260114_091502": the time part of backup and safety-copy names.
std::string utc_file_stamp(TimePoint time);

// "2026-01-14T09:15:02Z": how list and JSON output show a backup's time.
std::string format_utc_seconds(TimePoint time);

}  // namespace telemetry::db::backup
