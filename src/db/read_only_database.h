#pragma once
// How the commands that only read the database (metrics, runs, prune --dry-run,
// ingest-buffer --dry-run) open it: read-only, so they are safe beside a running writer,
// with one way of naming what failed (error kinds, docs/architecture.md "Errors").
#include <memory>
#include <string>

#include "db/sqlite.h"
#include "util/error.h"

namespace telemetry::db {

enum class ShapeRequirement {
  kAgentRuns,  // any database with an agent_runs table
  kV7,         // the canonical shape
  kV7OrEmpty,  // the canonical shape, or no table yet (then nullptr is returned)
};

// Throws Error: kNotFound when the file does not exist, kInvalidInput when it is not
// a SQLite database or does not meet `requirement`, else the kind of the SQLite failure.
std::unique_ptr<Connection> open_for_reading(const std::string& db_path, int busy_timeout_ms,
                                             ShapeRequirement requirement);

// The same naming for a failure while reading afterwards.
Error read_failure(const SqliteError& error, const std::string& db_path);

}  // namespace telemetry::db
