#include "http/router.h"

#include <vector>

#include "util/ascii.h"

namespace telemetry::http {
namespace {

struct PathShape {
  std::optional<Route> get, post, patch;
};

std::string allow_header(const PathShape& shape) {
  std::string allow;
  auto add = [&](const char* method) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  };
  if (shape.get) { add("GET"); add("HEAD"); }
  if (shape.patch) add("PATCH");
  if (shape.post) add("POST");
  return allow;
}

}  // namespace

std::optional<std::string> percent_decode_segment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out += segment[i];
      continue;
    }
    if (i + 2 >= segment.size()) return std::nullopt;
    int high = ascii::hex_value(segment[i + 1]);
    int low = ascii::hex_value(segment[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

const char* route_template(Route route) {
  switch (route) {
    case Route::kHealth: return "/health";
    case Route::kMetrics: return "/metrics";
    case Route::kRuns: return "/api/v1/runs";
    case Route::kRunsBatch: return "/api/v1/runs/batch";
    case Route::kRun: return "/api/v1/runs/{event_id}";
    case Route::kAssociateCommit: return "/api/v1/runs/{event_id}/associate-commit";
    case Route::kCommitUrl: return "/api/v1/runs/{event_id}/commit-url";
    case Route::kRepoUrl: return "/api/v1/runs/{event_id}/repo-url";
    case Route::kMetadata: return "/api/v1/metadata";
    case Route::kStatsTrends: return "/api/v1/stats/trends";
    case Route::kStatsAgents: return "/api/v1/stats/agents";
    case Route::kStatsHealth: return "/api/v1/stats/health";
    case Route::kUiPage: return "/";
    case Route::kUiAsset: return "/ui/{asset}";
  }
  return "other";
}

Resolution resolve(std::string_view method, std::string_view raw_path) {
  Resolution resolution;
  std::string_view path = raw_path.substr(0, raw_path.find('?'));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.empty() || path.front() != '/') return resolution;

  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto decoded = percent_decode_segment(path.substr(start, end - start));
    if (!decoded) return resolution;
    segments.push_back(std::move(*decoded));
    start = end + 1;
  }

  PathShape shape;
  std::string event_id;
  const auto n = segments.size();
  if (n == 1 && segments[0].empty()) {
    shape.get = Route::kUiPage;
  } else if (n == 2 && segments[0] == "ui" && !segments[1].empty()) {
    event_id = segments[1];
    shape.get = Route::kUiAsset;
  } else if (n == 1 && segments[0] == "health") {
    shape.get = Route::kHealth;
  } else if (n == 1 && segments[0] == "metrics") {
    shape.get = Route::kMetrics;
  } else if (n >= 3 && segments[0] == "api" && segments[1] == "v1") {
    if (n == 3 && segments[2] == "runs") {
      shape.get = Route::kRuns;
      shape.post = Route::kRuns;
    } else if (n == 3 && segments[2] == "metadata") {
      shape.get = Route::kMetadata;
    } else if (n == 4 && segments[2] == "stats") {
      if (segments[3] == "trends") shape.get = Route::kStatsTrends;
      if (segments[3] == "agents") shape.get = Route::kStatsAgents;
      if (segments[3] == "health") shape.get = Route::kStatsHealth;
    } else if (n == 4 && segments[2] == "runs" && !segments[3].empty()) {
      event_id = segments[3];
      shape.get = Route::kRun;
      shape.patch = Route::kRun;
      if (segments[3] == "batch") shape.post = Route::kRunsBatch;
    } else if (n == 5 && segments[2] == "runs" && !segments[3].empty()) {
      event_id = segments[3];
      if (segments[4] == "associate-commit") shape.post = Route::kAssociateCommit;
      if (segments[4] == "commit-url") shape.get = Route::kCommitUrl;
      if (segments[4] == "repo-url") shape.get = Route::kRepoUrl;
    }
  }
  if (!shape.get && !shape.post && !shape.patch) return resolution;

  std::optional<Route> chosen;
  if (method == "GET" || method == "HEAD") chosen = shape.get;
  if (method == "POST") chosen = shape.post;
  if (method == "PATCH") chosen = shape.patch;
  if (!chosen) {
    resolution.match = RouteMatch{shape.get ? *shape.get : shape.post ? *shape.post : *shape.patch, event_id};
    resolution.method_allowed = false;
    resolution.allow = allow_header(shape);
    return resolution;
  }
  resolution.match = RouteMatch{*chosen, event_id};
  resolution.method_allowed = true;
  return resolution;
}

}  // namespace telemetry::http
