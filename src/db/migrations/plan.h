#pragma once
// What `telemetry migrate` will do to a database (docs/reference/schema.md §4.2): the shape,
// the decision for each table and index, what the agent_runs copy will map,
// backfill and note, and anything that makes the migration refuse (§4.4).
// Building a plan reads the database and changes nothing in it.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/migrations/database_shape.h"
#include "db/sqlite.h"

namespace telemetry::db::migrations {

enum class TableAction { kKeep, kCreate, kRebuild, kConvert };

struct RowCounts {
  std::int64_t agent_runs = 0;
  std::int64_t run_events = 0;
  std::int64_t commits = 0;
};

struct StatusMapping {
  std::string from;  // stored value
  std::string to;    // canonical value
  std::int64_t rows = 0;
};

// What the copy of agent_runs does to its rows (§4.4).
struct RunsAnalysis {
  std::int64_t rows = 0;
  std::int64_t derived_event_ids = 0;
  std::int64_t replaced_duplicates = 0;  // non-NULL event_ids held by an earlier row
  std::int64_t null_run_ids = 0;
  std::int64_t null_statuses = 0;
  std::int64_t null_job_types = 0;
  std::int64_t null_created_at = 0;
  std::vector<std::pair<std::string, std::int64_t>> negative_counters;
  std::vector<StatusMapping> mapped_statuses;  // lossless alias mappings
  std::int64_t mapped_status_rows = 0;
  std::int64_t noted_rows = 0;
};

struct OldIndex {
  std::string name;
  std::string sql;  // built from SQLite's description of the index, never the file's own text
};

struct DroppedIndex {
  std::string name;
  std::string reason;  // "its columns are gone", ...
};

struct MigrationPlan {
  DatabaseShape shape;
  RowCounts counts;
  std::int64_t schema_migrations_rows = 0;

  bool create_schema = false;  // shape "empty": the one step is creating 1.1
  bool up_to_date = false;     // already canonical: nothing to do
  TableAction agent_runs = TableAction::kKeep;
  TableAction run_events = TableAction::kKeep;
  TableAction commits = TableAction::kKeep;
  TableAction schema_migrations = TableAction::kKeep;
  bool keep_commits_legacy = false;  // v6-original commits with metadata (§4.6)
  std::int64_t commits_with_metadata = 0;

  std::vector<std::string> indexes_to_drop;    // canonical names defined differently on kept tables
  std::vector<std::string> indexes_to_create;  // canonical names, in 1.3 order
  std::vector<OldIndex> extra_indexes_recreated;
  std::vector<DroppedIndex> extra_indexes_dropped;
  bool add_version_row = false;

  RunsAnalysis runs;
  std::vector<std::string> refusals;  // any: exit 65, nothing changed

  // Filled by the caller.
  bool backup = true;                // false with --no-backup
  std::string backup_name;           // file name of the pre-migration backup
  std::optional<std::string> lock_note;  // dry run: who holds the lock now
};

// The connection must have the migration SQL functions registered.
MigrationPlan build_plan(Connection& connection);

}  // namespace telemetry::db::migrations
