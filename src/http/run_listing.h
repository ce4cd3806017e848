#pragma once
// `telemetry runs`: runs read through the API (GET /api/v1/runs, paged) or
// straight from the database file (read-only, no lock, safe while serving),
// as the API's run records either way, and printed as a table, TSV or JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace telemetry::http {

// Checked by the command (cli/runs.cpp): a status of core/status.h's, a bound
// from created_after_bound(), a limit of at least 1.
struct RunsQuery {
  std::optional<std::string> agent_name, status, job_type;
  std::optional<std::string> created_after;  // canonical UTC
  std::int64_t limit = 100;
};

struct RunsSource {
  std::optional<std::string> db_path;  // set: read the file; else ask the service
  std::string url;
  std::optional<std::string> token;
  int busy_timeout_ms = 30000;
};

// The created_after bound of --since: now minus a duration (24h, 7d, 2w) or an
// ISO 8601 time (2026-01-14, 2026-01-14T09:00:00+00:00); nullopt when it is neither.
std::optional<std::string> created_after_bound(const std::string& since);

// Newest first, as the API orders them.
std::vector<nlohmann::ordered_json> list_runs(const RunsQuery& query, const RunsSource& source);
// One run record; Error kNotFound when there is none.
nlohmann::ordered_json show_run(const std::string& event_id, const RunsSource& source);

enum class RunsFormat { kTable, kTsv, kJson };

// TSV: one line per run, no header, tabs/newlines/backslashes escaped as \t \n \\;
// columns event_id, run_id, agent_name, job_type, status, start_time, end_time,
// duration_ms, error_summary. JSON: the API's array. Table: aligned columns.
std::string format_runs(const std::vector<nlohmann::ordered_json>& runs, RunsFormat format);
std::string format_run(const nlohmann::ordered_json& run, RunsFormat format);

}  // namespace telemetry::http
