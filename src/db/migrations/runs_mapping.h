#pragma once
// The column mapping of docs/reference/schema.md §4.4 for agent_runs, as SQL over the source
// table: the expressions of the copy, and the conditions the plan counts.
#include <set>
#include <string>
#include <vector>

#include "db/shape.h"
#include "db/sqlite.h"

namespace telemetry::db::migrations {

struct RunsSource {
  Shape shape = Shape::kUnknown;  // (3.3), named in notes
  std::set<std::string> columns;  // column names of the source agent_runs
  bool has(const std::string& column) const { return columns.count(column) > 0; }
  bool library() const;           // keyed by run_id: derived names use run_id
};

RunsSource read_runs_source(Connection& connection, Shape shape);

// Counters clamped to 0 when negative (with a note), in canonical order.
const std::vector<std::string>& clamped_counters();

// Fills temp.migrate_replaced_event_ids with the rowids whose non-NULL
// event_id is already held by a row with a lower rowid. Needs a source with
// an event_id column; works on a read-only connection (temp schema).
void collect_replaced_event_ids(Connection& connection);

// True (as SQL) for rows whose event_id is derived.
std::string needs_derived_event_id_sql(const RunsSource& source);
// The UUIDv5 name of a row ('telemetry:run_id:...' or 'telemetry:id:...').
std::string derived_name_sql(const RunsSource& source);
// One condition per noted change (§4.5): (column, SQL condition).
std::vector<std::pair<std::string, std::string>> note_conditions(const RunsSource& source);
// True (as SQL) when the row gets a migration note.
std::string any_note_sql(const RunsSource& source);

// INSERT INTO <target> (47 columns) SELECT ... FROM agent_runs ORDER BY rowid.
std::string copy_runs_sql(const RunsSource& source, const std::string& target, bool count_progress);

}  // namespace telemetry::db::migrations
