#include "http/scripted_runs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "buffer/buffer_writer.h"
#include "core/json_body.h"
#include "core/run_columns.h"
#include "core/timestamp.h"
#include "core/utf8.h"
#include "util/error.h"
#include "util/git_info.h"
#include "util/random_ids.h"

namespace telemetry::http {
namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// The flags were checked by the command (cli/script_flags.h check_script_flags):
// one that is not KEY=VALUE here is a bug.
std::pair<std::string, std::string> checked_pair(const std::string& text, const char* flag) {
  auto pair = split_key_value(text);
  if (!pair) throw Error(ErrorKind::kInternal, fmt::format("{} {}: unchecked flag, expected KEY=VALUE", flag, text));
  return *pair;
}

// What a start record takes from standard input and the flags, in that order
// (later ones win): the fields of `base`, then the field flags, --metric, --set.
Json given_fields(const RunFields& fields, Json base) {
  if (fields.agent_name) base["agent_name"] = text_value(*fields.agent_name);
  if (fields.job_type) base["job_type"] = text_value(*fields.job_type);
  if (fields.trigger_type) base["trigger_type"] = text_value(*fields.trigger_type);
  if (fields.run_id) base["run_id"] = text_value(*fields.run_id);
  if (!fields.metrics.empty()) base["metrics_json"] = metrics_object(fields.metrics);
  apply_sets(base, fields.sets);
  return base;
}

std::optional<std::string> missing_field(const Json& given) {
  if (!given.contains("agent_name") || !given["agent_name"].is_string()) return "--agent-name is required";
  if (!given.contains("job_type") || !given["job_type"].is_string()) return "--job-type is required";
  return std::nullopt;
}

// record event's start part: its --metric and --set go to the end, as for finish.
RunFields start_part(const RunFields& fields) {
  RunFields start_fields = fields;
  start_fields.sets.clear();
  start_fields.metrics.clear();
  return start_fields;
}

// 20260114T091502Z from a client timestamp (2026-01-14T09:15:02...).
std::string run_id_stamp(const std::string& start_time) {
  std::string out;
  for (char c : start_time.substr(0, 19)) if (c != '-' && c != ':') out += c;
  return out + "Z";
}

std::string now_text() { return buffer::client_timestamp(std::chrono::system_clock::now()); }

// ---- open runs: what `record start` leaves for `record finish` ------------------------

std::optional<fs::path> open_runs_directory() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state && state[0] == '/') return fs::path(state) / "telemetry" / "open-runs";
  const char* home = std::getenv("HOME");
  if (home && home[0] == '/') return fs::path(home) / ".local" / "state" / "telemetry" / "open-runs";
  return std::nullopt;
}

std::optional<fs::path> open_run_path(const std::string& event_id) {
  auto directory = open_runs_directory();
  // The event id becomes a file name: only ids that are safe as one are kept.
  if (!directory || event_id.empty() || event_id.size() > 200 ||
      event_id.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos) {
    return std::nullopt;
  }
  return *directory / (event_id + ".json");
}

void save_open_run(const Json& body, bool start_sent) {
  auto path = open_run_path(body["event_id"].get<std::string>());
  if (!path) return;
  std::error_code error;
  fs::create_directories(path->parent_path(), error);
  ::chmod(path->parent_path().c_str(), 0700);
  const fs::path temporary = path->string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << Json{{"start_sent", start_sent}, {"body", body}}.dump() << "\n";
    if (!out) return;  // finish then PATCHes only; nothing else depends on this file
  }
  fs::rename(temporary, *path, error);
}

struct OpenRun {
  Json body;
  bool start_sent = false;
};

std::optional<OpenRun> load_open_run(const std::string& event_id) {
  auto path = open_run_path(event_id);
  if (!path) return std::nullopt;
  std::ifstream in(*path, std::ios::binary);
  if (!in) return std::nullopt;
  Json saved = Json::parse(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), nullptr, false);
  if (!saved.is_object() || !saved.contains("body") || !saved["body"].is_object()) return std::nullopt;
  return OpenRun{saved["body"], saved.value("start_sent", false)};
}

void forget_open_run(const std::string& event_id) {
  if (auto path = open_run_path(event_id)) {
    std::error_code ignored;
    fs::remove(*path, ignored);
  }
}

// Milliseconds between two client timestamps, or nullopt.
std::optional<std::int64_t> milliseconds_between(const std::string& from, const std::string& to) {
  auto parse = [](const std::string& text) -> std::optional<std::chrono::system_clock::time_point> {
    auto canonical = canonical_utc(text);
    if (!canonical) return std::nullopt;
    std::tm tm{};
    if (!::strptime(canonical->c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::nullopt;
    const auto seconds = std::chrono::system_clock::from_time_t(::timegm(&tm));
    return seconds + std::chrono::microseconds(std::stoll(canonical->substr(20, 6)));
  };
  auto a = parse(from), b = parse(to);
  if (!a || !b || *b < *a) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*b - *a).count();
}

// status, error_summary, metrics_json and --set of `fields` as PATCH changes.
Json end_changes(const RunFields& fields, Json changes, const std::string& default_status) {
  changes["status"] = fields.status ? *fields.status : (fields.error ? "failure" : default_status);
  if (fields.error) changes["error_summary"] = text_value(*fields.error);
  if (!fields.metrics.empty()) {
    Json metrics = changes.contains("metrics_json") && changes["metrics_json"].is_object() ? changes["metrics_json"]
                                                                                            : Json::object();
    const Json added = metrics_object(fields.metrics);  // items() of a temporary would dangle
    for (auto& [key, value] : added.items()) metrics[key] = value;
    changes["metrics_json"] = metrics;
  }
  apply_sets(changes, fields.sets);
  return changes;
}

}  // namespace

Json text_value(const std::string& bytes) { return Json(replace_invalid_utf8(bytes)); }

std::optional<std::pair<std::string, std::string>> split_key_value(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) return std::nullopt;
  return std::make_pair(text.substr(0, equals), text.substr(equals + 1));
}

bool settable_field(const std::string& field) {
  auto column = column_by_name(field);
  return column && *column != RunColumn::id && *column != RunColumn::schema_version &&
         *column != RunColumn::updated_at;
}

std::optional<std::string> missing_start_field(const RunFields& fields, const Json& base) {
  return missing_field(given_fields(fields, base));
}

std::optional<std::string> missing_event_field(const RunFields& fields, const Json& base) {
  return missing_start_field(start_part(fields), base);
}

Json metrics_object(const std::vector<std::string>& metrics) {
  Json object = Json::object();
  for (const std::string& metric : metrics) {
    auto [key, value] = checked_pair(metric, "--metric");
    Json parsed = Json::parse(value, nullptr, false);
    object[replace_invalid_utf8(key)] =
        parsed.is_discarded() || parsed.is_structured() ? text_value(value) : parsed;
  }
  return object;
}

void apply_sets(Json& body, const std::vector<std::string>& sets) {
  for (const std::string& set : sets) {
    auto [field, value] = checked_pair(set, "--set");
    if (!settable_field(field)) throw Error(ErrorKind::kInternal, fmt::format("--set {}: unchecked field", set));
    body[field] = value.empty() ? Json(nullptr) : text_value(value);
  }
}

Json start_body(const RunFields& fields, Json base, const std::string& directory, const std::string& start_time) {
  Json body = Json::object();
  // Defaults first, so that standard input and flags replace them in place.
  body["event_id"] = uuid4();
  body["run_id"] = nullptr;
  body["agent_name"] = nullptr;
  body["job_type"] = nullptr;
  body["start_time"] = start_time;
  body["status"] = "running";
  // The client's time, kept by the end record too (docs/reference/buffer-files.md §5.4).
  body["created_at"] = start_time;
  if (auto host = host_name()) body["host"] = *host;
  if (auto git = read_git_info(directory)) {
    body["git_repo"] = text_value(git->repo);
    if (git->branch) body["git_branch"] = text_value(*git->branch);
    if (git->commit) body["git_commit_hash"] = *git->commit;
  }
  const Json given = given_fields(fields, std::move(base));  // items() of a temporary would dangle
  for (auto& [key, value] : given.items()) body[key] = value;
  // The command checked them (missing_start_field): missing here is a bug.
  if (auto missing = missing_field(body)) throw Error(ErrorKind::kInternal, *missing + " (unchecked)");
  if (body["run_id"].is_null()) {
    const std::string stamp = body["start_time"].is_string() ? run_id_stamp(body["start_time"].get<std::string>())
                                                             : run_id_stamp(start_time);
    body["run_id"] = fmt::format("{}-{}-{}", stamp, body["agent_name"].get<std::string>(), random_hex(4));
  }
  return body;
}

Json read_stdin_object() {
  std::string text(std::istreambuf_iterator<char>(std::cin), {});
  auto parsed = parse_json_strict(text);
  if (auto* error = std::get_if<JsonSyntaxError>(&parsed)) {
    throw Error(ErrorKind::kInvalidInput,
                fmt::format("standard input: invalid JSON at byte {}: {}", error->offset, error->message));
  }
  Json object = std::get<Json>(std::move(parsed));
  if (!object.is_object()) throw Error(ErrorKind::kInvalidInput, "standard input: not a JSON object");
  return object;
}

namespace {

std::string working_directory() {
  char cwd[PATH_MAX];
  return ::getcwd(cwd, sizeof cwd) ? cwd : ".";
}

}  // namespace

RecordResult record_start(const RunFields& fields, const Json& base, const ReporterSettings& settings) {
  Json body = start_body(fields, base, working_directory(), now_text());
  RunReporter reporter(settings);
  RecordResult result{body["event_id"].is_string() ? body["event_id"].get<std::string>() : "", reporter.create(body)};
  if (result.outcome.delivery != Delivery::kLost) save_open_run(body, result.outcome.delivery == Delivery::kSent);
  return result;
}

RecordResult record_finish(const std::string& event_id, const RunFields& fields, const Json& given,
                           const ReporterSettings& settings) {
  const std::string end_time = now_text();
  Json changes = Json::object();
  changes["end_time"] = end_time;
  std::optional<OpenRun> open = load_open_run(event_id);
  if (open && open->body["start_time"].is_string()) {
    if (auto ms = milliseconds_between(open->body["start_time"].get<std::string>(), end_time)) changes["duration_ms"] = *ms;
  }
  for (auto& [key, value] : given.items()) changes[key] = value;
  if (open && !fields.metrics.empty() && open->body.contains("metrics_json") && open->body["metrics_json"].is_object() &&
      !changes.contains("metrics_json")) {
    changes["metrics_json"] = open->body["metrics_json"];  // --metric adds to the start's metrics
  }
  changes = end_changes(fields, changes, "success");

  std::optional<Json> final_body;
  if (open) {
    final_body = open->body;
    for (auto& [key, value] : changes.items()) (*final_body)[key] = value;
  }
  RunReporter reporter(settings);
  RecordResult result{event_id, reporter.finish(event_id, changes, final_body, open && open->start_sent)};
  if (result.outcome.delivery != Delivery::kLost) forget_open_run(event_id);
  return result;
}

RecordResult record_event(const RunFields& fields, const Json& base, const ReporterSettings& settings) {
  const std::string now = now_text();
  Json body = start_body(start_part(fields), base, working_directory(), now);
  Json changes = Json::object();
  if (!body.contains("end_time") || body["end_time"].is_null()) changes["end_time"] = now;
  if (body.contains("metrics_json")) changes["metrics_json"] = body["metrics_json"];
  const bool ended = body["status"].is_string() && body["status"] != "running";
  changes = end_changes(fields, changes, ended ? body["status"].get<std::string>() : "success");
  for (auto& [key, value] : changes.items()) body[key] = value;
  RunReporter reporter(settings);
  return {body["event_id"].is_string() ? body["event_id"].get<std::string>() : "", reporter.create(body)};
}

}  // namespace telemetry::http
