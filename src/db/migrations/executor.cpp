#include "db/migrations/executor.h"

#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "db/migrations/canonical.h"
#include "db/migrations/runs_mapping.h"
#include "db/schema.h"
#include "db/shape.h"
#include "util/error.h"

namespace telemetry::db::migrations {
namespace {

std::optional<std::int64_t> sequence_of(Connection& connection, const std::string& table) {
  if (!table_exists(connection, "sqlite_sequence")) return std::nullopt;
  Statement statement(connection, "SELECT seq FROM sqlite_sequence WHERE name=?1");
  statement.bind_text(1, table);
  if (!statement.step()) return std::nullopt;
  return statement.column_int(0);
}

// The AUTOINCREMENT high-water mark never goes down (1.5, 4.3 step 6).
void restore_sequence(Connection& connection, const std::string& table, std::optional<std::int64_t> old_value) {
  std::int64_t max_id = connection.query_int("SELECT coalesce(max(id), 0) FROM main." + table);
  std::int64_t value = std::max(old_value.value_or(0), max_id);
  if (value == 0 && !sequence_of(connection, table)) return;
  Statement update(connection, "UPDATE sqlite_sequence SET seq=?2 WHERE name=?1");
  update.bind_text(1, table);
  update.bind_int(2, value);
  update.step();
  if (connection.changes() == 0) {
    Statement insert(connection, "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)");
    insert.bind_text(1, table);
    insert.bind_int(2, value);
    insert.step();
  }
}

// The last part of the 4.3 pattern: the new table takes the canonical name.
void replace_table(Connection& connection, const std::string& table, const std::string& keep_old_as = "") {
  if (keep_old_as.empty()) {
    connection.exec("DROP TABLE main." + table);
  } else {
    connection.exec(fmt::format("ALTER TABLE main.{} RENAME TO {}", table, keep_old_as));
  }
  connection.exec(fmt::format("ALTER TABLE main.{}_v7_new RENAME TO {}", table, table));
}

std::vector<std::string> shared_columns(Connection& connection, const std::string& table) {
  std::set<std::string> old_names;
  for (const ColumnInfo& column : table_columns(connection, table)) old_names.insert(column.name);
  std::vector<std::string> names;
  for (const ColumnInfo& column : canonical_columns(table)) {
    if (old_names.count(column.name)) names.push_back(column.name);
  }
  return names;
}

void copy_shared_columns(Connection& connection, const std::string& table) {
  std::vector<std::string> names = shared_columns(connection, table);
  connection.exec(fmt::format("INSERT INTO main.{0}_v7_new ({1}) SELECT {1} FROM main.{0} ORDER BY rowid", table,
                              fmt::join(names, ", ")));
}

void migrate_agent_runs(Connection& connection, const MigrationPlan& plan, const ExecuteOptions& options) {
  const RunsSource source = read_runs_source(connection, plan.shape.id);
  const std::optional<std::int64_t> sequence = sequence_of(connection, "agent_runs");
  if (source.has("event_id")) collect_replaced_event_ids(connection);
  connection.exec(canonical_create_table("agent_runs", "agent_runs_v7_new"));
  connection.exec(copy_runs_sql(source, "main.agent_runs_v7_new", options.progress != nullptr));
  replace_table(connection, "agent_runs");
  restore_sequence(connection, "agent_runs", sequence);
}

void migrate_run_events(Connection& connection, TableAction action) {
  if (action == TableAction::kCreate) return connection.exec(canonical_create_table("run_events", "run_events"));
  const std::optional<std::int64_t> sequence = sequence_of(connection, "run_events");
  connection.exec(canonical_create_table("run_events", "run_events_v7_new"));
  if (action == TableAction::kConvert) {
    // docs/reference/schema.md §4.6: message and details become one compact JSON object.
    connection.exec(
        "INSERT INTO main.run_events_v7_new (id, run_id, event_type, timestamp, payload_json)"
        " SELECT id, run_id, event_type, coalesce(timestamp, ''),"
        "        CASE WHEN message IS NULL AND details IS NULL THEN NULL"
        "             ELSE json_object('message', message, 'details', details) END"
        " FROM main.run_events ORDER BY rowid");
  } else {
    copy_shared_columns(connection, "run_events");
  }
  replace_table(connection, "run_events");
  restore_sequence(connection, "run_events", sequence);
}

void migrate_commits(Connection& connection, const MigrationPlan& plan) {
  if (plan.commits == TableAction::kCreate) return connection.exec(canonical_create_table("commits", "commits"));
  connection.exec(canonical_create_table("commits", "commits_v7_new"));
  if (plan.commits == TableAction::kConvert) {
    connection.exec(
        "INSERT INTO main.commits_v7_new (commit_hash, repo, branch, commit_date, author, message)"
        " SELECT commit_hash, repo, branch, timestamp, author, message FROM main.commits ORDER BY rowid");
  } else {
    copy_shared_columns(connection, "commits");
  }
  replace_table(connection, "commits", plan.keep_commits_legacy ? "commits_legacy_v6" : "");
}

// docs/reference/schema.md §4.7: one row per version, earliest applied_at, distinct descriptions in applied_at order.
void migrate_schema_migrations(Connection& connection, TableAction action) {
  if (action == TableAction::kCreate) {
    return connection.exec(canonical_create_table("schema_migrations", "schema_migrations"));
  }
  struct Group {
    std::optional<std::string> applied_at;
    std::vector<std::string> descriptions;
  };
  std::map<std::int64_t, Group> groups;
  {
    Statement rows(connection,
                   "SELECT version, applied_at, description FROM main.schema_migrations"
                   " ORDER BY applied_at IS NULL, applied_at, rowid");
    while (rows.step()) {
      Group& group = groups[rows.column_int(0)];
      if (!group.applied_at && !rows.column_is_null(1)) group.applied_at = rows.column_text(1);
      if (rows.column_is_null(2)) continue;
      std::string description = rows.column_text(2);
      if (std::find(group.descriptions.begin(), group.descriptions.end(), description) == group.descriptions.end()) {
        group.descriptions.push_back(std::move(description));
      }
    }
  }
  connection.exec(canonical_create_table("schema_migrations", "schema_migrations_v7_new"));
  Statement insert(connection,
                   "INSERT INTO main.schema_migrations_v7_new (version, applied_at, description) VALUES (?1, ?2, ?3)");
  for (const auto& [version, group] : groups) {
    insert.reset();
    insert.bind_int(1, version);
    group.applied_at ? insert.bind_text(2, *group.applied_at) : insert.bind_null(2);
    group.descriptions.empty() ? insert.bind_null(3)
                               : insert.bind_text(3, fmt::format("{}", fmt::join(group.descriptions, " | ")));
    insert.step();
  }
  replace_table(connection, "schema_migrations");
}

void create_indexes(Connection& connection, const MigrationPlan& plan) {
  for (const std::string& name : plan.indexes_to_drop) connection.exec("DROP INDEX IF EXISTS main." + name);
  for (const CanonicalIndex& index : canonical_indexes()) {
    if (std::find(plan.indexes_to_create.begin(), plan.indexes_to_create.end(), index.name) ==
        plan.indexes_to_create.end()) {
      continue;
    }
    // A canonical name may still be taken by an index on another table.
    connection.exec("DROP INDEX IF EXISTS main." + index.name);
    connection.exec(index.sql);
  }
  for (const OldIndex& index : plan.extra_indexes_recreated) connection.exec(index.sql);
}

RowCounts count_rows(Connection& connection) {
  return {connection.query_int("SELECT count(*) FROM main.agent_runs"),
          connection.query_int("SELECT count(*) FROM main.run_events"),
          connection.query_int("SELECT count(*) FROM main.commits")};
}

// docs/reference/schema.md §4.9: every check must hold before COMMIT.
void verify(Connection& connection, const MigrationPlan& plan) {
  std::vector<std::string> problems;
  const std::string quick_check = connection.query_text("PRAGMA quick_check");
  if (quick_check != "ok") problems.push_back("quick_check: " + quick_check);
  const RowCounts after = count_rows(connection);
  if (!plan.create_schema && (after.agent_runs != plan.counts.agent_runs || after.run_events != plan.counts.run_events ||
                              after.commits != plan.counts.commits)) {
    problems.push_back(fmt::format("row counts changed: agent_runs {} -> {}, run_events {} -> {}, commits {} -> {}",
                                   plan.counts.agent_runs, after.agent_runs, plan.counts.run_events, after.run_events,
                                   plan.counts.commits, after.commits));
  }
  for (const CanonicalDifference& difference : check_canonical(connection).differences) {
    problems.push_back("not canonical: " + difference.message);
  }
  Statement ids(connection, "SELECT count(*), count(event_id), count(DISTINCT event_id) FROM main.agent_runs");
  ids.step();
  if (ids.column_int(1) != ids.column_int(0) || ids.column_int(2) != ids.column_int(0)) {
    problems.push_back(fmt::format("event_id: {} rows, {} non-NULL, {} distinct", ids.column_int(0), ids.column_int(1),
                                   ids.column_int(2)));
  }
  if (!problems.empty()) {
    throw Error(ErrorKind::kInternal,
                fmt::format("verification before COMMIT failed; rolled back, the database is unchanged: {}",
                            fmt::join(problems, "; ")));
  }
}

}  // namespace

ExecuteResult execute_plan(Connection& connection, const MigrationPlan& plan, const ExecuteOptions& options) {
  ExecuteResult result;
  try {
    connection.exec("PRAGMA foreign_keys=OFF");
    Transaction transaction(connection, "BEGIN EXCLUSIVE");
    if (plan.create_schema) {
      connection.exec(schema_v7_sql());
    } else {
      if (plan.agent_runs == TableAction::kRebuild) migrate_agent_runs(connection, plan, options);
      if (plan.run_events != TableAction::kKeep) migrate_run_events(connection, plan.run_events);
      if (plan.commits != TableAction::kKeep) migrate_commits(connection, plan);
      if (plan.schema_migrations != TableAction::kKeep) migrate_schema_migrations(connection, plan.schema_migrations);
      if (plan.add_version_row) {
        Statement insert(connection, "INSERT INTO main.schema_migrations (version, description) VALUES (7, ?1)");
        insert.bind_text(1, std::string("Schema v7: migrated by telemetry from ") + shape_name(plan.shape.id));
        insert.step();
      }
      create_indexes(connection, plan);
    }
    verify(connection, plan);
    result.rows = count_rows(connection);
    transaction.commit();
  } catch (const SqliteError& error) {
    throw Error(error_kind(error),
                fmt::format("migration failed and was rolled back; the database is unchanged: {}", error.what()));
  }
  result.free_bytes = connection.query_int("PRAGMA freelist_count") * connection.query_int("PRAGMA page_size");
  return result;
}

}  // namespace telemetry::db::migrations
