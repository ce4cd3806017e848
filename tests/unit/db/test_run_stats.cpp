// db/run_stats: the bucket grid's edges, bucketing by start_time, nearest-rank
// percentiles over finished runs, and the agents' order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/timestamp.h"
#include "db/run_stats.h"
#include "db/schema.h"
#include "db/sqlite.h"
#include "query_plan.h"
#include "temp_db.h"

using namespace telemetry::db;

namespace {

std::chrono::system_clock::time_point at(const char* text) { return *telemetry::parse_utc(text); }

void insert(Connection& connection, const std::string& event, const std::string& agent, const std::string& status,
            const std::string& start, std::int64_t duration) {
  Statement statement(connection,
                      "INSERT INTO agent_runs (event_id, run_id, start_time, agent_name, job_type, status, duration_ms) "
                      "VALUES (?1, ?1, ?2, ?3, 'crawl', ?4, ?5)");
  statement.bind_text(1, event);
  statement.bind_text(2, *telemetry::canonical_utc(start));
  statement.bind_text(3, agent);
  statement.bind_text(4, status);
  statement.bind_int(5, duration);
  statement.step();
}

}  // namespace

TEST_CASE("make_grid: whole UTC hours or days from the one holding now - window to the one holding now") {
  const BucketGrid hours = make_grid(at("2026-01-10T12:30:00Z"), std::chrono::hours(3), Bucket::kHour);
  CHECK(hours.starts == std::vector<std::string>{"2026-01-10T09:00:00.000000+00:00", "2026-01-10T10:00:00.000000+00:00",
                                                 "2026-01-10T11:00:00.000000+00:00", "2026-01-10T12:00:00.000000+00:00"});
  CHECK(hours.from == "2026-01-10T09:00:00.000000+00:00");
  CHECK(hours.to == "2026-01-10T13:00:00.000000+00:00");
  const BucketGrid days = make_grid(at("2026-03-01T00:00:00Z"), std::chrono::hours(48), Bucket::kDay);
  CHECK(days.starts == std::vector<std::string>{"2026-02-27T00:00:00.000000+00:00", "2026-02-28T00:00:00.000000+00:00",
                                                "2026-03-01T00:00:00.000000+00:00"});
  CHECK(days.to == "2026-03-02T00:00:00.000000+00:00");
}

TEST_CASE("trend_buckets and agent_summaries over a small database") {
  TempDb temp;
  Connection connection(temp.path, Connection::Mode::kReadWriteCreate, 1000);
  create_schema_v7(connection);
  for (int i = 1; i <= 20; ++i) {
    insert(connection, "a" + std::to_string(i), "alpha", "success", "2026-01-10T10:05:00Z", i * 100);
  }
  insert(connection, "b1", "beta", "failure", "2026-01-10T11:59:59.999999Z", 50);
  insert(connection, "b2", "beta", "timeout", "2026-01-10T11:00:00Z", 70);
  insert(connection, "b3", "beta", "running", "2026-01-10T11:30:00Z", 0);
  insert(connection, "early", "beta", "failure", "2026-01-10T08:59:59Z", 1);   // before the grid
  insert(connection, "late", "beta", "failure", "2026-01-10T13:00:00Z", 1);    // at its end, excluded

  const BucketGrid grid = make_grid(at("2026-01-10T12:30:00Z"), std::chrono::hours(3), Bucket::kHour);
  const auto trends = trend_buckets(connection, grid, {});
  REQUIRE(trends.size() == 4);
  CHECK(trends[0].counts == StatusCounts{0, 0, 0, 0, 0, 0});
  CHECK(trends[1].counts == StatusCounts{0, 20, 0, 0, 0, 0});
  CHECK(trends[2].counts == StatusCounts{1, 0, 1, 0, 1, 0});
  CHECK(trends[1].durations.count == 20);
  CHECK(trends[1].durations.p50 == 1000);  // nearest rank: the 10th of 20
  CHECK(trends[1].durations.p90 == 1800);
  CHECK(trends[1].durations.p95 == 1900);
  CHECK(trends[1].durations.p99 == 2000);
  CHECK(trends[2].durations.count == 2);  // the running run has no duration yet
  CHECK(trends[2].durations.p50 == 50);
  CHECK_FALSE(trends[0].durations.p50.has_value());

  const auto only_beta = trend_buckets(connection, grid, StatsFilter{std::string("beta"), std::nullopt});
  CHECK(only_beta[1].counts == StatusCounts{0, 0, 0, 0, 0, 0});

  const auto agents = agent_summaries(connection, grid, {});
  REQUIRE(agents.size() == 2);
  CHECK(agents[0].agent_name == "beta");  // two failures beat twenty successes
  CHECK(agents[0].failures == 2);
  CHECK(agents[0].runs == 3);
  CHECK(agents[0].failures_per_bucket == std::vector<std::int64_t>{0, 0, 2, 0});
  CHECK(agents[1].agent_name == "alpha");
  CHECK(agents[1].runs_per_bucket == std::vector<std::int64_t>{0, 20, 0, 0});
  CHECK(agents[1].durations.p95 == 1900);
}

TEST_CASE("window_scan_sql: a range search on the covering idx_runs_start_stats, never a table scan") {
  TempDb temp;
  Connection connection(temp.path, Connection::Mode::kReadWriteCreate, 1000);
  create_schema_v7(connection);
  const StatsFilter none;
  StatsFilter both;
  both.agent_name = "alpha";
  both.job_type = "crawl";
  for (const StatsFilter& filter : {none, both}) {
    for (bool with_agent : {false, true}) {
      const std::string plan = plan_of(connection, window_scan_sql(connection, filter, with_agent));
      INFO(plan);
      CHECK(plan.find("SEARCH agent_runs USING COVERING INDEX idx_runs_start_stats (start_time>? AND start_time<?)") !=
            std::string::npos);
      CHECK(plan.find("SCAN") == std::string::npos);
    }
  }
}

TEST_CASE("window_scan_sql: a v7 database without idx_runs_start_stats falls back to idx_runs_start") {
  TempDb temp;
  Connection connection(temp.path, Connection::Mode::kReadWriteCreate, 1000);
  create_schema_v7(connection);
  Statement(connection, "DROP INDEX idx_runs_start_stats").step();
  const std::string plan = plan_of(connection, window_scan_sql(connection, {}, true));
  INFO(plan);
  CHECK(plan.find("SEARCH agent_runs USING INDEX idx_runs_start (start_time>? AND start_time<?)") != std::string::npos);
}

TEST_CASE("percentiles are the nearest ranks of the sorted durations, whatever order the rows come in") {
  TempDb temp;
  Connection connection(temp.path, Connection::Mode::kReadWriteCreate, 1000);
  create_schema_v7(connection);
  // 997 durations with repeats, inserted in a scrambled order, over three hours.
  std::vector<std::int64_t> durations;
  for (std::int64_t i = 0; i < 997; ++i) durations.push_back((i * 7919) % 613);
  const char* hours[] = {"2026-01-10T09:10:00Z", "2026-01-10T10:20:00Z", "2026-01-10T11:30:00Z"};
  std::vector<std::vector<std::int64_t>> per_hour(3);
  for (std::size_t i = 0; i < durations.size(); ++i) {
    insert(connection, "p" + std::to_string(i), "alpha", "success", hours[(i * 5) % 3], durations[i]);
    per_hour[(i * 5) % 3].push_back(durations[i]);
  }
  auto nearest_rank = [](std::vector<std::int64_t> values, std::size_t percent) {
    std::sort(values.begin(), values.end());
    const std::size_t position = std::max<std::size_t>((percent * values.size() + 99) / 100, 1) - 1;
    return values[position];
  };
  const BucketGrid grid = make_grid(at("2026-01-10T11:59:00Z"), std::chrono::hours(2), Bucket::kHour);
  const auto trends = trend_buckets(connection, grid, {});
  REQUIRE(trends.size() == 3);
  for (std::size_t hour = 0; hour < 3; ++hour) {
    INFO("hour " << hour);
    CHECK(trends[hour].durations.count == static_cast<std::int64_t>(per_hour[hour].size()));
    CHECK(trends[hour].durations.p50 == nearest_rank(per_hour[hour], 50));
    CHECK(trends[hour].durations.p90 == nearest_rank(per_hour[hour], 90));
    CHECK(trends[hour].durations.p95 == nearest_rank(per_hour[hour], 95));
    CHECK(trends[hour].durations.p99 == nearest_rank(per_hour[hour], 99));
  }
  const auto agents = agent_summaries(connection, grid, {});
  REQUIRE(agents.size() == 1);
  CHECK(agents[0].durations.p50 == nearest_rank(durations, 50));
  CHECK(agents[0].durations.p90 == nearest_rank(durations, 90));
  CHECK(agents[0].durations.p99 == nearest_rank(durations, 99));
  CHECK(agents[0].runs_per_bucket == std::vector<std::int64_t>{static_cast<std::int64_t>(per_hour[0].size()),
                                                               static_cast<std::int64_t>(per_hour[1].size()),
                                                               static_cast<std::int64_t>(per_hour[2].size())});
}
