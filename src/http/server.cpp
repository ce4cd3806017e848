#include "http/server.h"

#include <chrono>

#include <fmt/format.h>

#include "http/after_commit.h"
#include "http/auth.h"
#include "http/event_loop.h"
#include "http/request_engine.h"
#include "http/rate_limiter.h"
#include "http/responses.h"
#include "util/config_values.h"
#include "util/log.h"

namespace telemetry::http {
namespace {

// Per-request facts the logger needs after the response is written. A thread
// runs a request start to finish (a handed-off write keeps them in its
// PendingAnswer until it is resumed), so thread_local is exact.
thread_local std::chrono::steady_clock::time_point request_started;
thread_local const char* request_route = "other";

RouteHandler handler_for(Route route, const std::string& method) {
  switch (route) {
    case Route::kHealth: return handle_health;
    case Route::kMetrics: return handle_metrics;
    case Route::kRuns: return method == "POST" ? handle_create_run : handle_list_runs;
    case Route::kRunsBatch: return handle_create_batch;
    case Route::kRun: return method == "PATCH" ? handle_patch_run : handle_get_run;
    case Route::kAssociateCommit: return handle_associate_commit;
    case Route::kCommitUrl: return handle_commit_url;
    case Route::kRepoUrl: return handle_repo_url;
    case Route::kMetadata: return handle_metadata;
    case Route::kStatsTrends: return handle_stats_trends;
    case Route::kStatsAgents: return handle_stats_agents;
    case Route::kStatsHealth: return handle_stats_health;
    case Route::kUiPage:
    case Route::kUiAsset: return handle_ui;
  }
  return nullptr;
}

// The dashboard's page and assets are open like /health: they hold no data,
// and the page asks for the token the data routes need.
bool is_api_route(Route route) {
  return route != Route::kHealth && route != Route::kMetrics && route != Route::kUiPage && route != Route::kUiAsset;
}

// The routes that write one run through answer_after_commit(), and so may run
// on the I/O thread (event_loop.h). Batches go to workers: validating many
// runs is work that several workers share across cores, and the hop costs
// little beside it.
bool is_single_run_write(Route route, std::string_view method) {
  switch (route) {
    case Route::kRuns:
    case Route::kAssociateCommit:
      return method == "POST";
    case Route::kRun:
      return method == "PATCH";
    default:
      return false;
  }
}

bool is_multipart(const httplib::Request& request) {
  const std::string type = request.get_header_value("Content-Type");
  return type.rfind("multipart/form-data", 0) == 0;
}

enum class BodyRead { kOk, kTooLarge, kBad };

// Reads the body through the library's decoder, counting decoded bytes so a
// chunked or compressed body cannot exceed the limit either (docs/reference/http-api.md §4).
BodyRead read_body(const httplib::ContentReader& reader, httplib::Response& response,
                   std::size_t limit, std::string& body) {
  bool too_large = false;
  bool ok = reader([&](const char* data, std::size_t length) {
    if (body.size() + length > limit) {
      too_large = true;
      return false;
    }
    body.append(data, length);
    return true;
  });
  if (too_large || response.status == 413) return BodyRead::kTooLarge;
  return ok ? BodyRead::kOk : BodyRead::kBad;
}

// The library compresses with Brotli at its slowest quality, which turns a
// 0.1 s answer into several seconds; gzip costs little. The request object is
// the library's own mutable one, handed to us as const.
void prefer_gzip_over_brotli(httplib::Request& request) {
  auto it = request.headers.find("Accept-Encoding");
  if (it == request.headers.end()) return;
  std::string kept;
  std::size_t start = 0;
  const std::string& value = it->second;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string token = value.substr(start, end - start);
    const std::size_t first = token.find_first_not_of(" \t");
    const std::string name = first == std::string::npos ? "" : token.substr(first, token.find_first_of(" \t;", first) - first);
    if (!name.empty() && name != "br") kept += (kept.empty() ? "" : ", ") + token.substr(first);
    start = end + 1;
  }
  it->second = kept;
}

}  // namespace

Server::Server(ServiceContext& context, ListenSocket listener, std::size_t max_connections)
    : context_(context), server_(std::make_unique<RequestEngine>()), port_(listener.port()) {
  const Config& config = context.config;
  // The front end frames each request (and refuses an oversized one) before
  // the library sees it; the library's own limit is the same, for bodies it
  // decodes (gzip, deflate).
  server_->set_payload_max_length(static_cast<std::size_t>(config.max_body_bytes));
  FrontDoorSettings settings;
  // Only for the Keep-Alive header the library writes; the front end keeps
  // time and counts requests.
  server_->set_keep_alive_timeout(config.keepalive_seconds);
  server_->set_keep_alive_max_count(settings.max_requests_per_connection);
  install_routes();

  settings.read_timeout = std::chrono::seconds(config.read_timeout_seconds);
  settings.keepalive = std::chrono::seconds(config.keepalive_seconds);
  settings.write_timeout = std::chrono::seconds(config.read_timeout_seconds);
  settings.max_connections = max_connections;
  settings.max_connections_per_address = static_cast<std::size_t>(config.max_connections_per_address);
  settings.limits.max_header_bytes = static_cast<std::size_t>(config.max_header_bytes);
  settings.limits.max_body_bytes = static_cast<std::uint64_t>(config.max_body_bytes);
  settings.workers = static_cast<std::size_t>(config.http_threads);
  settings.hands_off_writes = [](std::string_view method, std::string_view target) {
    const Resolution resolution = resolve(method, target);
    return resolution.match && resolution.method_allowed && is_single_run_write(resolution.match->route, method);
  };
  loop_ = std::make_unique<EventLoop>(std::move(listener), *server_, settings);
}

Server::~Server() = default;

void Server::install_routes() {
  auto auth = std::make_shared<Authenticator>(context_.config, context_.metrics);
  auto limiter = std::make_shared<RateLimiter>(context_.config, context_.metrics);

  // Everything common to every route, in the order of docs/reference/http-api.md §3.
  // Returns the handler to run, or nullptr when the response is already decided.
  auto admit = [this, auth, limiter](const httplib::Request& request, httplib::Response& response,
                                     RouteMatch& match) -> RouteHandler {
    const std::string length = request.get_header_value("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) >
                               static_cast<unsigned long long>(context_.config.max_body_bytes)) {
      send_detail(response, 413, fmt::format("Request body too large: the limit is {} bytes",
                                             context_.config.max_body_bytes));
      return nullptr;
    }
    // The raw target, not request.path: the library has already percent-decoded
    // the path, which would turn an event id's %2F into a segment separator.
    Resolution resolution = resolve(request.method, request.target);
    if (!resolution.match) {
      send_detail(response, 404, "Not Found");
      return nullptr;
    }
    request_route = route_template(resolution.match->route);
    if (!resolution.method_allowed) {
      response.set_header("Allow", resolution.allow);
      send_detail(response, 405, "Method Not Allowed");
      return nullptr;
    }
    match = *resolution.match;
    if (is_api_route(match.route)) {
      // The limiter first, so failed logins spend their address's budget.
      if (!limiter->admit(request, response)) return nullptr;
      if (!auth->admit(request, response)) return nullptr;
    }
    return handler_for(match.route, request.method);
  };

  auto without_body = [this, admit](const httplib::Request& request, httplib::Response& response) {
    RouteMatch match{Route::kHealth, ""};
    RouteHandler handler = admit(request, response, match);
    if (!handler) return;
    handler(context_, RouteRequest{request, match, request.body}, response);
  };

  auto with_body = [this, admit](const httplib::Request& request, httplib::Response& response,
                                 const httplib::ContentReader& reader) {
    std::string body;
    if (is_multipart(request)) {
      send_detail(response, 400, "Bad Request");
      return;
    }
    RouteMatch match{Route::kHealth, ""};
    RouteHandler handler = admit(request, response, match);
    // Read the body even when refusing, so a keep-alive connection stays in sync.
    // A request with neither Content-Length nor chunked framing has no body
    // (the library would otherwise wait for the peer to close).
    const bool has_body = request.has_header("Content-Length") ||
                          request.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
    BodyRead read = has_body ? read_body(reader, response,
                                         static_cast<std::size_t>(context_.config.max_body_bytes), body)
                             : BodyRead::kOk;
    if (!handler) return;
    if (read == BodyRead::kTooLarge) {
      send_detail(response, 413, fmt::format("Request body too large: the limit is {} bytes",
                                             context_.config.max_body_bytes));
      return;
    }
    if (read == BodyRead::kBad) {
      send_detail(response, 400, "Bad Request");
      return;
    }
    handler(context_, RouteRequest{request, match, std::move(body)}, response);
  };

  const char* any = ".*";
  server_->Get(any, without_body);
  server_->Options(any, without_body);
  server_->Post(any, with_body);
  server_->Patch(any, with_body);
  server_->Put(any, with_body);
  server_->Delete(any, with_body);

  server_->set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    prefer_gzip_over_brotli(const_cast<httplib::Request&>(request));
    if (PendingAnswer* answer = resumed_answer()) {
      // Everything up to the write was done when the request first ran.
      request_started = answer->started;
      request_route = answer->route;
      response.headers = answer->headers;
      answer->render(answer->result, response);
      return httplib::Server::HandlerResponse::Handled;
    }
    request_started = std::chrono::steady_clock::now();
    request_route = "other";
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Errors the library produces itself (400, 413, 414, 416...) get the JSON detail body.
  httplib::Server::HandlerWithResponse library_errors = [](const httplib::Request&,
                                                            httplib::Response& response) {
    if (response.body.empty()) {
      response.set_content(dump_compact(ordered_json{{"detail", default_detail(response.status)}}),
                           "application/json");
    }
    return httplib::Server::HandlerResponse::Handled;
  };
  server_->set_error_handler(library_errors);

  server_->set_exception_handler([](const httplib::Request& request, httplib::Response& response,
                                    std::exception_ptr error) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    }
    log::error("unhandled exception", {{"method", request.method}, {"path", request.path}, {"error", what}});
    send_detail(response, 500, "Internal Server Error");
  });

  // Counted just before the response is sent rather than in the logger
  // (which runs after), so a client that reads /metrics right after a
  // response always finds that response counted.
  server_->set_post_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (PendingAnswer* answer = handed_off_answer()) {
      // Not answered yet: counted when it is resumed.
      answer->started = request_started;
      answer->route = request_route;
      return;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started).count();
    context_.metrics.count_request(request_route, request.method, response.status, seconds);
  });

  server_->set_logger([](const httplib::Request& request, const httplib::Response& response) {
    if (!log::enabled(log::Level::kInfo) || handed_off_answer() != nullptr) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started).count();
    log::info("request", {{"method", request.method},
                          {"path", request.path},
                          {"status", std::to_string(response.status)},
                          {"duration_ms", fmt::format("{:.3f}", seconds * 1000.0)},
                          {"bytes", std::to_string(response.body.size())},
                          {"peer", request.remote_addr}});
  });
}

void Server::listen() { loop_->run(); }

void Server::stop() { loop_->stop(); }

std::string Server::base_url() const { return config_values::url_for_listen_address(context_.config.api_host, port_); }

}  // namespace telemetry::http
