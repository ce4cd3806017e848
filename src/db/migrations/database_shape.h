#pragma once
// The shape of a whole database for `telemetry migrate`: the agent_runs shape
// of docs/reference/schema.md §3.3 (db/shape.h) plus the variants of the other three tables
// (§3.5). An unrecognised other table makes the whole database "unknown".
#include <string>

#include "db/shape.h"
#include "db/sqlite.h"

namespace telemetry::db::migrations {

// "canonical", "v6-original", "script" (schema_migrations only) or "absent".
struct OtherTables {
  std::string run_events = "absent";
  std::string commits = "absent";
  std::string schema_migrations = "absent";
};

struct DatabaseShape {
  std::string id;       // shape id of 3.1
  std::string details;  // for "unknown": what was found
  OtherTables others;
};

DatabaseShape detect_database_shape(Connection& connection);

// True for the shapes whose agent_runs is keyed by run_id (the library-* shapes).
bool is_library_shape(const std::string& shape_id);

}  // namespace telemetry::db::migrations
