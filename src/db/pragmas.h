#pragma once
// Switching a connection's journal mode and synchronous level, and reading back what is
// in force: SQLite may keep another journal mode (WAL where the file system cannot share
// memory, or an in-memory database's MEMORY), and callers report the one in force.
#include "db/sqlite.h"
#include "util/sqlite_settings.h"

namespace telemetry::db {

// Asks for `wanted`; returns the mode in force afterwards.
JournalMode set_journal_mode(Connection& connection, JournalMode wanted);
JournalMode journal_mode_in_force(Connection& connection);

// Sets the level for this connection (it is not stored in the file); returns the level in force.
Synchronous set_synchronous(Connection& connection, Synchronous level);

}  // namespace telemetry::db
