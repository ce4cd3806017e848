#pragma once
// Whose backup a file is. Several databases may share one backup folder
// (t2.sqlite and u.sqlite side by side), so retention, `backup list` and
// `backup restore` look only at the backups of the database at hand.
//
// The rule: a backup whose .verified record names a source path belongs to
// that database and to no other. A backup without one (made before records
// named their source, or unverified) belongs by its name's stem: to the
// database with that file name without extension, telemetry_<time>.sqlite to
// telemetry.sqlite. Retention deletes only backups whose record names the
// database: one attributed by name alone may be another database's, so it is
// listed and restorable but never deleted.
#include <optional>
#include <string>
#include <vector>

#include "db/backup/catalog.h"
#include "db/backup/verified_record.h"

namespace telemetry::db::backup {

// The database's absolute path with symlinks resolved: what records name.
std::string database_identity(const std::string& db_path);

enum class Belonging {
  kRecorded,  // its record names this database
  kByName,    // no source recorded; its name's stem is this database's
  kOther,     // another database's
  kUnknown,   // not named like a backup and no source recorded (a file picked by hand)
};

// `file_name` is the backup's file name; `record` its .verified record, if any.
Belonging belonging_of(const std::string& file_name, const std::optional<VerifiedRecord>& record,
                       const std::string& db_path);

// "/srv/t2.sqlite" when recorded, else "a database named t2" from the name;
// empty when neither says.
std::string describe_origin(const std::string& file_name, const std::optional<VerifiedRecord>& record);

struct DatabaseBackups {
  std::vector<BackupEntry> backups;  // this database's (kRecorded or kByName), oldest first
  std::size_t others = 0;            // backups in the folder that belong to other databases
};

// The backups in `directory` that belong to `db_path`.
DatabaseBackups backups_of_database(const std::string& directory, const std::string& db_path);

}  // namespace telemetry::db::backup
