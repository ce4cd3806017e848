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
  // Test hook (TELEMETRY_MIGRATE_FAIL_AFTER_STEP): fail on purpose after this
  // many steps, before COMMIT, to prove that a failure leaves the file as it was.
  int fail_after_step = 0;
};

struct ExecuteResult {
  RowCounts rows;                // after the migration
  std::int64_t free_bytes = 0;   // free pages left behind, reclaimable by VACUUM
  int steps = 0;                 // steps carried out
};

// The connection must have the migration functions registered and no open
// transaction. Throws Error (the SQLite failure's error_kind, kInternal when
// the verification before COMMIT fails) after rolling back; the file is then
// as before.
ExecuteResult execute_plan(Connection& connection, const MigrationPlan& plan, const ExecuteOptions& options);

}  // namespace telemetry::db::migrations
