// router.resolve: every route, method, 404/405 and the Allow header of
// docs/reference/http-api.md §2.1, percent-decoding of {event_id} and the trailing slash.
#include <catch2/catch.hpp>

#include "http/router.h"

using telemetry::http::percent_decode_segment;
using telemetry::http::resolve;
using telemetry::http::Route;
using telemetry::http::route_template;

namespace {

void require_route(const char* method, const char* path, Route route, const std::string& event_id = "") {
  INFO(method << " " << path);
  auto resolution = resolve(method, path);
  REQUIRE(resolution.match.has_value());
  CHECK(resolution.method_allowed);
  CHECK(resolution.match->route == route);
  CHECK(resolution.match->event_id == event_id);
}

void require_405(const char* method, const char* path, const std::string& allow) {
  INFO(method << " " << path);
  auto resolution = resolve(method, path);
  REQUIRE(resolution.match.has_value());
  CHECK_FALSE(resolution.method_allowed);
  CHECK(resolution.allow == allow);
}

void require_404(const char* method, const char* path) {
  INFO(method << " " << path);
  CHECK_FALSE(resolve(method, path).match.has_value());
}

}  // namespace

TEST_CASE("every route is found with its methods", "[router]") {
  require_route("GET", "/health", Route::kHealth);
  require_route("HEAD", "/health", Route::kHealth);
  require_route("GET", "/metrics", Route::kMetrics);
  require_route("HEAD", "/metrics", Route::kMetrics);
  require_route("POST", "/api/v1/runs", Route::kRuns);
  require_route("GET", "/api/v1/runs", Route::kRuns);
  require_route("HEAD", "/api/v1/runs", Route::kRuns);
  require_route("POST", "/api/v1/runs/batch", Route::kRunsBatch, "batch");
  require_route("GET", "/api/v1/runs/e-1", Route::kRun, "e-1");
  require_route("HEAD", "/api/v1/runs/e-1", Route::kRun, "e-1");
  require_route("PATCH", "/api/v1/runs/e-1", Route::kRun, "e-1");
  require_route("POST", "/api/v1/runs/e-1/associate-commit", Route::kAssociateCommit, "e-1");
  require_route("GET", "/api/v1/runs/e-1/commit-url", Route::kCommitUrl, "e-1");
  require_route("HEAD", "/api/v1/runs/e-1/commit-url", Route::kCommitUrl, "e-1");
  require_route("GET", "/api/v1/runs/e-1/repo-url", Route::kRepoUrl, "e-1");
  require_route("GET", "/api/v1/metadata", Route::kMetadata);
  require_route("HEAD", "/api/v1/metadata", Route::kMetadata);
}

TEST_CASE("GET and PATCH /api/v1/runs/batch are the single-run route with event_id batch", "[router]") {
  require_route("GET", "/api/v1/runs/batch", Route::kRun, "batch");
  require_route("PATCH", "/api/v1/runs/batch", Route::kRun, "batch");
  require_route("GET", "/api/v1/runs/batch/commit-url", Route::kCommitUrl, "batch");
}

TEST_CASE("a known path with a wrong method is 405 with the path's methods in Allow", "[router]") {
  require_405("POST", "/health", "GET, HEAD");
  require_405("DELETE", "/metrics", "GET, HEAD");
  require_405("OPTIONS", "/metrics", "GET, HEAD");
  require_405("DELETE", "/api/v1/runs", "GET, HEAD, POST");
  require_405("PUT", "/api/v1/runs", "GET, HEAD, POST");
  require_405("PATCH", "/api/v1/runs", "GET, HEAD, POST");
  require_405("OPTIONS", "/api/v1/runs", "GET, HEAD, POST");
  require_405("POST", "/api/v1/runs/e-1", "GET, HEAD, PATCH");
  require_405("DELETE", "/api/v1/runs/e-1", "GET, HEAD, PATCH");
  require_405("PUT", "/api/v1/runs/batch", "GET, HEAD, PATCH, POST");
  require_405("GET", "/api/v1/runs/e-1/associate-commit", "POST");
  require_405("PATCH", "/api/v1/runs/e-1/associate-commit", "POST");
  require_405("POST", "/api/v1/runs/e-1/commit-url", "GET, HEAD");
  require_405("POST", "/api/v1/runs/e-1/repo-url", "GET, HEAD");
  require_405("POST", "/api/v1/metadata", "GET, HEAD");
  require_405("PATCH", "/api/v1/metadata", "GET, HEAD");
}

TEST_CASE("the dashboard's routes", "[router]") {
  require_route("GET", "/", Route::kUiPage);
  require_route("HEAD", "/", Route::kUiPage);
  require_route("GET", "/ui/app.js", Route::kUiAsset, "app.js");
  require_route("GET", "/api/v1/stats/trends", Route::kStatsTrends);
  require_route("GET", "/api/v1/stats/agents?since=7d", Route::kStatsAgents);
  require_route("GET", "/api/v1/stats/health", Route::kStatsHealth);
  require_405("POST", "/", "GET, HEAD");
  require_405("POST", "/api/v1/stats/trends", "GET, HEAD");
  require_404("GET", "/ui");
  require_404("GET", "/ui/");
  require_404("GET", "/ui/a/b");
  require_404("GET", "/api/v1/stats");
  require_404("GET", "/api/v1/stats/other");
  CHECK(std::string(route_template(Route::kUiAsset)) == "/ui/{asset}");
  CHECK(std::string(route_template(Route::kStatsTrends)) == "/api/v1/stats/trends");
}

TEST_CASE("unknown and unserved paths are 404", "[router]") {
  require_404("GET", "/docs");
  require_404("GET", "/redoc");
  require_404("GET", "/openapi.json");
  require_404("GET", "/version");
  require_404("GET", "/api/v1/metadata/agent_name");
  require_404("GET", "/api/v1");
  require_404("GET", "/api/v2/runs");
  require_404("GET", "/api/v1/runs/e-1/other");
  require_404("POST", "/api/v1/runs/e-1/commit-url/x");
  require_404("GET", "/api/v1/runs//commit-url");  // {event_id} must not be empty
  require_404("GET", "/api/v1/runs//");            // only one trailing slash is ignored
  require_404("GET", "/health//");
  require_404("GET", "/HEALTH");
  require_404("DELETE", "/nowhere");
}

TEST_CASE("one trailing slash is ignored", "[router]") {
  require_route("GET", "/api/v1/runs/", Route::kRuns);
  require_route("GET", "/health/", Route::kHealth);
  require_route("GET", "/api/v1/metadata/", Route::kMetadata);
  require_route("PATCH", "/api/v1/runs/e-1/", Route::kRun, "e-1");
  require_route("GET", "/api/v1/runs/e-1/repo-url/", Route::kRepoUrl, "e-1");
}

TEST_CASE("segments are split first, then percent-decoded", "[router]") {
  require_route("GET", "/api/v1/runs/a%2Fb", Route::kRun, "a/b");
  require_route("GET", "/api/v1/runs/a%2fb/commit-url", Route::kCommitUrl, "a/b");
  require_route("GET", "/api/v1/runs/%2F", Route::kRun, "/");
  require_route("GET", "/api/v1/runs/a+b", Route::kRun, "a+b");  // + is literal in a path
  require_route("GET", "/api/v1/runs/a%20b", Route::kRun, "a b");
  require_route("GET", "/api/v1/runs/%C3%BCber", Route::kRun, "\xC3\xBC" "ber");
  require_route("GET", "/api/v1/runs/%62atch", Route::kRun, "batch");
  require_route("GET", "/api/v1/%72uns", Route::kRuns);
  require_route("POST", "/api/v1/runs/%62atch", Route::kRunsBatch, "batch");
}

TEST_CASE("the query string is not part of the path", "[router]") {
  require_route("GET", "/api/v1/runs?limit=5", Route::kRuns);
  require_route("GET", "/api/v1/runs/?limit=5&x=%2F", Route::kRuns);
  require_route("GET", "/metrics?format=prometheus", Route::kMetrics);
  require_route("GET", "/api/v1/runs/a%3Fb?x=1", Route::kRun, "a?b");
}

TEST_CASE("percent_decode_segment", "[router]") {
  CHECK(percent_decode_segment("abc") == "abc");
  CHECK(percent_decode_segment("%41%42") == "AB");
  CHECK(percent_decode_segment("a+b") == "a+b");
  CHECK(percent_decode_segment("%2F%2f") == "//");
  CHECK_FALSE(percent_decode_segment("%").has_value());
  CHECK_FALSE(percent_decode_segment("%4").has_value());
  CHECK_FALSE(percent_decode_segment("%zz").has_value());
  CHECK_FALSE(percent_decode_segment("ab%").has_value());
}

TEST_CASE("route templates are the Prometheus route labels", "[router]") {
  CHECK(std::string(route_template(Route::kRun)) == "/api/v1/runs/{event_id}");
  CHECK(std::string(route_template(Route::kAssociateCommit)) == "/api/v1/runs/{event_id}/associate-commit");
  CHECK(std::string(route_template(Route::kCommitUrl)) == "/api/v1/runs/{event_id}/commit-url");
  CHECK(std::string(route_template(Route::kRepoUrl)) == "/api/v1/runs/{event_id}/repo-url");
  CHECK(std::string(route_template(Route::kRunsBatch)) == "/api/v1/runs/batch");
  CHECK(std::string(route_template(Route::kRuns)) == "/api/v1/runs");
  CHECK(std::string(route_template(Route::kMetadata)) == "/api/v1/metadata");
  CHECK(std::string(route_template(Route::kHealth)) == "/health");
  CHECK(std::string(route_template(Route::kMetrics)) == "/metrics");
}
