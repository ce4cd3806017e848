#pragma once
// The Prometheus text exposition (format 0.0.4) of /metrics (docs/reference/http-api.md §17.3).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "http/service.h"

namespace telemetry::http {

std::string render_prometheus(ServiceContext& context);

// Bounded cardinality of telemetry_runs_by_agent: the `max_agents` agents with
// the most runs (ties by name), sorted by name, then one "other" entry summing
// the rest (present only when something is left). A real agent named "other"
// always counts in that entry, so no two series share a label value.
std::vector<std::pair<std::string, std::int64_t>> agent_series(
    std::vector<std::pair<std::string, std::int64_t>> counts, std::size_t max_agents);
inline constexpr const char* kOtherAgents = "other";

// Label value escaping: backslash, double quote, newline.
std::string escape_label_value(const std::string& value);

}  // namespace telemetry::http
