#include "db/run_queries.h"

#include <algorithm>
#include <cmath>

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

namespace {

// --- Choosing how to find one page of GET /api/v1/runs --------------------------------------
//
// The page is ordered by created_at DESC, id DESC, and the canonical indexes
// (docs/reference/schema.md §1.3) give that order only for "no filter" (idx_runs_created_desc)
// and for agent_name[, status] (idx_runs_agent_created, idx_runs_agent_status_created).
// For the other filters there are two ways, and SQLite cannot tell which is
// cheaper without statistics (it always picks the second):
//   walk:    read rows newest first and keep the matching ones; costs about
//            (offset + limit) * rows / matches row reads;
//   collect: read every match through the filter's own index and sort them;
//            costs about `matches` row reads.
// So we count the matches of each filter through its index, stopping at the
// break-even point sqrt((offset + limit) * rows), and collect through the most
// selective index when one stays below it, else walk. Counting reads index
// entries only. Both ways first select ids alone (covering the index where
// possible), so skipped rows (offset) are never read whole.

}  // namespace

// True when `index` exists on agent_runs with these leading columns, BINARY
// collation. serve accepts databases with missing or different indexes
// (docs/reference/schema.md §2.2), so nothing below may name an index without checking.
bool index_usable(Connection& connection, const IndexShape& index) {
  Statement info(connection, fmt::format("PRAGMA index_xinfo(\"{}\")", index.name));
  std::size_t position = 0;
  while (info.step() && position < index.columns.size()) {
    // index_xinfo: seqno, cid, name, desc, coll, key
    if (info.column_is_null(2) || info.column_text(2) != index.columns[position]) return false;
    if (info.column_text(4) != "BINARY") return false;
    ++position;
  }
  if (position != index.columns.size()) return false;
  Statement owner(connection, "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?1");
  owner.bind_text(1, index.name);
  return owner.step() && owner.column_text(0) == "agent_runs";
}

namespace {

const IndexShape kCreated{"idx_runs_created_desc", {"created_at"}};
const IndexShape kAgentCreated{"idx_runs_agent_created", {"agent_name", "created_at"}};
const IndexShape kAgentStatusCreated{"idx_runs_agent_status_created", {"agent_name", "status", "created_at"}};
const IndexShape kStatus{"idx_runs_status", {"status"}};
const IndexShape kJobType{"idx_runs_job_type", {"job_type"}};
const IndexShape kStart{"idx_runs_start", {"start_time"}};

struct Condition {
  std::string sql;
  std::vector<std::string> values;
};

// The filter conditions of one column, for counting through that column's index.
struct FilterGroup {
  const IndexShape* index;
  Condition condition;
};

void append(Condition& to, const Condition& from) {
  if (from.sql.empty()) return;
  to.sql += to.sql.empty() ? from.sql : " AND " + from.sql;
  to.values.insert(to.values.end(), from.values.begin(), from.values.end());
}

Condition range(const char* column, const std::optional<std::string>& low, const char* low_op,
                const std::optional<std::string>& high, const char* high_op) {
  Condition c;
  if (low) append(c, {fmt::format("{} {} ?", column, low_op), {*low}});
  if (high) append(c, {fmt::format("{} {} ?", column, high_op), {*high}});
  return c;
}

// Matches of `group` through its index, counting no further than `cap`.
std::int64_t bounded_count(Connection& connection, const FilterGroup& group, std::int64_t cap) {
  Statement statement(connection,
                      fmt::format("SELECT count(*) FROM (SELECT 1 FROM agent_runs INDEXED BY {} WHERE {} LIMIT ?)",
                                  group.index->name, group.condition.sql));
  int index = 1;
  for (const std::string& value : group.condition.values) statement.bind_text(index++, value);
  statement.bind_int(index, cap);
  statement.step();
  return statement.column_int(0);
}

// "INDEXED BY x" for the page's id query, or "" to leave the choice to SQLite.
std::string choose_index(Connection& connection, const RunFilter& filter, const std::vector<FilterGroup>& groups) {
  if (filter.agent_name) {
    // Ordered by an agent index already; a status filter narrows it further.
    if (filter.status && index_usable(connection, kAgentStatusCreated)) return kAgentStatusCreated.name;
    if (index_usable(connection, kAgentCreated)) return kAgentCreated.name;
    return "";
  }
  if (groups.empty()) return index_usable(connection, kCreated) ? kCreated.name : "";
  const double rows = static_cast<double>(connection.query_int("SELECT coalesce(max(id), 0) FROM agent_runs"));
  const double wanted = static_cast<double>(filter.offset) + static_cast<double>(filter.limit);
  // Free text matches are rare and unknown in advance, so a walk may read the
  // whole table; collecting reads only the group's matches, however many.
  const std::int64_t break_even =
      filter.text ? static_cast<std::int64_t>(rows) + 1
                  : static_cast<std::int64_t>(std::clamp(std::sqrt(wanted * rows), 1000.0, 200000.0));
  const FilterGroup* best = nullptr;
  std::int64_t best_count = break_even;
  for (const FilterGroup& group : groups) {
    if (!index_usable(connection, *group.index)) continue;
    const std::int64_t count = bounded_count(connection, group, best_count);
    if (count < best_count) {
      best = &group;
      best_count = count;
    }
  }
  if (best) return best->index->name;
  return index_usable(connection, kCreated) ? kCreated.name : "";
}

// status (and created_at) without agent_name: idx_runs_agent_status_created
// holds (agent_name, status, created_at, id), so one range per agent gives that
// agent's matches newest first without reading a row. Taking offset + limit
// from each agent and merging them gives the page exactly, in
// agents * (offset + limit) index entries, whatever the status's share (a 1%
// status costs a walk 100 row reads per result). nullopt when the plan does
// not apply or would read more than `budget` entries.
std::optional<std::vector<std::int64_t>> page_ids_per_agent(Connection& connection, const RunFilter& filter,
                                                            const Condition& created) {
  constexpr double kBudget = 200000;
  if (!filter.status || filter.agent_name || filter.job_type || filter.start_time_from || filter.start_time_to ||
      filter.text) {
    return std::nullopt;
  }
  if (!index_usable(connection, kAgentStatusCreated)) return std::nullopt;
  std::vector<std::optional<std::string>> agents;
  for (std::string& agent : distinct_values(connection, "agent_name")) agents.emplace_back(std::move(agent));
  agents.emplace_back(std::nullopt);  // rows without an agent, should an older tool have written any
  const double wanted = static_cast<double>(filter.offset) + static_cast<double>(filter.limit);
  if (wanted * static_cast<double>(agents.size()) > kBudget) return std::nullopt;

  const std::string created_sql = created.sql.empty() ? "" : " AND " + created.sql;
  Statement by_agent(connection, fmt::format(
      "SELECT created_at, id FROM agent_runs INDEXED BY {} WHERE agent_name = ?1 AND status = ?2{} "
      "ORDER BY created_at DESC, id DESC LIMIT ?",
      kAgentStatusCreated.name, created_sql));
  Statement without_agent(connection, fmt::format(
      "SELECT created_at, id FROM agent_runs WHERE agent_name IS NULL AND status = ?2{} "
      "ORDER BY created_at DESC, id DESC LIMIT ?",
      created_sql));
  struct Key {
    std::string created_at;
    std::int64_t id;
  };
  std::vector<Key> keys;
  for (const auto& agent : agents) {
    Statement& statement = agent ? by_agent : without_agent;
    statement.reset();
    if (agent) statement.bind_text(1, *agent);
    statement.bind_text(2, *filter.status);
    int position = 3;
    for (const std::string& value : created.values) statement.bind_text(position++, value);
    statement.bind_int(position, static_cast<std::int64_t>(wanted));
    while (statement.step()) keys.push_back({statement.column_text(0), statement.column_int(1)});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  std::vector<std::int64_t> ids;
  for (std::size_t i = static_cast<std::size_t>(filter.offset);
       i < keys.size() && ids.size() < static_cast<std::size_t>(filter.limit); ++i) {
    ids.push_back(keys[i].id);
  }
  return ids;
}

std::vector<StoredRow> rows_by_id(Connection& connection, const std::vector<std::int64_t>& ids) {
  std::string list = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + std::to_string(ids[i]);
  list += "]";
  Statement statement(connection, fmt::format(
      "SELECT {} FROM agent_runs WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY created_at DESC, id DESC",
      select_columns()));
  statement.bind_text(1, list);
  std::vector<StoredRow> rows;
  while (statement.step()) rows.push_back(read_row(statement));
  return rows;
}

}  // namespace

std::vector<StoredRow> list_runs(Connection& connection, const RunFilter& filter) {
  Condition where;
  append(where, filter.agent_name ? Condition{"agent_name = ?", {*filter.agent_name}} : Condition{});
  append(where, filter.status ? Condition{"status = ?", {*filter.status}} : Condition{});
  append(where, filter.job_type ? Condition{"job_type = ?", {*filter.job_type}} : Condition{});
  const Condition created = range("created_at", filter.created_after, ">", filter.created_before, "<");
  const Condition start = range("start_time", filter.start_time_from, ">=", filter.start_time_to, "<=");
  append(where, created);
  append(where, start);
  // Free text has no index: it narrows whatever the other filters walk or
  // collect, so its cost follows the rows those select (the dashboard always
  // sends a time range with it).
  if (filter.text) append(where, {"(instr(run_id, ?) > 0 OR instr(event_id, ?) > 0)", {*filter.text, *filter.text}});

  // Filters that may be more selective than walking newest first (see above).
  std::vector<FilterGroup> groups;
  if (filter.status) groups.push_back({&kStatus, {"status = ?", {*filter.status}}});
  if (filter.job_type) groups.push_back({&kJobType, {"job_type = ?", {*filter.job_type}}});
  if (!start.sql.empty()) groups.push_back({&kStart, start});
  if (!created.sql.empty() && !groups.empty()) groups.push_back({&kCreated, created});

  if (auto ids = page_ids_per_agent(connection, filter, created)) return rows_by_id(connection, *ids);
  const std::string index = choose_index(connection, filter, groups);
  const std::string indexed_by = index.empty() ? "" : " INDEXED BY " + index;
  const std::string where_sql = where.sql.empty() ? "" : " WHERE " + where.sql;
  // One statement, so the page is read from one snapshot; the outer query
  // reads whole rows for the page's ids only.
  Statement statement(connection, fmt::format(
      "SELECT {0} FROM agent_runs WHERE id IN ("
      "SELECT id FROM agent_runs{1}{2} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
      ") ORDER BY created_at DESC, id DESC",
      select_columns(), indexed_by, where_sql));
  int position = 1;
  for (const std::string& value : where.values) statement.bind_text(position++, value);
  statement.bind_int(position++, filter.limit);
  statement.bind_int(position, filter.offset);
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
  // A plain DISTINCT reads every index entry (a second per million rows). With
  // an index led by the column, hop from one value to the next instead: one
  // index seek per distinct value (a "loose index scan"), so the cost follows
  // the number of agents or job types, not the number of runs.
  const bool indexed = index_usable(connection, {column == "agent_name" ? "idx_runs_agent" : "idx_runs_job_type",
                                                 {column.c_str()}});
  const std::string sql = indexed
      ? fmt::format("WITH RECURSIVE hop(value) AS ("
                    "SELECT (SELECT {0} FROM agent_runs WHERE {0} IS NOT NULL ORDER BY {0} LIMIT 1) "
                    "UNION ALL "
                    "SELECT (SELECT {0} FROM agent_runs WHERE {0} > hop.value ORDER BY {0} LIMIT 1) "
                    "FROM hop WHERE hop.value IS NOT NULL) "
                    "SELECT value FROM hop WHERE value IS NOT NULL ORDER BY value",
                    column)
      : fmt::format("SELECT DISTINCT {0} FROM agent_runs WHERE {0} IS NOT NULL ORDER BY {0}", column);
  Statement statement(connection, sql);
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
