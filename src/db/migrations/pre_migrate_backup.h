#pragma once
// The verified copy made before a migration changes anything (docs/reference/schema.md §4.8).
#include <ctime>
#include <string>

#include "db/sqlite.h"

namespace telemetry::db::migrations {

// <db file>.pre-migrate-YYYYMMDD_HHMMSS.sqlite beside the database (UTC),
// with -1, -2 ... before .sqlite when the name is taken. Full path.
std::string pre_migrate_backup_path(const std::string& db_path, std::time_t now);

// The verified copy of db/backup/verified_copy.h, through "<destination>.tmp".
// Throws its Error, the message prefixed "cannot create the backup
// <destination>: "; a failed copy is deleted.
void make_verified_backup(Connection& source, const std::string& destination);

}  // namespace telemetry::db::migrations
