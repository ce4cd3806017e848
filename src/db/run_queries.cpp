#include "db/run_queries.h"

#include <fmt/format.h>

#include "core/run_columns.h"
#include "core/utf8.h"

namespace telemetry::db {
namespace {

const std::string& select_columns() {
  static const std::string columns = [] {
    std::string out;
    for (int i = 0; i < kRunColumnCount; ++i) {
      if (i) out += ", ";
      out += column_name(column_at(i));
    }
    return out;
  }();
  return columns;
}

StoredRow read_row(const Statement& statement) {
  StoredRow row;
  row.reserve(kRunColumnCount);
  for (int i = 0; i < kRunColumnCount; ++i) {
    switch (statement.column_type(i)) {
      case SQLITE_NULL: row.emplace_back(nullptr); break;
      case SQLITE_INTEGER: row.emplace_back(statement.column_int(i)); break;
      case SQLITE_FLOAT: row.emplace_back(statement.column_double(i)); break;
      default: row.emplace_back(replace_invalid_utf8(statement.column_text(i))); break;
    }
  }
  return row;
}

}  // namespace

std::vector<StoredRow> list_runs(Connection& connection, const RunFilter& filter) {
  std::vector<std::string> conditions;
  std::vector<std::string> values;
  auto add = [&](const std::optional<std::string>& value, const char* condition) {
    if (!value) return;
    conditions.push_back(condition);
    values.push_back(*value);
  };
  add(filter.agent_name, "agent_name = ?");
  add(filter.status, "status = ?");
  add(filter.job_type, "job_type = ?");
  add(filter.created_before, "created_at < ?");
  add(filter.created_after, "created_at > ?");
  add(filter.start_time_from, "start_time >= ?");
  add(filter.start_time_to, "start_time <= ?");
  std::string where = conditions.empty() ? "" : " WHERE " + fmt::format("{}", fmt::join(conditions, " AND "));
  Statement statement(connection, fmt::format("SELECT {} FROM agent_runs{} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                                              select_columns(), where));
  int index = 1;
  for (const std::string& value : values) statement.bind_text(index++, value);
  statement.bind_int(index++, filter.limit);
  statement.bind_int(index, filter.offset);
  std::vector<StoredRow> rows;
  while (statement.step()) rows.push_back(read_row(statement));
  return rows;
}

std::optional<StoredRow> find_run(Connection& connection, const std::string& event_id) {
  Statement statement(connection,
                      fmt::format("SELECT {} FROM agent_runs WHERE event_id = ?1", select_columns()));
  statement.bind_text(1, event_id);
  if (!statement.step()) return std::nullopt;
  return read_row(statement);
}

std::vector<std::string> distinct_values(Connection& connection, const std::string& column) {
  // DISTINCT over an indexed column walks the index: fast on large tables.
  Statement statement(connection, fmt::format("SELECT DISTINCT {0} FROM agent_runs WHERE {0} IS NOT NULL ORDER BY {0}", column));
  std::vector<std::string> out;
  while (statement.step()) out.push_back(replace_invalid_utf8(statement.column_text(0)));
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> counts_by(Connection& connection,
                                                            const std::string& column) {
  Statement statement(connection, fmt::format(
      "SELECT {0}, count(*) AS n FROM agent_runs WHERE {0} IS NOT NULL GROUP BY {0} ORDER BY n DESC, {0} ASC", column));
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (statement.step()) out.emplace_back(replace_invalid_utf8(statement.column_text(0)), statement.column_int(1));
  return out;
}

std::int64_t count_runs(Connection& connection) {
  return connection.query_int("SELECT count(*) FROM agent_runs");
}

std::int64_t count_created_since(Connection& connection, const std::string& cutoff) {
  Statement statement(connection, "SELECT count(*) FROM agent_runs WHERE created_at >= ?1");
  statement.bind_text(1, cutoff);
  statement.step();
  return statement.column_int(0);
}

}  // namespace telemetry::db
