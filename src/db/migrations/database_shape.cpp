#include "db/migrations/database_shape.h"

#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "util/ascii.h"

namespace telemetry::db::migrations {
namespace {

using NameSet = std::set<std::string>;

NameSet names_of(const std::vector<ColumnInfo>& columns) {
  NameSet names;
  for (const ColumnInfo& column : columns) names.insert(column.name);
  return names;
}

std::string describe(const NameSet& names) { return fmt::format("{}", fmt::join(names, ", ")); }

// nullopt when unrecognised.
std::optional<TableVariant> classify_run_events(const NameSet& names) {
  if (names == NameSet{"id", "run_id", "event_type", "timestamp", "payload_json"}) return TableVariant::kCanonical;
  if (names == NameSet{"id", "run_id", "event_type", "timestamp", "message", "details"}) {
    return TableVariant::kV6Original;
  }
  return std::nullopt;
}

std::optional<TableVariant> classify_commits(const NameSet& names) {
  if (names == NameSet{"commit_hash", "run_id", "agent_name", "repo", "branch", "commit_date", "author", "message",
                       "files_changed", "insertions", "deletions", "created_at"}) {
    return TableVariant::kCanonical;
  }
  if (names == NameSet{"id", "commit_hash", "repo", "branch", "author", "message", "timestamp", "metadata"}) {
    return TableVariant::kV6Original;
  }
  return std::nullopt;
}

std::optional<TableVariant> classify_schema_migrations(const std::vector<ColumnInfo>& columns) {
  const NameSet names = names_of(columns);
  if (names == NameSet{"version", "applied_at", "description"}) {
    for (const ColumnInfo& column : columns) {
      if (column.name == "applied_at" && ascii::lower(column.type) == "timestamp") return TableVariant::kV6Original;
    }
    return TableVariant::kCanonical;
  }
  if (names == NameSet{"id", "version", "description", "applied_at"}) return TableVariant::kScript;
  return std::nullopt;
}

}  // namespace

DatabaseShape detect_database_shape(Connection& connection) {
  ShapeReport runs = detect_shape(connection);
  DatabaseShape shape{runs.id, runs.details, {}};
  if (runs.id == Shape::kEmpty || runs.id == Shape::kUnknown) return shape;

  struct Other {
    const char* table;
    TableVariant* variant;
  };
  std::vector<std::string> problems;
  for (const Other& other : {Other{"run_events", &shape.others.run_events}, Other{"commits", &shape.others.commits},
                             Other{"schema_migrations", &shape.others.schema_migrations}}) {
    if (!table_exists(connection, other.table)) continue;  // kAbsent
    const std::vector<ColumnInfo> columns = table_columns(connection, other.table);
    const NameSet names = names_of(columns);
    const std::string table = other.table;
    const std::optional<TableVariant> variant = table == "run_events" ? classify_run_events(names)
                                                : table == "commits"  ? classify_commits(names)
                                                                      : classify_schema_migrations(columns);
    if (!variant) {
      problems.push_back(fmt::format("{} has unrecognised columns ({})", other.table, describe(names)));
    } else {
      *other.variant = *variant;
    }
  }
  if (!problems.empty()) {
    shape.details = fmt::format("agent_runs has the {} shape but {}", shape_name(runs.id), fmt::join(problems, "; "));
    shape.id = Shape::kUnknown;
  }
  return shape;
}

}  // namespace telemetry::db::migrations
