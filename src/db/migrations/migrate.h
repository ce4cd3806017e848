#pragma once
// `telemetry migrate` from start to end (docs/reference/schema.md §4.1): lock, detect, plan,
// free-space check, verified backup, one-transaction migration, summary.
// Output is left to the caller through the callbacks.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "db/migrations/plan.h"
#include "db/migrations/sql_functions.h"
#include "db/storage_env.h"
#include "util/sqlite_settings.h"

namespace telemetry::db::migrations {

struct MigrateOptions {
  std::string db_path;
  std::string lock_file;
  int busy_timeout_ms = 30000;
  Synchronous synchronous = Synchronous::kFull;  // for the connection that writes
  bool dry_run = false;
  bool backup = true;
  // Called once the plan is known, before anything is changed.
  std::function<void(const MigrationPlan&)> on_plan;
  // Rows copied so far; empty when progress is not shown.
  ProgressCallback progress;
  // Every connection to the database is opened through it (db/storage_env.h).
  const StorageEnv* env = &StorageEnv::real();
};

struct MigrationSummary {
  std::string from;
  RowCounts rows;
  std::int64_t derived_event_ids = 0;
  std::int64_t mapped_statuses = 0;
  std::int64_t noted_rows = 0;
  std::optional<std::string> backup;  // file name, or none with --no-backup
  std::int64_t free_bytes = 0;
  bool commits_legacy_kept = false;
};

struct MigrateResult {
  enum class Outcome { kDryRun, kUpToDate, kMigrated };
  Outcome outcome = Outcome::kDryRun;
  MigrationPlan plan;
  MigrationSummary summary;  // kMigrated
};

// Throws Error (util/error.h), whose kind the command turns into the exit codes of
// docs/reference/configuration.md §7; a refused dry run also throws (kInvalidInput)
// after on_plan has shown the plan.
MigrateResult migrate_database(const MigrateOptions& options);

// The one-line summary of docs/reference/schema.md §4.10, and its JSON form.
std::string summary_line(const MigrationSummary& summary);
nlohmann::ordered_json summary_json(const MigrationSummary& summary);

}  // namespace telemetry::db::migrations
