#pragma once
// Path matching of docs/reference/http-api.md §2.1: split on '/', percent-decode each
// segment, ignore one trailing slash; {event_id} is exactly one segment.
#include <optional>
#include <string>
#include <string_view>

namespace telemetry::http {

enum class Route {
  kHealth,
  kMetrics,
  kRuns,            // /api/v1/runs            GET, POST
  kRunsBatch,       // /api/v1/runs/batch      POST (GET falls to kRun with "batch")
  kRun,             // /api/v1/runs/{id}       GET, PATCH
  kAssociateCommit, // /api/v1/runs/{id}/associate-commit POST
  kCommitUrl,       // /api/v1/runs/{id}/commit-url GET
  kRepoUrl,         // /api/v1/runs/{id}/repo-url   GET
  kMetadata,        // /api/v1/metadata        GET
  kStatsTrends,     // /api/v1/stats/trends    GET (dashboard)
  kStatsAgents,     // /api/v1/stats/agents    GET (dashboard)
  kStatsHealth,     // /api/v1/stats/health    GET (dashboard)
  kUiPage,          // /                       GET, the dashboard page, no auth
  kUiAsset,         // /ui/{asset}             GET, its scripts and styles, no auth
};

struct RouteMatch {
  Route route;
  std::string event_id;  // decoded, for the {event_id} routes; the asset name for kUiAsset
};

// Which route a request for `path` with `method` goes to. `method_allowed` is
// false when the path exists but not for that method (405); nullopt is 404.
struct Resolution {
  std::optional<RouteMatch> match;
  bool method_allowed = false;
  std::string allow;  // the Allow header for a 405
};

Resolution resolve(std::string_view method, std::string_view raw_path);

// The route template used as the Prometheus `route` label.
const char* route_template(Route route);

// Percent-decoding of one path segment ('+' stays '+'); nullopt when malformed.
std::optional<std::string> percent_decode_segment(std::string_view segment);

}  // namespace telemetry::http
