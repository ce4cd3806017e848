#include "http/metrics_fetch.h"

#include <fmt/format.h>

#include "db/pragmas.h"
#include "db/read_only_database.h"
#include "http/client.h"
#include "util/error.h"

namespace telemetry::http {
namespace {

using Json = nlohmann::ordered_json;

Json metrics_from_file(const MetricsSource& source, const MetricsQuery& query) {
  auto connection = db::open_for_reading(source.db_path, source.busy_timeout_ms, db::ShapeRequirement::kAgentRuns);
  try {
    return metrics_body(*connection, query, source.db_path, db::journal_mode_in_force(*connection));
  } catch (const db::SqliteError& error) {
    throw db::read_failure(error, source.db_path);
  }
}

Json metrics_from_service(const MetricsSource& source, const MetricsQuery& query) {
  // One attempt: a status command should answer at once, not retry for half a minute.
  ClientSettings settings;
  settings.base_url = *source.url;
  settings.token = source.token;
  settings.max_retries = 0;
  ApiClient client(settings);
  const std::string target = metrics_target(query);
  ApiResponse response = client.get(target);
  Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status != 200 || !body.is_object()) {
    throw Error(ErrorKind::kUnavailable,
                fmt::format("{}{} answered {}: {}", *source.url, target, response.status, response.body));
  }
  return body;
}

}  // namespace

std::string metrics_target(const MetricsQuery& query) {
  return fmt::format("/metrics?format=json{}&by={}",
                     query.since_given ? "&since=" + encode_path_segment(query.since) : "",
                     encode_path_segment(query.by));
}

Json fetch_metrics(const MetricsSource& source, const MetricsQuery& query) {
  return source.url ? metrics_from_service(source, query) : metrics_from_file(source, query);
}

}  // namespace telemetry::http
