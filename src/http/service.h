#pragma once
// Everything a route handler may use, owned by the Server for its lifetime.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "db/writer.h"
#include "http/read_pool.h"
#include "http/router.h"
#include "http/service_metrics.h"
#include "util/config.h"
#include "util/sqlite_settings.h"

namespace telemetry::http {

// GET /api/v1/metadata's one cache entry (docs/reference/http-api.md §15).
class MetadataCache {
 public:
  std::optional<nlohmann::ordered_json> get();  // nullopt when missing or older than 300 s
  // Counts invalidations. A value computed by a read that began at generation g
  // is stored by put(value, g) only if no invalidation happened since: a read
  // that raced a write must not keep the pre-write answer for 300 s.
  std::uint64_t generation();
  void put(nlohmann::ordered_json value, std::uint64_t generation_at_read);
  void invalidate();

 private:
  std::mutex mutex_;
  std::optional<nlohmann::ordered_json> value_;
  std::chrono::steady_clock::time_point computed_at_;
  std::uint64_t generation_ = 0;
};

struct ServiceContext {
  const Config& config;
  db::Writer& writer;
  ReadPool& reads;
  ServiceMetrics& metrics;
  MetadataCache& metadata_cache;
  // What /health reports, fixed when the write connection was opened.
  std::string db_path;
  JournalMode journal_mode = JournalMode::kDelete;
  Synchronous synchronous = Synchronous::kFull;
  int schema_version = 7;
};

// A request after routing, auth and rate limiting; the body already read and
// decoded within the size limit (empty when the request had none).
struct RouteRequest {
  const httplib::Request& http;
  RouteMatch match;
  std::string body;
};

using RouteHandler = void (*)(ServiceContext&, const RouteRequest&, httplib::Response&);

// Write routes (routes_write.cpp).
void handle_create_run(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_create_batch(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_patch_run(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_associate_commit(ServiceContext&, const RouteRequest&, httplib::Response&);
// Read routes (routes_read.cpp).
void handle_list_runs(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_get_run(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_commit_url(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_repo_url(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_metadata(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_stats_trends(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_stats_agents(ServiceContext&, const RouteRequest&, httplib::Response&);
// Operations routes (routes_ops.cpp).
void handle_health(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_metrics(ServiceContext&, const RouteRequest&, httplib::Response&);
void handle_stats_health(ServiceContext&, const RouteRequest&, httplib::Response&);
// The dashboard's embedded files (routes_ui.cpp).
void handle_ui(ServiceContext&, const RouteRequest&, httplib::Response&);

// Sends the answer for a failed writer submission (503/507/500) with the
// route's 500 prefix (docs/reference/http-api.md §5.1).
void send_write_failure(httplib::Response& response, const db::WriteResult& result,
                        const std::string& prefix_500);

}  // namespace telemetry::http
