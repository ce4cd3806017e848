#pragma once
// Whole-file checks shared by backup verification, restore and `check`.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "db/sqlite.h"

namespace telemetry::db::backup {

struct IntegrityResult {
  bool ok = false;
  std::vector<std::string> problems;  // SQLite's messages, at most the first few
};

// PRAGMA integrity_check (or quick_check when `quick`). A SqliteError raised
// while checking (SQLITE_CORRUPT, SQLITE_NOTADB) is reported as a problem;
// other errors (I/O, busy, interrupt) propagate.
IntegrityResult check_integrity(Connection& connection, bool quick, int max_problems = 10);

// Row count of every table except SQLite's own (sqlite_*), by name.
std::map<std::string, std::int64_t> table_row_counts(Connection& connection);

}  // namespace telemetry::db::backup
