// GET /health and GET /metrics: never authenticated, never rate limited.
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "db/backup/backup_owner.h"
#include "db/backup/catalog.h"

#include "http/metrics_body.h"
#include "http/prometheus.h"
#include "http/responses.h"
#include "http/service.h"
#include "telemetry_version.h"

namespace telemetry::http {

void handle_health(ServiceContext& context, const RouteRequest&, httplib::Response& response) {
  // /health does not touch the database: the values were read at start.
  const bool failed = context.writer.failed();
  ordered_json body{{"status", failed ? "failed" : "ok"},
                    {"version", TELEMETRY_VERSION},
                    {"db_path", context.db_path},
                    {"journal_mode", journal_mode_name(context.journal_mode)},
                    {"synchronous", synchronous_name(context.synchronous)},
                    {"schema_version", context.schema_version},
                    {"writer", failed ? "failed" : "ok"}};
  if (failed) body["writer_error"] = context.writer.failure_reason();
  send_json(response, failed ? 503 : 200, body);
}

namespace {

bool wants_prometheus(const httplib::Request& request, bool& format_error, std::string& format_value) {
  if (request.has_param("format")) {
    format_value = request.get_param_value("format", request.get_param_value_count("format") - 1);
    if (format_value == "prometheus") return true;
    if (format_value == "json") return false;
    format_error = true;
    return false;
  }
  const std::string accept = request.get_header_value("Accept");
  const bool text = accept.find("text/plain") != std::string::npos ||
                    accept.find("application/openmetrics-text") != std::string::npos;
  return text && accept.find("application/json") == std::string::npos;
}

std::string last_param(const httplib::Request& request, const char* name, const char* fallback) {
  const std::size_t count = request.get_param_value_count(name);
  if (count == 0) return fallback;
  std::string value = request.get_param_value(name, count - 1);
  return value.empty() ? fallback : value;
}

}  // namespace

void handle_metrics(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  bool format_error = false;
  std::string format_value;
  const bool prometheus = wants_prometheus(request.http, format_error, format_value);
  if (format_error) {
    send_validation_errors(response, {FieldError{"enum", ordered_json::array({"query", "format"}),
                                                 "Input should be 'json' or 'prometheus'", format_value,
                                                 ordered_json{{"expected", "'json' or 'prometheus'"}}}});
    return;
  }
  try {
    if (prometheus) {
      response.status = 200;
      response.set_content(render_prometheus(context), "text/plain; version=0.0.4; charset=utf-8");
      return;
    }
    MetricsQuery query{last_param(request.http, "since", "24h"), last_param(request.http, "by", "agent"),
                       request.http.has_param("since")};
    FieldErrors errors = validate_metrics_query(query);
    if (!errors.empty()) {
      send_validation_errors(response, errors);
      return;
    }
    auto connection = context.reads.acquire();
    send_json(response, 200, metrics_body(*connection, query, context.db_path, context.journal_mode));
  } catch (const db::SqliteError& error) {
    send_detail(response, 500, fmt::format("Failed to compute metrics: {}", error.what()));
  }
}

namespace {

std::uint64_t size_or_zero(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<std::uint64_t>(size);
}

}  // namespace

// The dashboard's Health view: what /health and the Prometheus form of
// /metrics say, plus the newest backup, as one JSON object. No SQL.
void handle_stats_health(ServiceContext& context, const RouteRequest&, httplib::Response& response) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  const auto now = std::chrono::system_clock::now();
  const bool failed = context.writer.failed();
  ordered_json body{{"status", failed ? "failed" : "ok"},
                    {"version", TELEMETRY_VERSION},
                    {"writer", failed ? "failed" : "ok"},
                    {"writer_error", failed ? ordered_json(context.writer.failure_reason()) : ordered_json(nullptr)},
                    {"queue_depth", context.writer.queue_depth()},
                    {"db_path", context.db_path},
                    {"db_size_bytes", size_or_zero(context.db_path)},
                    {"wal_size_bytes", size_or_zero(context.db_path + "-wal")},
                    {"journal_mode", journal_mode_name(context.journal_mode)},
                    {"synchronous", synchronous_name(context.synchronous)},
                    {"schema_version", context.schema_version},
                    {"uptime_seconds", static_cast<std::int64_t>(
                         duration_cast<seconds>(now.time_since_epoch()).count() - context.metrics.start_time_seconds)},
                    {"backup_dir", context.config.backup_dir}};
  // The folder may hold other databases' backups too: only this one's count.
  const auto backups = db::backup::backups_of_database(context.config.backup_dir, context.db_path).backups;
  if (backups.empty()) {
    body["last_backup"] = nullptr;
  } else {
    const auto& last = backups.back();
    body["last_backup"] = ordered_json{{"name", last.name},
                                       {"time", db::backup::format_utc_seconds(last.time)},
                                       {"age_seconds", duration_cast<seconds>(now - last.time).count()},
                                       {"bytes", last.bytes},
                                       {"verified", last.record.has_value()}};
  }
  ordered_json requests = ordered_json::array();
  for (const auto& [key, count] : context.metrics.requests()) {
    const auto& [route, method, code] = key;
    requests.push_back(ordered_json{{"route", route}, {"method", method}, {"code", code}, {"count", count}});
  }
  body["requests"] = std::move(requests);
  body["rate_limited"] = context.metrics.rate_limited.load();
  body["auth_failures"] = context.metrics.auth_failures.load();
  send_json(response, 200, body);
}

}  // namespace telemetry::http
