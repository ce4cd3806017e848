#pragma once
// `telemetry metrics` without its command line: the body of GET /metrics
// (docs/reference/http-api.md §17.2) read from the database file (read-only, safe
// next to a running server, through http/metrics_body.h) or asked of a running service.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "http/metrics_body.h"

namespace telemetry::http {

struct MetricsSource {
  std::string db_path;  // read when no url is given
  int busy_timeout_ms = 30000;
  std::optional<std::string> url;  // ask this service instead
  std::optional<std::string> token;
};

// Throws Error: the kinds of db::open_for_reading() and of reading the file, or the
// client's (http/client.h); a service that does not answer 200 with a JSON object is kUnavailable.
nlohmann::ordered_json fetch_metrics(const MetricsSource& source, const MetricsQuery& query);

// The request target for `query`: /metrics?format=json[&since=S]&by=B, since only
// when it was given (the service then narrows the breakdown too).
std::string metrics_target(const MetricsQuery& query);

}  // namespace telemetry::http
