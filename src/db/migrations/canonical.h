#pragma once
// Is a database canonical (docs/reference/schema.md §2.1)? Used by `telemetry migrate` to
// decide what to rebuild and to verify before COMMIT, and by `telemetry check`.
// The reference is the embedded schema/telemetry_v7.sql itself, run in an
// in-memory database, so the canonical definition is written down only once.
#include <string>
#include <vector>

#include "db/shape.h"
#include "db/sqlite.h"

namespace telemetry::db::migrations {

struct CanonicalDifference {
  enum class Kind {
    kMissingTable,    // rule 1
    kColumns,         // rule 2
    kChecks,          // rule 3
    kUniqueness,      // rule 4: UNIQUE event_id / commit_hash primary key
    kAutoincrement,   // rule 4: id of agent_runs / run_events
    kForeignKeys,     // rule 5
    kIndex,           // rule 6
    kVersion,         // rule 7
    kViewOrTrigger,   // rule 8
  };
  Kind kind;
  std::string table;    // the table concerned
  std::string index;    // kIndex: the canonical index name
  std::string message;  // one line naming what differs
};

struct CanonicalReport {
  std::vector<CanonicalDifference> differences;

  bool canonical() const { return differences.empty(); }
  // A rule 1-5 difference: the table must be created or rebuilt.
  bool table_differs(const std::string& table) const;
  // Canonical indexes (rule 6) that are missing or defined differently.
  std::vector<std::string> index_differences() const;
};

// Checks rules 1-8 and lists every difference found.
CanonicalReport check_canonical(Connection& connection);

// Facts read from the canonical schema (docs/reference/schema.md §1).
struct CanonicalIndex {
  std::string name;
  std::string table;
  std::string sql;  // CREATE INDEX ...
};
const std::vector<std::string>& canonical_tables();  // agent_runs, run_events, commits, schema_migrations
// CREATE TABLE text for `table`, with the table named `as_name`.
std::string canonical_create_table(const std::string& table, const std::string& as_name);
const std::vector<ColumnInfo>& canonical_columns(const std::string& table);
const std::vector<CanonicalIndex>& canonical_indexes();  // the 18 of 1.3

}  // namespace telemetry::db::migrations
