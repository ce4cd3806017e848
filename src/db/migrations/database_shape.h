#pragma once
// The shape of a whole database for `telemetry migrate`: the agent_runs shape
// of docs/reference/schema.md §3.3 (db/shape.h) plus the variants of the other three tables
// (§3.5). An unrecognised other table makes the whole database "unknown".
#include <string>

#include "db/shape.h"
#include "db/sqlite.h"

namespace telemetry::db::migrations {

// The variants of run_events, commits and schema_migrations (§3.5).
enum class TableVariant {
  kAbsent,
  kCanonical,
  kV6Original,
  kScript,  // schema_migrations only: the one the old migration script made
};

struct OtherTables {
  TableVariant run_events = TableVariant::kAbsent;
  TableVariant commits = TableVariant::kAbsent;
  TableVariant schema_migrations = TableVariant::kAbsent;
};

struct DatabaseShape {
  Shape id = Shape::kUnknown;  // of agent_runs (db/shape.h), or kUnknown for an unrecognised other table
  std::string details;         // for kUnknown: what was found
  OtherTables others;
};

DatabaseShape detect_database_shape(Connection& connection);

}  // namespace telemetry::db::migrations
