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
  std::optional<std::string> text;  // prefix of event_id or run_id (q)
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

// The least string greater than every string that starts with `prefix`, in
// BINARY (memcmp) order: the prefix with its trailing 0xFF bytes removed and
// its last byte incremented. So a value starts with `prefix` exactly when
// prefix <= value < successor, an index range. nullopt when `prefix` is all
// 0xFF bytes: then every value >= prefix starts with it.
std::optional<std::string> prefix_successor(const std::string& prefix);

// How list_runs reads one page when no per-agent merge applies (chosen from the
// filter and from counts that read index entries only). Exposed so tests can
// check the choice and the statements' plans.
struct PagePlan {
  enum class Way {
    kIndexed,         // one statement, through `index` ("" leaves the choice to SQLite)
    kPrefix,          // q's matches through idx_runs_event_id and idx_runs_run_id, then sorted
    kWalkThenPrefix,  // through `index`, within the newest `walk_rows` rows; kPrefix when they do not fill the page
  };
  Way way = Way::kIndexed;
  std::string index;
  std::int64_t walk_rows = 0;
};
PagePlan plan_page(Connection& connection, const RunFilter& filter);
// The statement of PagePlan::Way::kPrefix (binds: the filter's values, then limit and offset).
std::string prefix_page_sql(const RunFilter& filter);
std::optional<StoredRow> find_run(Connection& connection, const std::string& event_id);

// Distinct non-NULL values, BINARY order.
std::vector<std::string> distinct_values(Connection& connection, const std::string& column);

// (value, count) ordered by count descending then value ascending; column is
// agent_name, job_type or status. With `created_since` (canonical UTC), only
// rows with created_at >= it are counted.
std::vector<std::pair<std::string, std::int64_t>> counts_by(Connection& connection, const std::string& column,
                                                            const std::optional<std::string>& created_since = std::nullopt);
std::int64_t count_runs(Connection& connection);
std::int64_t count_created_since(Connection& connection, const std::string& cutoff);

}  // namespace telemetry::db
