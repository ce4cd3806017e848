#pragma once
// Carries out a MigrationPlan in one exclusive transaction (docs/reference/schema.md §4.1
// steps 8-10, §4.3-§4.7, §4.9). Any error rolls everything back.
#include <cstdint>
#include <string>

#include "db/migrations/plan.h"
#include "db/migrations/sql_functions.h"
#include "db/sqlite.h"

namespace telemetry::db::migrations {

struct ExecuteOptions {
  ProgressCounter* progress = nullptr;  // counts copied agent_runs rows when set
};

struct ExecuteResult {
  RowCounts rows;                // after the migration
  std::int64_t free_bytes = 0;   // free pages left behind, reclaimable by VACUUM
};

// The connection must have the migration functions registered and no open
// transaction. Throws Error (the SQLite failure's error_kind, kInternal when
// the verification before COMMIT fails) after rolling back; the file is then
// as before.
ExecuteResult execute_plan(Connection& connection, const MigrationPlan& plan, const ExecuteOptions& options);

}  // namespace telemetry::db::migrations
