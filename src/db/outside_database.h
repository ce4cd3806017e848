#pragma once
// Databases that come from outside: the file given to `migrate`, `check` and
// `backup restore` (and the copy restore makes of it) may have been crafted.
// Such a file is opened with SQLite's defensive settings, so that opening and
// reading it cannot run code stored in it:
//   SQLITE_DBCONFIG_DEFENSIVE       no corrupting writes to the schema or pages
//   SQLITE_DBCONFIG_TRUSTED_SCHEMA  off: functions with side effects are not
//                                   run from the schema (CHECK, defaults, indexes)
//   SQLITE_DBCONFIG_ENABLE_TRIGGER  off: the file's triggers never fire
//   SQLITE_DBCONFIG_ENABLE_VIEW     off: the file's views are never expanded
// The project's own schema has neither triggers nor views, and SQL text read
// from such a file is never executed: what is created comes from schema/*.sql
// built into the binary.
#include <memory>
#include <string>

#include "db/sqlite.h"

namespace telemetry::db {

// Applies the settings above to an open connection (throws SqliteError when
// SQLite refuses one).
void harden_connection(Connection& connection);

// A connection to `path` with harden_connection applied. Throws SqliteError
// as the Connection constructor does.
std::unique_ptr<Connection> open_outside_database(const std::string& path, Connection::Mode mode,
                                                  int busy_timeout_ms, const StorageEnv& env = StorageEnv::real());

}  // namespace telemetry::db
