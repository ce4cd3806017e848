#pragma once
// Read-only queries over agent_runs. They run on read-only connections and
// never hold a read transaction longer than one statement.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/sqlite.h"

namespace telemetry::db {

// One row's 47 values in canonical column order, as JSON scalars: integers,
// reals, text (invalid UTF-8 replaced by U+FFFD), null.
using StoredRow = std::vector<nlohmann::ordered_json>;

struct RunFilter {
  std::optional<std::string> agent_name, status, job_type;
  std::optional<std::string> text;  // substring of run_id or event_id
  std::optional<std::string> created_before, created_after;      // canonical UTC
  std::optional<std::string> start_time_from, start_time_to;     // canonical UTC
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

// An index on agent_runs that a query may name in INDEXED BY once
// index_usable() has confirmed it exists with these leading columns.
struct IndexShape {
  const char* name;
  std::vector<const char*> columns;  // leading columns we rely on, in order
};
bool index_usable(Connection& connection, const IndexShape& index);

std::vector<StoredRow> list_runs(Connection& connection, const RunFilter& filter);
std::optional<StoredRow> find_run(Connection& connection, const std::string& event_id);

// Distinct non-NULL values, BINARY order.
std::vector<std::string> distinct_values(Connection& connection, const std::string& column);

// (value, count) ordered by count descending then value ascending; column is
// agent_name, job_type or status.
std::vector<std::pair<std::string, std::int64_t>> counts_by(Connection& connection,
                                                            const std::string& column);
std::int64_t count_runs(Connection& connection);
std::int64_t count_created_since(Connection& connection, const std::string& cutoff);

}  // namespace telemetry::db
