// The read routes: GET /api/v1/runs (filters), GET /api/v1/runs/{event_id},
// its commit-url and repo-url, and GET /api/v1/metadata. They use read-only
// connections from the pool and never go through the writer.
#include <fmt/format.h>

#include "core/duration.h"
#include "core/field_rules.h"
#include "core/lax_values.h"
#include "core/repo_url.h"
#include "core/status.h"
#include "core/timestamp.h"
#include "core/validation_errors.h"
#include "db/run_queries.h"
#include "db/run_stats.h"
#include "http/responses.h"
#include "http/run_json.h"
#include "http/service.h"

namespace telemetry::http {
namespace {

// The last non-empty occurrence of a query parameter (docs/reference/http-api.md §12.1).
std::optional<std::string> query_param(const httplib::Request& request, const std::string& name) {
  std::optional<std::string> value;
  auto range = request.params.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) value = it->second;
  if (value && value->empty()) return std::nullopt;
  return value;
}

// limit/offset with the integer rules of 9.2 and their bounds; adds a 422 error on failure.
std::int64_t bounded_integer(const httplib::Request& request, const std::string& name,
                             std::int64_t fallback, std::int64_t minimum, std::optional<std::int64_t> maximum,
                             FieldErrors& errors) {
  auto text = query_param(request, name);
  if (!text) return fallback;
  const ordered_json loc = ordered_json::array({"query", name});
  const IntegerReading reading = read_lax_integer_text(*text);
  if (reading.kind == IntegerReading::Kind::kUnparsable) {
    errors.push_back({"int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer",
                      *text, std::nullopt});
    return fallback;
  }
  const bool below = reading.kind == IntegerReading::Kind::kBelowInt64 ||
                     (reading.kind == IntegerReading::Kind::kValue && reading.value < minimum);
  const bool above = reading.kind == IntegerReading::Kind::kAboveInt64 ||
                     (reading.kind == IntegerReading::Kind::kValue && maximum && reading.value > *maximum);
  if (below) {
    errors.push_back({"greater_than_equal", loc, fmt::format("Input should be greater than or equal to {}", minimum),
                      *text, ordered_json{{"ge", minimum}}});
    return fallback;
  }
  if (above) {
    const std::int64_t le = maximum ? *maximum : INT64_MAX;
    errors.push_back({"less_than_equal", loc, fmt::format("Input should be less than or equal to {}", le),
                      *text, ordered_json{{"le", le}}});
    return fallback;
  }
  return reading.value;
}

// Returns false (400 sent) when the filter is not a timestamp.
bool time_filter(const httplib::Request& request, const std::string& name,
                 std::optional<std::string>& out, httplib::Response& response) {
  auto text = query_param(request, name);
  if (!text) return true;
  auto canonical = canonical_utc(restore_plus_in_filter(*text), TimestampSyntax::kFilter);
  if (!canonical) {
    send_detail(response, 400, fmt::format("Invalid ISO8601 timestamp for {}: '{}'", name, *text));
    return false;
  }
  out = *canonical;
  return true;
}

template <typename Body>
void with_read_connection(ServiceContext& context, httplib::Response& response, const std::string& prefix_500,
                          Body body) {
  try {
    auto connection = context.reads.acquire();
    body(*connection);
  } catch (const db::SqliteError& error) {
    send_detail(response, 500, fmt::format("{}: {}", prefix_500, error.what()));
  }
}

}  // namespace

void handle_list_runs(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  const httplib::Request& http = request.http;
  db::RunFilter filter;
  FieldErrors errors;
  filter.limit = bounded_integer(http, "limit", 100, 1, 1000, errors);
  filter.offset = bounded_integer(http, "offset", 0, 0, std::nullopt, errors);
  filter.text = query_param(http, "q");
  // q is the start of an event_id or run_id, which hold at most kLabelMaxLength
  // characters (§9.1): a longer q could match nothing and is a client's mistake.
  if (filter.text && longer_than(*filter.text, kLabelMaxLength)) {
    errors.push_back(string_too_long_error(ordered_json::array({"query", "q"}), *filter.text,
                                           static_cast<std::int64_t>(kLabelMaxLength)));
  }
  if (!errors.empty()) {
    send_validation_errors(response, errors);
    return;
  }
  if (auto status = query_param(http, "status")) {
    auto normalized = normalize_status(*status);
    if (!normalized) {
      send_detail(response, 400, fmt::format("Invalid status. Must be one of: {}", kStatusList));
      return;
    }
    filter.status = *normalized;
  }
  if (!time_filter(http, "created_before", filter.created_before, response) ||
      !time_filter(http, "created_after", filter.created_after, response) ||
      !time_filter(http, "start_time_from", filter.start_time_from, response) ||
      !time_filter(http, "start_time_to", filter.start_time_to, response)) {
    return;
  }
  filter.agent_name = query_param(http, "agent_name");
  filter.job_type = query_param(http, "job_type");

  with_read_connection(context, response, "Failed to query runs", [&](db::Connection& connection) {
    ordered_json body = ordered_json::array();
    for (db::StoredRow& row : db::list_runs(connection, filter)) body.push_back(run_record_json(std::move(row)));
    send_json(response, 200, body);
  });
}

void handle_get_run(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  with_read_connection(context, response, "Failed to fetch run", [&](db::Connection& connection) {
    auto row = db::find_run(connection, request.match.event_id);
    if (!row) {
      send_detail(response, 404, "Run not found: " + request.match.event_id);
      return;
    }
    send_json(response, 200, run_record_json(std::move(*row)));
  });
}

namespace {

void send_url(ServiceContext& context, const RouteRequest& request, httplib::Response& response,
              const char* key, const std::string& prefix_500) {
  with_read_connection(context, response, prefix_500, [&](db::Connection& connection) {
    auto row = db::find_run(connection, request.match.event_id);
    if (!row) {
      send_detail(response, 404, "Run not found: " + request.match.event_id);
      return;
    }
    const ordered_json record = run_record_json(std::move(*row));
    send_json(response, 200, ordered_json{{key, record[key]}});
  });
}

}  // namespace

void handle_commit_url(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  send_url(context, request, response, "commit_url", "Failed to get commit URL");
}

void handle_repo_url(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  send_url(context, request, response, "repo_url", "Failed to get repo URL");
}

void handle_metadata(ServiceContext& context, const RouteRequest&, httplib::Response& response) {
  if (auto cached = context.metadata_cache.get()) {
    context.metrics.metadata_cache_hits.fetch_add(1);
    (*cached)["cache_hit"] = true;
    send_json(response, 200, *cached);
    return;
  }
  context.metrics.metadata_cache_misses.fetch_add(1);
  // Taken before the read: if a write invalidates the cache while we read,
  // put() refuses our possibly pre-write answer.
  const std::uint64_t generation = context.metadata_cache.generation();
  with_read_connection(context, response, "Failed to fetch metadata", [&](db::Connection& connection) {
    const auto agent_names = db::distinct_values(connection, "agent_name");
    const auto job_types = db::distinct_values(connection, "job_type");
    ordered_json body{{"agent_names", agent_names},
                      {"job_types", job_types},
                      {"counts", ordered_json{{"agent_names", agent_names.size()}, {"job_types", job_types.size()}}},
                      {"cache_hit", false}};
    context.metadata_cache.put(body, generation);
    send_json(response, 200, body);
  });
}

namespace {

// The window and bucket of the stats routes: since=<24h|7d|2w> (default 24h),
// bucket=hour|day (default hour up to 72 h, day beyond). The window is capped
// so that one answer stays a few hundred buckets at most.
struct StatsWindow {
  std::chrono::system_clock::time_point until;  // ?until=, default now
  std::chrono::seconds since{};
  std::string since_text;
  db::Bucket bucket = db::Bucket::kHour;
};

std::optional<StatsWindow> stats_window(const httplib::Request& http, httplib::Response& response) {
  StatsWindow window;
  FieldErrors errors;
  window.since_text = query_param(http, "since").value_or("24h");
  const auto since = parse_duration(window.since_text);
  if (!since || since->count() <= 0) {
    errors.push_back({"value_error", ordered_json::array({"query", "since"}),
                      "Value error, since must be a whole number of hours, days or weeks, such as 24h, 7d or 2w",
                      window.since_text, std::nullopt});
  } else {
    window.since = *since;
    window.bucket = window.since <= std::chrono::hours(72) ? db::Bucket::kHour : db::Bucket::kDay;
  }
  if (auto bucket = query_param(http, "bucket")) {
    if (*bucket == "hour") {
      window.bucket = db::Bucket::kHour;
    } else if (*bucket == "day") {
      window.bucket = db::Bucket::kDay;
    } else {
      errors.push_back({"value_error", ordered_json::array({"query", "bucket"}),
                        "Value error, bucket must be 'hour' or 'day'", *bucket, std::nullopt});
    }
  }
  window.until = std::chrono::system_clock::now();
  if (auto until = query_param(http, "until")) {
    const auto parsed = parse_utc(restore_plus_in_filter(*until), TimestampSyntax::kFilter);
    if (!parsed) {
      send_detail(response, 400, fmt::format("Invalid ISO8601 timestamp for until: '{}'", *until));
      return std::nullopt;
    }
    window.until = *parsed;
  }
  if (errors.empty()) {
    const bool hourly = window.bucket == db::Bucket::kHour;
    const auto cap = hourly ? std::chrono::hours(24 * 31) : std::chrono::hours(24 * 366);
    if (window.since > cap) {
      errors.push_back({"value_error", ordered_json::array({"query", "since"}),
                        hourly ? "Value error, since is at most 31d with bucket=hour"
                               : "Value error, since is at most 366d with bucket=day",
                        window.since_text, std::nullopt});
    }
  }
  if (!errors.empty()) {
    send_validation_errors(response, errors);
    return std::nullopt;
  }
  return window;
}

ordered_json status_counts_json(const db::StatusCounts& counts) {
  ordered_json out = ordered_json::object();
  for (std::size_t i = 0; i < db::kStatuses.size(); ++i) out[db::kStatuses[i]] = counts[i];
  return out;
}

ordered_json optional_json(const std::optional<std::int64_t>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json durations_json(const db::DurationSummary& d) {
  return ordered_json{{"count", d.count},
                      {"p50", optional_json(d.p50)},
                      {"p90", optional_json(d.p90)},
                      {"p95", optional_json(d.p95)},
                      {"p99", optional_json(d.p99)}};
}

ordered_json window_json(const StatsWindow& window, const db::BucketGrid& grid) {
  return ordered_json{{"since", window.since_text},
                      {"bucket", grid.bucket == db::Bucket::kHour ? "hour" : "day"},
                      {"from", grid.from},
                      {"to", grid.to},
                      {"bucket_starts", grid.starts}};
}

}  // namespace

void handle_stats_trends(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  const auto window = stats_window(request.http, response);
  if (!window) return;
  const db::StatsFilter filter{query_param(request.http, "agent_name"), query_param(request.http, "job_type")};
  const db::BucketGrid grid = db::make_grid(window->until, window->since, window->bucket);
  with_read_connection(context, response, "Failed to compute trends", [&](db::Connection& connection) {
    ordered_json buckets = ordered_json::array();
    const auto trends = db::trend_buckets(connection, grid, filter);
    for (std::size_t i = 0; i < trends.size(); ++i) {
      std::int64_t total = 0;
      for (std::int64_t n : trends[i].counts) total += n;
      buckets.push_back(ordered_json{{"start", grid.starts[i]},
                                     {"total", total},
                                     {"counts", status_counts_json(trends[i].counts)},
                                     {"duration_ms", durations_json(trends[i].durations)}});
    }
    ordered_json body = window_json(*window, grid);
    body.erase("bucket_starts");
    body["buckets"] = std::move(buckets);
    send_json(response, 200, body);
  });
}

void handle_stats_agents(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  const auto window = stats_window(request.http, response);
  if (!window) return;
  const db::StatsFilter filter{std::nullopt, query_param(request.http, "job_type")};
  const db::BucketGrid grid = db::make_grid(window->until, window->since, window->bucket);
  with_read_connection(context, response, "Failed to compute agent summaries", [&](db::Connection& connection) {
    ordered_json agents = ordered_json::array();
    for (const db::AgentSummary& agent : db::agent_summaries(connection, grid, filter)) {
      const std::int64_t finished = agent.runs - agent.counts[0];
      agents.push_back(ordered_json{
          {"agent_name", agent.agent_name},
          {"runs", agent.runs},
          {"failures", agent.failures},
          {"success_rate", finished > 0 ? ordered_json(static_cast<double>(agent.counts[1]) / finished)
                                        : ordered_json(nullptr)},
          {"counts", status_counts_json(agent.counts)},
          {"duration_ms", durations_json(agent.durations)},
          {"runs_per_bucket", agent.runs_per_bucket},
          {"failures_per_bucket", agent.failures_per_bucket}});
    }
    ordered_json body = window_json(*window, grid);
    body["agents"] = std::move(agents);
    send_json(response, 200, body);
  });
}

}  // namespace telemetry::http
