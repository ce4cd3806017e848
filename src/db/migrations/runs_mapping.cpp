#include "db/migrations/runs_mapping.h"

#include <fmt/format.h>

#include "core/run_columns.h"
#include "db/migrations/database_shape.h"
#include "db/shape.h"

namespace telemetry::db::migrations {
namespace {

std::string quote_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out + "'";
}

std::string clamp(const std::string& column) {
  return fmt::format("CASE WHEN {0} < 0 THEN 0 ELSE {0} END", column);
}

}  // namespace

bool RunsSource::library() const { return is_library_shape(shape); }

RunsSource read_runs_source(Connection& connection, Shape shape) {
  RunsSource source{shape, {}};
  for (const ColumnInfo& column : table_columns(connection, "agent_runs")) source.columns.insert(column.name);
  return source;
}

const std::vector<std::string>& clamped_counters() {
  static const std::vector<std::string> counters = {"items_discovered", "items_succeeded", "items_failed",
                                                    "items_skipped", "duration_ms", "api_retry_count"};
  return counters;
}

void collect_replaced_event_ids(Connection& connection) {
  connection.exec(
      "CREATE TEMP TABLE IF NOT EXISTS migrate_replaced_event_ids (rid INTEGER PRIMARY KEY);"
      "DELETE FROM temp.migrate_replaced_event_ids;"
      "INSERT INTO temp.migrate_replaced_event_ids (rid)"
      " SELECT rid FROM (SELECT rowid AS rid, row_number() OVER (PARTITION BY event_id ORDER BY rowid) AS n"
      "                  FROM main.agent_runs WHERE event_id IS NOT NULL) WHERE n > 1;");
}

std::string needs_derived_event_id_sql(const RunsSource& source) {
  if (!source.has("event_id")) return "1";
  return "(event_id IS NULL OR rowid IN (SELECT rid FROM temp.migrate_replaced_event_ids))";
}

std::string derived_name_sql(const RunsSource& source) {
  if (source.library()) return "'telemetry:run_id:' || coalesce(run_id, 'legacy-rowid-' || rowid)";
  return "'telemetry:id:' || id";
}

std::vector<std::pair<std::string, std::string>> note_conditions(const RunsSource& source) {
  std::vector<std::pair<std::string, std::string>> conditions;
  if (source.has("event_id")) {
    conditions.emplace_back("event_id", "rowid IN (SELECT rid FROM temp.migrate_replaced_event_ids)");
  }
  for (const char* column : {"run_id", "created_at", "job_type", "status"}) {
    if (source.has(column)) conditions.emplace_back(column, fmt::format("{} IS NULL", column));
  }
  for (const std::string& counter : clamped_counters()) {
    if (source.has(counter)) conditions.emplace_back(counter, fmt::format("{} < 0", counter));
  }
  return conditions;
}

std::string any_note_sql(const RunsSource& source) {
  std::vector<std::string> parts;
  for (const auto& [column, condition] : note_conditions(source)) parts.push_back("(" + condition + ")");
  return parts.empty() ? "0" : fmt::format("({})", fmt::join(parts, " OR "));
}

std::string copy_runs_sql(const RunsSource& source, const std::string& target, bool count_progress) {
  std::vector<std::string> names, values;
  for (int i = 0; i < kRunColumnCount; ++i) {
    const RunColumn column = column_at(i);
    const std::string name = column_name(column);
    names.push_back(name);
    const bool has = source.has(name);
    std::string value;
    switch (column) {
      case RunColumn::id:
        // NULL lets AUTOINCREMENT assign 1, 2, 3 ... in the copy's rowid order.
        value = has ? "id" : "NULL";
        break;
      case RunColumn::event_id: {
        std::string derived = fmt::format("telemetry_event_id({})", derived_name_sql(source));
        value = has ? fmt::format("CASE WHEN {} THEN {} ELSE event_id END", needs_derived_event_id_sql(source), derived)
                    : derived;
        break;
      }
      case RunColumn::run_id: value = "coalesce(run_id, 'legacy-rowid-' || rowid)"; break;
      case RunColumn::schema_version: value = has ? name : "6"; break;
      case RunColumn::created_at: value = "coalesce(created_at, start_time)"; break;
      case RunColumn::job_type: value = "coalesce(job_type, '')"; break;
      case RunColumn::status:
        value = "CASE WHEN status IS NULL THEN 'running' ELSE telemetry_status(status) END";
        break;
      case RunColumn::items_skipped: value = has ? clamp(name) : "0"; break;
      case RunColumn::items_discovered:
      case RunColumn::items_succeeded:
      case RunColumn::items_failed:
      case RunColumn::duration_ms:
      case RunColumn::api_retry_count:
        value = has ? clamp(name) : "NULL";
        break;
      case RunColumn::context_json: {
        std::string arguments =
            fmt::format("{}, {}", has ? "context_json" : "NULL", quote_literal(shape_name(source.shape)));
        for (const auto& [noted, condition] : note_conditions(source)) {
          arguments += fmt::format(", '{}', {}, {}", noted, condition, noted);
        }
        value = fmt::format("CASE WHEN {} THEN telemetry_migrate_note({}) ELSE {} END", any_note_sql(source),
                            arguments, has ? "context_json" : "NULL");
        break;
      }
      default: value = has ? name : "NULL"; break;
    }
    values.push_back(value);
  }
  return fmt::format("INSERT INTO {} ({}) SELECT {} FROM main.agent_runs{} ORDER BY rowid", target,
                     fmt::join(names, ", "), fmt::join(values, ",\n  "),
                     count_progress ? " WHERE telemetry_progress()" : "");
}

}  // namespace telemetry::db::migrations
