#pragma once
// The verified copy made before a migration changes anything (docs/reference/schema.md §4.8).
#include <ctime>
#include <string>

#include "db/sqlite.h"

namespace telemetry::db::migrations {

// <db file>.pre-migrate-YYYYMMDD_HHMMSS.sqlite beside the database (UTC),
// with -1, -2 ... before .sqlite when the name is taken. Full path.
std::string pre_migrate_backup_path(const std::string& db_path, std::time_t now);

// Copies `source` with the online backup API into a temporary name, checks
// integrity_check and the row count of every table, fsyncs, renames to
// `destination`, fsyncs the directory. Throws CommandError 73 (cannot create)
// or 74 (I/O, verification failed); a failed copy is deleted.
void make_verified_backup(Connection& source, const std::string& destination);

}  // namespace telemetry::db::migrations
