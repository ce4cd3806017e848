#pragma once
// Recognising what kind of database a file holds (docs/reference/schema.md §3.3), from its
// tables and columns only, never from recorded version numbers.
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"

namespace telemetry::db {

struct ColumnInfo {
  std::string name;
  std::string type;
  bool not_null = false;
  std::optional<std::string> default_value;  // dflt_value as SQLite reports it
  int pk = 0;                                // position in the primary key, 0 if none
};

std::vector<ColumnInfo> table_columns(Connection& connection, const std::string& table);
bool table_exists(Connection& connection, const std::string& table);

struct ShapeReport {
  // "empty", "library-v3", ..., "v6-canonical", "v7" or "unknown".
  std::string id;
  // For "unknown": what was found (nearest known shape, missing and extra columns).
  std::string details;
};

// Classifies agent_runs per docs/reference/schema.md §3.3 (steps 1-12).
ShapeReport detect_shape(Connection& connection);

// True when event_id has a UNIQUE constraint or a UNIQUE index of its own.
bool event_id_is_unique(Connection& connection);

}  // namespace telemetry::db
