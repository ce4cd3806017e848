// GET /health and GET /metrics: never authenticated, never rate limited.
#include <fmt/format.h>

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
                    {"journal_mode", context.journal_mode},
                    {"synchronous", context.synchronous},
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

}  // namespace telemetry::http
