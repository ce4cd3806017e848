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

// The shapes of agent_runs that docs/reference/schema.md §3.3 names.
enum class Shape {
  kEmpty,             // no telemetry table at all
  kLibraryV3,
  kLibraryV4,
  kLibraryV5,
  kLibraryV5EventId,  // library-v5 plus a nullable event_id
  kLibraryV7,
  kV6Original,
  kV6OriginalGit,
  kV6Canonical,       // the 47 columns with schema_version defaulting to 6
  kV7,                // the canonical shape, the only one `serve` writes to
  kUnknown,
};

// The name users see in messages and JSON: "empty", "library-v3", ..., "v7", "unknown".
const char* shape_name(Shape shape);
// True for the library-* shapes, whose agent_runs is keyed by run_id.
bool is_library_shape(Shape shape);

struct ShapeReport {
  Shape id = Shape::kUnknown;
  // For kUnknown: what was found (nearest known shape, missing and extra columns).
  std::string details;
};

// Classifies agent_runs per docs/reference/schema.md §3.3 (steps 1-12).
ShapeReport detect_shape(Connection& connection);

// True when event_id has a UNIQUE constraint or a UNIQUE index of its own.
bool event_id_is_unique(Connection& connection);

}  // namespace telemetry::db
