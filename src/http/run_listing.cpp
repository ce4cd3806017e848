#include "http/run_listing.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/duration.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/read_only_database.h"
#include "db/run_queries.h"
#include "db/shape.h"
#include "http/client.h"
#include "http/run_json.h"
#include "util/error.h"

namespace telemetry::http {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kPage = 1000;  // the API's largest limit
const char* const kTsvColumns[] = {"event_id", "run_id", "agent_name", "job_type", "status",
                                   "start_time", "end_time", "duration_ms", "error_summary"};

std::string text_of(const Json& value) {
  if (value.is_null()) return "";
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string tsv_field(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

// A table cell: one line, at most `width` characters (UTF-8 aware enough: cut at a character start).
std::string cell(const std::string& text, std::size_t width) {
  std::string line = tsv_field(text);
  if (line.size() <= width) return line;
  std::size_t cut = width - 1;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "~";
}

std::string query_value(const std::string& text) { return encode_path_segment(text); }

template <typename Body>
auto with_database(const RunsSource& source, Body body) {
  auto connection = db::open_for_reading(*source.db_path, source.busy_timeout_ms, db::ShapeRequirement::kAgentRuns);
  try {
    return body(*connection);
  } catch (const db::SqliteError& error) {
    throw db::read_failure(error, *source.db_path);
  }
}


Json ask(ApiClient& client, const std::string& target) {
  ApiResponse response = client.get(target);
  Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status == 401) {
    throw Error(ErrorKind::kConfig, "the service requires a token; set TELEMETRY_API_AUTH_TOKEN or "
                                    "TELEMETRY_API_AUTH_TOKEN_FILE (" + response.body + ")");
  }
  if (response.status == 404) return nullptr;
  if (response.status != 200 || body.is_discarded()) {
    throw Error(ErrorKind::kUnavailable,
                fmt::format("{}{} answered {}: {}", client.base_url(), target, response.status, response.body));
  }
  return body;
}

}  // namespace

std::optional<std::string> created_after_bound(const std::string& since) {
  if (auto window = parse_duration(since)) return canonical_utc(std::chrono::system_clock::now() - *window);
  return canonical_utc(since, TimestampSyntax::kFilter);
}

std::vector<Json> list_runs(const RunsQuery& query, const RunsSource& source) {
  const std::optional<std::string>& after = query.created_after;
  const std::optional<std::string>& status = query.status;
  std::vector<Json> runs;
  if (source.db_path) {
    return with_database(source, [&](db::Connection& connection) {
      db::RunFilter filter;
      filter.agent_name = query.agent_name;
      filter.status = status;
      filter.job_type = query.job_type;
      filter.created_after = after;
      filter.limit = query.limit;
      for (db::StoredRow& row : db::list_runs(connection, filter)) runs.push_back(run_record_json(std::move(row)));
      return runs;
    });
  }
  ClientSettings settings;
  settings.base_url = source.url;
  settings.token = source.token;
  settings.max_retries = 0;
  ApiClient client(settings);
  std::string filters;
  if (query.agent_name) filters += "&agent_name=" + query_value(*query.agent_name);
  if (status) filters += "&status=" + *status;
  if (query.job_type) filters += "&job_type=" + query_value(*query.job_type);
  if (after) filters += "&created_after=" + query_value(*after);
  for (std::int64_t offset = 0; offset < query.limit;) {
    const std::int64_t page = std::min(kPage, query.limit - offset);
    Json body = ask(client, fmt::format("/api/v1/runs?limit={}&offset={}{}", page, offset, filters));
    if (!body.is_array()) throw Error(ErrorKind::kUnavailable, "GET /api/v1/runs: the answer is not a list");
    for (Json& run : body) runs.push_back(std::move(run));
    if (static_cast<std::int64_t>(body.size()) < page) break;
    offset += page;
  }
  return runs;
}

Json show_run(const std::string& event_id, const RunsSource& source) {
  if (source.db_path) {
    return with_database(source, [&](db::Connection& connection) {
      auto row = db::find_run(connection, event_id);
      if (!row) throw Error(ErrorKind::kNotFound, "Run not found: " + event_id);
      return run_record_json(std::move(*row));
    });
  }
  ClientSettings settings;
  settings.base_url = source.url;
  settings.token = source.token;
  settings.max_retries = 0;
  ApiClient client(settings);
  Json run = ask(client, "/api/v1/runs/" + encode_path_segment(event_id));
  if (run.is_null()) throw Error(ErrorKind::kNotFound, "Run not found: " + event_id);
  return run;
}

std::string format_runs(const std::vector<Json>& runs, RunsFormat format) {
  std::string out;
  if (format == RunsFormat::kJson) {
    Json array = Json::array();
    for (const Json& run : runs) array.push_back(run);
    return array.dump() + "\n";
  }
  if (format == RunsFormat::kTsv) {
    for (const Json& run : runs) {
      bool first = true;
      for (const char* column : kTsvColumns) {
        if (!first) out += '\t';
        first = false;
        out += tsv_field(text_of(run.value(column, Json())));
      }
      out += '\n';
    }
    return out;
  }
  // Table: start time to the second, the short event id prefix, the error cut to fit.
  const std::vector<std::string> headers = {"START (UTC)", "AGENT", "JOB", "STATUS", "DURATION", "EVENT", "ERROR"};
  std::vector<std::vector<std::string>> rows;
  for (const Json& run : runs) {
    const std::string start = text_of(run.value("start_time", Json()));
    const Json duration = run.value("duration_ms", Json());
    rows.push_back({cell(start.substr(0, 19), 19), cell(text_of(run.value("agent_name", Json())), 24),
                    cell(text_of(run.value("job_type", Json())), 16), text_of(run.value("status", Json())),
                    duration.is_number() ? fmt::format("{:.1f}s", duration.get<double>() / 1000.0) : "",
                    text_of(run.value("event_id", Json())).substr(0, 8),
                    cell(text_of(run.value("error_summary", Json())), 60)});
  }
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) widths[i] = headers[i].size();
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += i + 1 == cells.size() ? cells[i] : fmt::format("{:<{}}  ", cells[i], widths[i]);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  out += line(headers);
  for (const auto& row : rows) out += line(row);
  if (rows.empty()) out += "(no runs)\n";
  return out;
}

std::string format_run(const Json& run, RunsFormat format) {
  if (format == RunsFormat::kJson) return run.dump() + "\n";
  if (format == RunsFormat::kTsv) return format_runs({run}, format);
  std::size_t width = 0;
  for (const auto& [key, value] : run.items()) width = std::max(width, key.size());
  std::string out;
  for (const auto& [key, value] : run.items()) out += fmt::format("{:<{}}  {}\n", key, width, tsv_field(text_of(value)));
  return out;
}

}  // namespace telemetry::http
