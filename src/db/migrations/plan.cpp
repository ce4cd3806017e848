#include "db/migrations/plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "core/status.h"
#include "db/migrations/canonical.h"
#include "db/migrations/event_id.h"
#include "db/migrations/runs_mapping.h"
#include "db/shape.h"
#include "util/ascii.h"

namespace telemetry::db::migrations {
namespace {


// Old index names that canonical indexes replace; they are not re-created (docs/reference/schema.md §4.3).
const std::set<std::string> kSupersededIndexes = {"idx_agent_runs_website", "idx_agent_runs_website_section",
                                                  "idx_commits_hash"};
constexpr int kListedOffenders = 10;

std::int64_t count_rows(Connection& connection, const std::string& table) {
  if (!table_exists(connection, table)) return 0;
  return connection.query_int("SELECT count(*) FROM main.\"" + table + "\"");
}

bool has_column(Connection& connection, const std::string& table, const std::string& column) {
  for (const ColumnInfo& info : table_columns(connection, table)) {
    if (info.name == column) return true;
  }
  return false;
}

std::string shown(const Statement& row, int index) {
  return row.column_is_null(index) ? "NULL" : "'" + row.column_text(index) + "'";
}

void analyse_statuses(Connection& connection, RunsAnalysis& runs, std::vector<std::string>& refusals) {
  Statement statuses(connection, "SELECT status, count(*) FROM main.agent_runs GROUP BY status");
  bool unmappable = false;
  while (statuses.step()) {
    if (statuses.column_is_null(0)) {
      runs.null_statuses = statuses.column_int(1);
      continue;
    }
    const std::string stored = statuses.column_text(0);
    std::optional<std::string> canonical = normalize_status(stored);
    if (!canonical) {
      unmappable = true;
    } else if (*canonical != stored) {
      runs.mapped_statuses.push_back({stored, *canonical, statuses.column_int(1)});
      runs.mapped_status_rows += statuses.column_int(1);
    }
  }
  if (!unmappable) return;
  Statement rows(connection,
                 "SELECT rowid, run_id, status FROM main.agent_runs"
                 " WHERE status IS NOT NULL AND telemetry_status(status) IS NULL ORDER BY rowid LIMIT " +
                     std::to_string(kListedOffenders));
  std::vector<std::string> listed;
  while (rows.step()) {
    listed.push_back(fmt::format("rowid {} run_id {} status {}", rows.column_int(0), shown(rows, 1), shown(rows, 2)));
  }
  refusals.push_back(fmt::format("status values that are not a canonical status even after normalisation: {}",
                                 fmt::join(listed, "; ")));
}

void analyse_runs(Connection& connection, const RunsSource& source, RunsAnalysis& runs,
                  std::vector<std::string>& refusals) {
  if (source.has("event_id")) collect_replaced_event_ids(connection);

  std::vector<std::string> sums = {"count(*)", "sum(" + needs_derived_event_id_sql(source) + ")",
                                   "sum(run_id IS NULL)", "sum(job_type IS NULL)", "sum(created_at IS NULL)",
                                   "sum(" + any_note_sql(source) + ")"};
  std::vector<std::string> counters;
  for (const std::string& counter : clamped_counters()) {
    if (!source.has(counter)) continue;
    counters.push_back(counter);
    sums.push_back(fmt::format("sum({} < 0)", counter));
  }
  Statement totals(connection, fmt::format("SELECT {} FROM main.agent_runs", fmt::join(sums, ", ")));
  totals.step();
  runs.rows = totals.column_int(0);
  runs.derived_event_ids = totals.column_int(1);
  runs.null_run_ids = totals.column_int(2);
  runs.null_job_types = totals.column_int(3);
  runs.null_created_at = totals.column_int(4);
  runs.noted_rows = totals.column_int(5);
  for (std::size_t i = 0; i < counters.size(); ++i) {
    std::int64_t negative = totals.column_int(static_cast<int>(6 + i));
    if (negative > 0) runs.negative_counters.emplace_back(counters[i], negative);
  }
  if (source.has("event_id")) {
    runs.replaced_duplicates = connection.query_int("SELECT count(*) FROM temp.migrate_replaced_event_ids");
  }
  analyse_statuses(connection, runs, refusals);

  // A note goes into context_json, which must then be NULL or a JSON object (§4.4).
  if (runs.noted_rows > 0 && source.has("context_json")) {
    Statement rows(connection, fmt::format("SELECT rowid, run_id, context_json FROM main.agent_runs WHERE {}"
                                           " AND context_json IS NOT NULL AND NOT telemetry_is_json_object(context_json)"
                                           " ORDER BY rowid LIMIT {}",
                                           any_note_sql(source), kListedOffenders));
    std::vector<std::string> listed;
    while (rows.step()) {
      listed.push_back(fmt::format("rowid {} run_id {} context_json {}", rows.column_int(0), shown(rows, 1),
                                   shown(rows, 2)));
    }
    if (!listed.empty()) {
      refusals.push_back(fmt::format("rows that need a migration note hold a context_json that is not a JSON object: {}",
                                     fmt::join(listed, "; ")));
    }
  }

  // Derived ids must not collide with kept ones or with each other (§4.4).
  std::vector<std::string> collisions;
  if (source.library() && runs.null_run_ids > 0) {
    Statement rows(connection,
                   "SELECT a.rowid FROM main.agent_runs a WHERE a.run_id IS NULL AND EXISTS"
                   " (SELECT 1 FROM main.agent_runs b WHERE b.run_id = 'legacy-rowid-' || a.rowid) ORDER BY a.rowid");
    while (rows.step() && collisions.size() < kListedOffenders) {
      collisions.push_back(fmt::format("rowid {} run_id NULL: legacy-rowid-{} already exists", rows.column_int(0),
                                       rows.column_int(0)));
    }
  }
  if (source.has("event_id") && runs.derived_event_ids > 0 && runs.derived_event_ids < runs.rows) {
    std::unordered_set<std::string> kept;
    Statement existing(connection, "SELECT event_id FROM main.agent_runs WHERE event_id IS NOT NULL");
    while (existing.step()) kept.insert(existing.column_text(0));
    Statement derived(connection, fmt::format("SELECT rowid, run_id, {} FROM main.agent_runs WHERE {} ORDER BY rowid",
                                              derived_name_sql(source),
                                              needs_derived_event_id_sql(source)));
    while (derived.step() && collisions.size() < kListedOffenders) {
      std::string id = event_id_for_name(derived.column_text(2));
      if (kept.count(id)) {
        collisions.push_back(fmt::format("rowid {} run_id {}: derived event_id {} is already used", derived.column_int(0),
                                         shown(derived, 1), id));
      }
    }
  }
  if (!collisions.empty()) {
    refusals.push_back(fmt::format("derived event_ids would not be unique: {}", fmt::join(collisions, "; ")));
  }
}

// The CREATE INDEX for an old index, rebuilt from what SQLite reports about it
// (pragma_index_list, pragma_index_xinfo) so that no SQL text stored in the
// file is ever executed. A reason instead when it cannot be rebuilt that way.
struct RebuiltIndex {
  std::optional<std::string> sql;
  std::string reason;
};

RebuiltIndex rebuild_index_sql(Connection& connection, const std::string& table, const std::string& name,
                               const std::set<std::string>& columns) {
  Statement listed(connection, "SELECT \"unique\", partial FROM pragma_index_list(?1) WHERE name=?2");
  listed.bind_text(1, table);
  listed.bind_text(2, name);
  if (!listed.step()) return {std::nullopt, "it could not be read"};
  const bool unique = listed.column_int(0) != 0;
  if (listed.column_int(1) != 0) return {std::nullopt, "it is a partial index, which is not re-created"};
  std::vector<std::string> keys;
  Statement key_columns(connection, "SELECT name, \"desc\", coll FROM pragma_index_xinfo(?1) WHERE key=1 ORDER BY seqno");
  key_columns.bind_text(1, name);
  while (key_columns.step()) {
    if (key_columns.column_is_null(0)) return {std::nullopt, "it is on an expression, which is not re-created"};
    const std::string column = key_columns.column_text(0);
    if (!columns.count(column)) return {std::nullopt, "its columns are gone"};
    const std::string collation = ascii::lower(key_columns.column_text(2));
    if (collation != "binary" && collation != "nocase" && collation != "rtrim") {
      return {std::nullopt, "it uses the collation " + key_columns.column_text(2) + ", which is not re-created"};
    }
    keys.push_back(fmt::format("{} COLLATE {}{}", quote_identifier(column), collation,
                               key_columns.column_int(1) != 0 ? " DESC" : ""));
  }
  if (keys.empty()) return {std::nullopt, "it has no columns"};
  return {fmt::format("CREATE {}INDEX main.{} ON {} ({})", unique ? "UNIQUE " : "", quote_identifier(name),
                      quote_identifier(table), fmt::join(keys, ", ")),
          ""};
}

// Indexes of a table about to be rebuilt that are neither canonical nor superseded (4.3 step 7).
void sort_old_indexes(Connection& connection, const std::string& table, MigrationPlan& plan) {
  std::set<std::string> canonical_names, columns;
  for (const CanonicalIndex& index : canonical_indexes()) canonical_names.insert(index.name);
  for (const ColumnInfo& column : canonical_columns(table)) columns.insert(column.name);
  // Only names are read from sqlite_master: an index's stored text is never re-run.
  Statement indexes(connection,
                    "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=?1 AND sql IS NOT NULL ORDER BY name");
  indexes.bind_text(1, table);
  while (indexes.step()) {
    const std::string name = indexes.column_text(0);
    if (canonical_names.count(name) || kSupersededIndexes.count(name)) continue;
    RebuiltIndex rebuilt = rebuild_index_sql(connection, table, name, columns);
    if (rebuilt.sql) {
      plan.extra_indexes_recreated.push_back({name, *rebuilt.sql});
    } else {
      plan.extra_indexes_dropped.push_back({name, rebuilt.reason});
    }
  }
}

TableAction other_table_action(TableVariant variant, const CanonicalReport& report, const std::string& table) {
  if (variant == TableVariant::kAbsent) return TableAction::kCreate;
  if (variant == TableVariant::kCanonical) {
    return report.table_differs(table) ? TableAction::kRebuild : TableAction::kKeep;
  }
  if (table == "schema_migrations") return TableAction::kRebuild;  // v6-original and script (§4.7)
  return TableAction::kConvert;                                     // v6-original run_events / commits (§4.6)
}

}  // namespace

MigrationPlan build_plan(Connection& connection) {
  MigrationPlan plan;
  plan.shape = detect_database_shape(connection);
  if (plan.shape.id == Shape::kUnknown) return plan;
  if (plan.shape.id == Shape::kEmpty) {
    plan.create_schema = true;
    plan.backup = false;  // nothing to save (§4.2)
    return plan;
  }
  plan.counts = {count_rows(connection, "agent_runs"), count_rows(connection, "run_events"),
                 count_rows(connection, "commits")};
  plan.schema_migrations_rows = count_rows(connection, "schema_migrations");

  const CanonicalReport report = check_canonical(connection);
  for (const CanonicalDifference& difference : report.differences) {
    if (difference.kind == CanonicalDifference::Kind::kViewOrTrigger) {
      plan.refusals.push_back(difference.message + "; drop it before migrating");
    }
  }
  plan.up_to_date = plan.shape.id == Shape::kV7 && report.canonical();
  if (plan.up_to_date) return plan;

  plan.agent_runs = plan.shape.id != Shape::kV7 || report.table_differs("agent_runs") ? TableAction::kRebuild
                                                                                : TableAction::kKeep;
  plan.run_events = other_table_action(plan.shape.others.run_events, report, "run_events");
  plan.commits = other_table_action(plan.shape.others.commits, report, "commits");
  plan.schema_migrations = other_table_action(plan.shape.others.schema_migrations, report, "schema_migrations");
  if (plan.commits == TableAction::kConvert) {
    plan.commits_with_metadata = connection.query_int("SELECT count(*) FROM main.commits WHERE metadata IS NOT NULL");
    plan.keep_commits_legacy = plan.commits_with_metadata > 0;
  }

  if (plan.agent_runs == TableAction::kRebuild) {
    analyse_runs(connection, read_runs_source(connection, plan.shape.id), plan.runs, plan.refusals);
  }

  const std::vector<std::string> differing = report.index_differences();
  for (const CanonicalIndex& index : canonical_indexes()) {
    TableAction action = index.table == "agent_runs" ? plan.agent_runs
                         : index.table == "run_events" ? plan.run_events
                                                       : plan.commits;
    bool rebuilt = action != TableAction::kKeep;
    bool differs = std::find(differing.begin(), differing.end(), index.name) != differing.end();
    if (rebuilt || differs) plan.indexes_to_create.push_back(index.name);
    // A canonical name defined differently is dropped first; a missing one is just created.
    if (!rebuilt && differs &&
        connection.query_int("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='" + index.name + "'") > 0) {
      plan.indexes_to_drop.push_back(index.name);
    }
  }
  if (plan.agent_runs == TableAction::kRebuild) sort_old_indexes(connection, "agent_runs", plan);
  if (plan.run_events == TableAction::kRebuild || plan.run_events == TableAction::kConvert) {
    sort_old_indexes(connection, "run_events", plan);
  }
  if (plan.commits == TableAction::kRebuild || (plan.commits == TableAction::kConvert && !plan.keep_commits_legacy)) {
    sort_old_indexes(connection, "commits", plan);
  }

  plan.add_version_row = !table_exists(connection, "schema_migrations") ||
                         !has_column(connection, "schema_migrations", "version") ||
                         connection.query_int("SELECT count(*) FROM main.schema_migrations WHERE version = 7") == 0;

  const std::string quick_check = connection.query_text("PRAGMA quick_check");
  if (quick_check != "ok") plan.refusals.push_back("PRAGMA quick_check failed: " + quick_check);
  return plan;
}

}  // namespace telemetry::db::migrations
