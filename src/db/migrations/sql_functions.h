#pragma once
// SQL functions the migration's INSERT ... SELECT statements call, so that
// a million rows are copied inside SQLite without a round trip per row:
//   telemetry_status(x)            normalize_status (core/status.h); NULL when unmappable
//   telemetry_event_id(name)       UUIDv5 of name (event_id.h)
//   telemetry_is_json_object(x)    1 when x parses as a JSON object
//   telemetry_migrate_note(context_json, from, column, changed, original, ...)
//                                  context_json with the note of docs/reference/schema.md §4.5 when
//                                  any `changed` is true
//   telemetry_progress()           always 1; counts rows for the progress display
#include <cstdint>
#include <functional>

#include "db/sqlite.h"

namespace telemetry::db::migrations {

// Called with the number of rows seen so far, every few thousand rows.
using ProgressCallback = std::function<void(std::int64_t rows)>;

struct ProgressCounter {
  ProgressCallback callback;  // may be empty (not a terminal)
  std::int64_t rows = 0;      // rows counted by telemetry_progress() so far
};

// `progress` must outlive the connection's use of telemetry_progress().
void register_migration_functions(Connection& connection, ProgressCounter* progress = nullptr);

}  // namespace telemetry::db::migrations
