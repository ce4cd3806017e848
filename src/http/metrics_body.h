#pragma once
// The JSON form of /metrics (docs/reference/http-api.md §17.2), computed from one connection.
// `telemetry metrics --db` prints the same object.
#include <string>

#include <nlohmann/json.hpp>

#include "core/field_error.h"
#include "db/sqlite.h"
#include "util/sqlite_settings.h"

namespace telemetry::http {

struct MetricsQuery {
  std::string since = "24h";  // as given; names the recent_<since> key
  std::string by = "agent";   // agent | job_type | status
  // since was asked for (?since=, --since): the breakdown then counts only the
  // runs created within it, like recent_<since>; without it, all runs (the
  // default body of docs/reference/http-api.md §17.2).
  bool since_given = false;
};

// Validates since/by; the errors are 422 value_error at ["query", name].
FieldErrors validate_metrics_query(const MetricsQuery& query);

nlohmann::ordered_json metrics_body(db::Connection& connection, const MetricsQuery& query,
                                    const std::string& db_path, JournalMode journal_mode);

}  // namespace telemetry::http
