#include "db/run_stats.h"

#include <algorithm>
#include <deque>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "core/timestamp.h"
#include "core/utf8.h"
#include "db/run_queries.h"

namespace telemetry::db {
namespace {

std::size_t key_length(Bucket bucket) { return bucket == Bucket::kHour ? 13 : 10; }  // "YYYY-MM-DDTHH" / "YYYY-MM-DD"

std::optional<std::size_t> status_index(std::string_view status) {
  for (std::size_t i = 0; i < kStatuses.size(); ++i) {
    if (status == kStatuses[i]) return i;
  }
  return std::nullopt;
}

bool is_failure(std::size_t status) { return status == 2 || status == 4; }  // failure, timeout

// Reorders `durations`. Four selections instead of a sort: a 30-day window's
// durations are ~170,000 values, and sorting them was a tenth of the request.
DurationSummary summarize(std::vector<std::int64_t>& durations) {
  DurationSummary summary;
  summary.count = static_cast<std::int64_t>(durations.size());
  if (durations.empty()) return summary;
  const std::size_t n = durations.size();
  // Nearest rank: the smallest value with at least percent% of the values at or below it.
  auto rank_position = [n](std::size_t percent) { return std::max<std::size_t>((percent * n + 99) / 100, 1) - 1; };
  // In increasing rank: after each selection everything past its position is
  // at least as large, so the next rank is found in that part alone.
  std::size_t from = 0;
  for (auto [percent, out] : {std::pair{50, &summary.p50}, std::pair{90, &summary.p90},
                              std::pair{95, &summary.p95}, std::pair{99, &summary.p99}}) {
    const std::size_t position = rank_position(static_cast<std::size_t>(percent));
    std::nth_element(durations.begin() + static_cast<std::ptrdiff_t>(from),
                     durations.begin() + static_cast<std::ptrdiff_t>(position), durations.end());
    *out = durations[position];
    from = position;
  }
  return summary;
}

// Which grid bucket a canonical start_time falls in.
class BucketIndex {
 public:
  explicit BucketIndex(const BucketGrid& grid) : length_(key_length(grid.bucket)) {
    // Views into grid.starts, which outlives this index.
    for (std::size_t i = 0; i < grid.starts.size(); ++i) {
      index_.emplace(std::string_view(grid.starts[i]).substr(0, length_), i);
    }
  }
  // The window is read in start_time order, so a row is almost always in the
  // bucket of the row before it: that one is tried first, without hashing.
  std::optional<std::size_t> find(std::string_view start_time) {
    if (start_time.size() < length_) return std::nullopt;
    const std::string_view key = start_time.substr(0, length_);
    if (last_ && last_->first == key) return last_->second;
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    last_ = &*it;
    return it->second;
  }

 private:
  std::size_t length_;
  std::unordered_map<std::string_view, std::size_t> index_;
  const std::pair<const std::string_view, std::size_t>* last_ = nullptr;
};

const IndexShape kStart{"idx_runs_start", {"start_time"}};
// Holds every column scan() reads, so a window never touches the table rows.
const IndexShape kStartStats{"idx_runs_start_stats", {"start_time", "status", "agent_name", "job_type", "duration_ms"}};

// The index scan() names: the covering one when present (v7 databases created
// before it was added lack it until `telemetry migrate`), else idx_runs_start.
std::string window_index(Connection& connection) {
  if (index_usable(connection, kStartStats)) return kStartStats.name;
  if (index_usable(connection, kStart)) return kStart.name;
  return "";
}

}  // namespace

std::string window_scan_sql(Connection& connection, const StatsFilter& filter, bool with_agent) {
  // Without statistics SQLite would prefer an equality index (agent, job type)
  // that is not bounded by time; the window is what keeps this pass short.
  const std::string index = window_index(connection);
  const std::string indexed = index.empty() ? "" : " INDEXED BY " + index;
  std::string sql = fmt::format("SELECT start_time, status, duration_ms{} FROM agent_runs{} "
                                "WHERE start_time >= ?1 AND start_time < ?2",
                                with_agent ? ", agent_name" : "", indexed);
  if (filter.agent_name) sql += " AND agent_name = ?3";
  if (filter.job_type) sql += " AND job_type = ?4";
  return sql;
}

namespace {

// Calls row(start_time, status, duration_ms or -1 when NULL, agent_name) for
// every run whose start_time is in [grid.from, grid.to) and matches the filter.
template <typename Row>
void scan(Connection& connection, const BucketGrid& grid, const StatsFilter& filter, bool with_agent, Row row) {
  const std::string sql = window_scan_sql(connection, filter, with_agent);
  Statement statement(connection, sql);
  statement.bind_text(1, grid.from);
  statement.bind_text(2, grid.to);
  if (filter.agent_name) statement.bind_text(3, *filter.agent_name);
  if (filter.job_type) statement.bind_text(4, *filter.job_type);
  // Views, not copies: a 30-day window is ~170,000 rows at 1,000,000, and
  // three allocations a row were most of the time spent outside SQLite.
  while (statement.step()) {
    const std::string_view start = statement.column_view(0);
    const std::string_view status = statement.column_view(1);
    const std::int64_t duration = statement.column_is_null(2) ? -1 : statement.column_int(2);
    row(start, status, duration, with_agent ? statement.column_view(3) : std::string_view());
  }
}

}  // namespace

BucketGrid make_grid(std::chrono::system_clock::time_point now, std::chrono::seconds window, Bucket bucket) {
  using std::chrono::seconds;
  const std::int64_t step = bucket == Bucket::kHour ? 3600 : 86400;
  const std::int64_t now_s = std::chrono::duration_cast<seconds>(now.time_since_epoch()).count();
  auto floor_to = [step](std::int64_t t) { return t - ((t % step) + step) % step; };
  const std::int64_t first = floor_to(now_s - window.count());
  const std::int64_t last = floor_to(now_s);
  auto at = [](std::int64_t t) { return canonical_utc(std::chrono::system_clock::time_point(seconds(t))); };
  BucketGrid grid;
  grid.bucket = bucket;
  for (std::int64_t t = first; t <= last; t += step) grid.starts.push_back(at(t));
  grid.from = at(first);
  grid.to = at(last + step);
  return grid;
}

std::vector<TrendBucket> trend_buckets(Connection& connection, const BucketGrid& grid, const StatsFilter& filter) {
  BucketIndex index(grid);
  std::vector<TrendBucket> buckets(grid.starts.size());
  std::vector<std::vector<std::int64_t>> durations(grid.starts.size());
  scan(connection, grid, filter, false,
       [&](std::string_view start, std::string_view status, std::int64_t duration, std::string_view) {
         const auto b = index.find(start);
         const auto s = status_index(status);
         if (!b || !s) return;
         ++buckets[*b].counts[*s];
         if (*s != 0 && duration >= 0) durations[*b].push_back(duration);
       });
  for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i].durations = summarize(durations[i]);
  return buckets;
}

std::vector<AgentSummary> agent_summaries(Connection& connection, const BucketGrid& grid, const StatsFilter& filter) {
  BucketIndex index(grid);
  // One hash lookup a row (a 30-day window is ~170,000 rows at 1,000,000):
  // slot by the stored bytes, summaries and durations side by side.
  struct Agent {
    std::string raw;
    AgentSummary summary;
    std::vector<std::int64_t> durations;
  };
  // Keys are views into the names kept in `names`, whose elements never move
  // (a deque), so a lookup by the row's view allocates nothing.
  std::deque<std::string> names;
  std::unordered_map<std::string_view, std::size_t> slot;
  std::vector<Agent> agents;
  scan(connection, grid, filter, true,
       [&](std::string_view start, std::string_view status, std::int64_t duration, std::string_view agent) {
         const auto b = index.find(start);
         const auto s = status_index(status);
         if (!b || !s) return;
         auto it = slot.find(agent);
         if (it == slot.end()) {
           it = slot.emplace(std::string_view(names.emplace_back(agent)), agents.size()).first;
           Agent& added = agents.emplace_back();
           added.raw = std::string(agent);
           added.summary.agent_name = replace_invalid_utf8(added.raw);
           added.summary.runs_per_bucket.assign(grid.starts.size(), 0);
           added.summary.failures_per_bucket.assign(grid.starts.size(), 0);
         }
         Agent& entry = agents[it->second];
         AgentSummary& summary = entry.summary;
         ++summary.counts[*s];
         ++summary.runs;
         ++summary.runs_per_bucket[*b];
         if (is_failure(*s)) {
           ++summary.failures;
           ++summary.failures_per_bucket[*b];
         }
         if (*s != 0 && duration >= 0) entry.durations.push_back(duration);
       });
  std::sort(agents.begin(), agents.end(), [](const Agent& a, const Agent& b) {
    if (a.summary.failures != b.summary.failures) return a.summary.failures > b.summary.failures;
    if (a.summary.runs != b.summary.runs) return a.summary.runs > b.summary.runs;
    return a.raw < b.raw;  // the stored bytes, as before replacement
  });
  std::vector<AgentSummary> out;
  out.reserve(agents.size());
  for (Agent& agent : agents) {
    agent.summary.durations = summarize(agent.durations);
    out.push_back(std::move(agent.summary));
  }
  return out;
}

}  // namespace telemetry::db
