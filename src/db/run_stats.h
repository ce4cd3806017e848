#pragma once
// Time-bucketed aggregates over agent_runs for the dashboard's stats routes
// (docs/reference/http-api.md §19): runs per bucket by status, duration
// percentiles, and a per-agent summary. One pass over the window's rows
// through the covering idx_runs_start_stats (idx_runs_start when a v7 database
// predates it), so the cost follows the rows in the window.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"

namespace telemetry::db {

enum class Bucket { kHour, kDay };

// The statuses in schema order; counts arrays follow it.
constexpr std::array<const char*, 6> kStatuses{"running", "success", "failure", "partial", "timeout", "cancelled"};
using StatusCounts = std::array<std::int64_t, kStatuses.size()>;

// Consecutive buckets covering [from, to): from is the start of the bucket
// holding now - window, to the end of the bucket holding now.
struct BucketGrid {
  Bucket bucket = Bucket::kHour;
  std::vector<std::string> starts;  // canonical UTC
  std::string from, to;             // canonical UTC
};
BucketGrid make_grid(std::chrono::system_clock::time_point now, std::chrono::seconds window, Bucket bucket);

// Nearest-rank percentiles of duration_ms over finished runs (status not running).
struct DurationSummary {
  std::int64_t count = 0;
  std::optional<std::int64_t> p50, p90, p95, p99;
};

struct StatsFilter {
  std::optional<std::string> agent_name, job_type;
};

struct TrendBucket {
  StatusCounts counts{};
  DurationSummary durations;
};
// One entry per grid bucket, in order.
std::vector<TrendBucket> trend_buckets(Connection& connection, const BucketGrid& grid, const StatsFilter& filter);

struct AgentSummary {
  std::string agent_name;
  StatusCounts counts{};
  std::int64_t runs = 0;
  std::int64_t failures = 0;  // failure + timeout
  DurationSummary durations;
  std::vector<std::int64_t> runs_per_bucket, failures_per_bucket;  // one per grid bucket
};
// Agents with at least one run in the window, most failures first, then most
// runs, then name.
std::vector<AgentSummary> agent_summaries(Connection& connection, const BucketGrid& grid, const StatsFilter& filter);

// The one query both functions run (?1 from, ?2 to, ?3 agent, ?4 job type);
// exposed so a test can check its plan stays an index range scan.
std::string window_scan_sql(Connection& connection, const StatsFilter& filter, bool with_agent);

}  // namespace telemetry::db
