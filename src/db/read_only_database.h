#pragma once
// How the commands that only read the database (metrics, runs, prune --dry-run,
// ingest-buffer --dry-run) open it: read-only, so they are safe beside a running writer,
// with one mapping of the failures to exit codes (docs/reference/configuration.md §7).
#include <memory>
#include <string>

#include "db/sqlite.h"
#include "util/command_error.h"

namespace telemetry::db {

enum class ShapeRequirement {
  kAgentRuns,  // any database with an agent_runs table
  kV7,         // the canonical shape
  kV7OrEmpty,  // the canonical shape, or no table yet (then nullptr is returned)
};

// Throws CommandError: 66 when the file does not exist, 65 when it is not a SQLite
// database or does not meet `requirement`, else the code db::exit_code_for gives.
std::unique_ptr<Connection> open_for_reading(const std::string& db_path, int busy_timeout_ms,
                                             ShapeRequirement requirement);

// The same mapping for a failure while reading afterwards.
CommandError read_failure(const SqliteError& error, const std::string& db_path);

}  // namespace telemetry::db
