#include "http/metrics_body.h"

#include <chrono>
#include <optional>

#include "core/duration.h"
#include "core/timestamp.h"
#include "db/run_queries.h"

namespace telemetry::http {
namespace {

using ordered_json = nlohmann::ordered_json;

struct Breakdown {
  const char* column;
  const char* key;
};

std::optional<Breakdown> breakdown_for(const std::string& by) {
  if (by == "agent") return Breakdown{"agent_name", "agents"};
  if (by == "job_type") return Breakdown{"job_type", "job_types"};
  if (by == "status") return Breakdown{"status", "statuses"};
  return std::nullopt;
}

}  // namespace

FieldErrors validate_metrics_query(const MetricsQuery& query) {
  FieldErrors errors;
  if (!parse_duration(query.since)) {
    errors.push_back({"value_error", ordered_json::array({"query", "since"}),
                      "Value error, since must be a whole number of hours, days or weeks, such as 24h, 7d or 2w",
                      query.since, std::nullopt});
  }
  if (!breakdown_for(query.by)) {
    errors.push_back({"value_error", ordered_json::array({"query", "by"}),
                      "Value error, by must be 'agent', 'job_type' or 'status'", query.by, std::nullopt});
  }
  return errors;
}

ordered_json metrics_body(db::Connection& connection, const MetricsQuery& query, const std::string& db_path,
                          JournalMode journal_mode) {
  const Breakdown breakdown = *breakdown_for(query.by);
  const auto since = *parse_duration(query.since);
  const std::string cutoff = canonical_utc(std::chrono::system_clock::now() - since);

  ordered_json groups = ordered_json::object();
  const auto window = query.since_given ? std::optional<std::string>(cutoff) : std::nullopt;
  for (const auto& [value, count] : db::counts_by(connection, breakdown.column, window)) groups[value] = count;

  ordered_json body = ordered_json::object();
  body["total_runs"] = db::count_runs(connection);
  body[breakdown.key] = groups;
  body["recent_" + query.since] = db::count_created_since(connection, cutoff);
  body["performance"] = ordered_json{{"db_path", db_path}, {"journal_mode", journal_mode_name(journal_mode)}};
  return body;
}

}  // namespace telemetry::http
