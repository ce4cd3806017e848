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
//
// q (a prefix of event_id or run_id) is two index ranges, one on
// idx_runs_event_id and one on idx_runs_run_id, counted like the other filters
// (the sum of both). Below the break-even point its matches are collected
// first, whatever the other filters: the cost is bounded by that count. Above
// it the prefix is common, and a walk is short when its matches are spread
// over time; but ids are often made from a time or a sequence, so the matches
// of a prefix may all be old and a walk would read every newer row (the whole
// table, 0.4 s at 1,000,000 rows). So that walk stops after as many rows as
// the prefix has matches, and the matches are collected when it has not filled
// the page: never more than twice the cost of collecting.

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
const IndexShape kEventId{"idx_runs_event_id", {"event_id"}};
const IndexShape kRunId{"idx_runs_run_id", {"run_id"}};

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

Condition range(const std::string& column, const std::optional<std::string>& low, const char* low_op,
                const std::optional<std::string>& high, const char* high_op) {
  Condition c;
  if (low) append(c, {fmt::format("{} {} ?", column, low_op), {*low}});
  if (high) append(c, {fmt::format("{} {} ?", column, high_op), {*high}});
  return c;
}

// `mark` precedes every column name below: "" normally, "+" to hide the column
// from the planner (SQLite's unary plus keeps the value but no index can serve
// the term), so that q's two indexes stay the only way in. Without it SQLite
// prefers idx_runs_status for `status = ?` and reads every run of that status.
Condition created_condition(const RunFilter& filter, const std::string& mark) {
  return range(mark + "created_at", filter.created_after, ">", filter.created_before, "<");
}

Condition start_condition(const RunFilter& filter, const std::string& mark) {
  return range(mark + "start_time", filter.start_time_from, ">=", filter.start_time_to, "<=");
}

// Every filter but q, ANDed.
Condition field_conditions(const RunFilter& filter, const std::string& mark) {
  Condition where;
  for (const auto& [column, value] : {std::pair{"agent_name", &filter.agent_name}, std::pair{"status", &filter.status},
                                      std::pair{"job_type", &filter.job_type}}) {
    if (*value) append(where, {fmt::format("{}{} = ?", mark, column), {**value}});
  }
  append(where, created_condition(filter, mark));
  append(where, start_condition(filter, mark));
  return where;
}

// q on one column: an index range (see prefix_successor). Without a successor
// the range is closed by x'', an empty BLOB, which sorts after every TEXT value
// in SQLite: left open, SQLite's planner takes the range for most of the table
// and scans idx_runs_created_desc instead.
Condition prefix_condition(const std::string& column, const std::string& prefix) {
  if (auto successor = prefix_successor(prefix)) return range(column, prefix, ">=", successor, "<");
  return {fmt::format("{0} >= ? AND {0} < x''", column), {prefix}};
}

// q: one group per column, each counted through its own index.
std::vector<FilterGroup> prefix_groups(const std::string& prefix) {
  return {{&kEventId, prefix_condition("event_id", prefix)}, {&kRunId, prefix_condition("run_id", prefix)}};
}

Condition text_condition(const std::string& prefix) {
  const std::vector<FilterGroup> groups = prefix_groups(prefix);
  Condition either{fmt::format("(({}) OR ({}))", groups[0].condition.sql, groups[1].condition.sql), {}};
  for (const FilterGroup& group : groups) {
    either.values.insert(either.values.end(), group.condition.values.begin(), group.condition.values.end());
  }
  return either;
}

// The whole WHERE of a page: q's condition last.
Condition page_condition(const RunFilter& filter, const std::string& mark) {
  Condition where = field_conditions(filter, mark);
  if (filter.text) append(where, text_condition(*filter.text));
  return where;
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

// Matches of q, the sum of its two index ranges (a run matching both counts
// twice: an estimate of the rows a collect reads), counting no further than `cap`.
std::int64_t prefix_count(Connection& connection, const std::string& prefix, std::int64_t cap) {
  std::int64_t count = 0;
  for (const FilterGroup& group : prefix_groups(prefix)) {
    if (count < cap) count += bounded_count(connection, group, cap - count);
  }
  return count;
}

// The groups of plan_page: filters that may be more selective than walking
// newest first (q apart).
std::vector<FilterGroup> filter_groups(const RunFilter& filter) {
  std::vector<FilterGroup> groups;
  if (filter.status) groups.push_back({&kStatus, {"status = ?", {*filter.status}}});
  if (filter.job_type) groups.push_back({&kJobType, {"job_type = ?", {*filter.job_type}}});
  const Condition start = start_condition(filter, "");
  if (!start.sql.empty()) groups.push_back({&kStart, start});
  const Condition created = created_condition(filter, "");
  if (!created.sql.empty() && !groups.empty()) groups.push_back({&kCreated, created});
  return groups;
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

std::optional<std::string> prefix_successor(const std::string& prefix) {
  std::string successor = prefix;
  while (!successor.empty() && static_cast<unsigned char>(successor.back()) == 0xFF) successor.pop_back();
  if (successor.empty()) return std::nullopt;
  successor.back() = static_cast<char>(static_cast<unsigned char>(successor.back()) + 1);
  return successor;
}

PagePlan plan_page(Connection& connection, const RunFilter& filter) {
  const bool prefix_indexed = filter.text && index_usable(connection, kEventId) && index_usable(connection, kRunId);
  const bool created_indexed = index_usable(connection, kCreated);
  const PagePlan walk{PagePlan::Way::kIndexed, created_indexed ? kCreated.name : "", 0};
  if (!filter.text && !filter.agent_name && filter_groups(filter).empty()) return walk;

  const double rows = static_cast<double>(connection.query_int("SELECT coalesce(max(id), 0) FROM agent_runs"));
  const double wanted = static_cast<double>(filter.offset) + static_cast<double>(filter.limit);
  constexpr double kMostCounted = 200000;
  const auto sqrt_break_even = static_cast<std::int64_t>(std::clamp(std::sqrt(wanted * rows), 1000.0, kMostCounted));
  std::int64_t prefix_matches = 0;
  if (prefix_indexed) {
    prefix_matches = prefix_count(connection, *filter.text, static_cast<std::int64_t>(kMostCounted));
    if (prefix_matches < sqrt_break_even) return {PagePlan::Way::kPrefix, "", 0};
  }
  if (filter.agent_name) {
    // Ordered by an agent index already; a status filter narrows it further.
    // With a common prefix that walk is bounded like the one without an agent.
    const PagePlan::Way way = prefix_indexed ? PagePlan::Way::kWalkThenPrefix : PagePlan::Way::kIndexed;
    if (filter.status && index_usable(connection, kAgentStatusCreated)) {
      return {way, kAgentStatusCreated.name, prefix_matches};
    }
    if (index_usable(connection, kAgentCreated)) return {way, kAgentCreated.name, prefix_matches};
    return {PagePlan::Way::kIndexed, "", 0};
  }
  // Without its indexes (a v7 database from before idx_runs_run_id, until
  // `telemetry migrate`), q is a filter of unknown selectivity that a walk may
  // have to test on every row; collecting reads only the group's matches, however many.
  const std::int64_t break_even =
      filter.text && !prefix_indexed ? static_cast<std::int64_t>(rows) + 1 : sqrt_break_even;
  const std::vector<FilterGroup> groups = filter_groups(filter);
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
  if (best) return {PagePlan::Way::kIndexed, best->index->name, 0};
  if (prefix_indexed) {
    // A walk without idx_runs_created_desc sorts every row: collect instead.
    if (!created_indexed) return {PagePlan::Way::kPrefix, "", 0};
    return {PagePlan::Way::kWalkThenPrefix, kCreated.name, prefix_matches};
  }
  return walk;
}

namespace {

// The page's whole rows for `ids_sql`, an id query that binds `values`, then
// limit and offset. One statement, so the page is read from one snapshot; the
// outer query reads whole rows for the page's ids only.
std::string page_sql(const std::string& ids_sql) {
  return fmt::format("SELECT {} FROM agent_runs WHERE id IN ({}) ORDER BY created_at DESC, id DESC", select_columns(),
                     ids_sql);
}

std::string ids_sql(const std::string& index, const Condition& where) {
  return fmt::format("SELECT id FROM agent_runs{}{} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                     index.empty() ? "" : " INDEXED BY " + index, where.sql.empty() ? "" : " WHERE " + where.sql);
}

std::vector<StoredRow> read_page(Connection& connection, const std::string& sql, const Condition& where,
                                 const RunFilter& filter) {
  Statement statement(connection, sql);
  int position = 1;
  for (const std::string& value : where.values) statement.bind_text(position++, value);
  statement.bind_int(position++, filter.limit);
  statement.bind_int(position, filter.offset);
  std::vector<StoredRow> rows;
  while (statement.step()) rows.push_back(read_row(statement));
  return rows;
}

// The created_at of the walk's last row: the `rows`-th newest, read from the
// index alone; nullopt when the table has fewer rows (the walk reads them all).
std::optional<std::string> walk_floor(Connection& connection, std::int64_t rows) {
  Statement statement(connection, fmt::format("SELECT created_at FROM agent_runs INDEXED BY {} "
                                              "ORDER BY created_at DESC LIMIT 1 OFFSET ?1",
                                              kCreated.name));
  statement.bind_int(1, rows - 1);
  if (!statement.step()) return std::nullopt;
  return statement.column_text(0);
}

}  // namespace

std::string prefix_page_sql(const RunFilter& filter) {
  return page_sql(ids_sql("", page_condition(filter, "+")));
}

std::vector<StoredRow> list_runs(Connection& connection, const RunFilter& filter) {
  if (auto ids = page_ids_per_agent(connection, filter, created_condition(filter, ""))) {
    return rows_by_id(connection, *ids);
  }
  const PagePlan plan = plan_page(connection, filter);
  if (plan.way == PagePlan::Way::kIndexed) {
    const Condition where = page_condition(filter, "");
    return read_page(connection, page_sql(ids_sql(plan.index, where)), where, filter);
  }
  if (plan.way == PagePlan::Way::kWalkThenPrefix) {
    // Rows at or after the floor are a prefix of the page order, so a page
    // filled among them is the page; otherwise nothing is known about it. The
    // floor is a created_at, a range of the walk's index: of the agent's rows
    // (agent indexes) only those among the newest walk_rows are read.
    Condition where = page_condition(filter, "");
    const std::optional<std::string> floor = walk_floor(connection, plan.walk_rows);
    if (floor) append(where, {"created_at >= ?", {*floor}});
    std::vector<StoredRow> rows = read_page(connection, page_sql(ids_sql(plan.index, where)), where, filter);
    if (!floor || rows.size() == static_cast<std::size_t>(filter.limit)) return rows;
  }
  return read_page(connection, prefix_page_sql(filter), page_condition(filter, "+"), filter);
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

std::vector<std::pair<std::string, std::int64_t>> counts_by(Connection& connection, const std::string& column,
                                                            const std::optional<std::string>& created_since) {
  Statement statement(connection, fmt::format("SELECT {0}, count(*) AS n FROM agent_runs WHERE {0} IS NOT NULL{1} "
                                              "GROUP BY {0} ORDER BY n DESC, {0} ASC",
                                              column, created_since ? " AND created_at >= ?1" : ""));
  if (created_since) statement.bind_text(1, *created_since);
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
