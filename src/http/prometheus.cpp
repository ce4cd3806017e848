#include "http/prometheus.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/timestamp.h"
#include "db/run_queries.h"
#include "telemetry_version.h"

namespace telemetry::http {
namespace {

class Exposition {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    out_ += name;
    if (!labels.empty()) out_ += "{" + labels + "}";
    out_ += " " + number(value) + "\n";
  }
  void histogram(const std::string& name, const std::string& labels, const Histogram::Snapshot& h) {
    const std::string prefix = labels.empty() ? "" : labels + ",";
    for (std::size_t i = 0; i < h.bounds.size(); ++i) {
      sample(name + "_bucket", prefix + fmt::format("le=\"{}\"", number(h.bounds[i])),
             static_cast<double>(h.cumulative[i]));
    }
    sample(name + "_bucket", prefix + "le=\"+Inf\"", static_cast<double>(h.count));
    sample(name + "_sum", labels, h.sum);
    sample(name + "_count", labels, static_cast<double>(h.count));
  }
  std::string take() { return std::move(out_); }

 private:
  static std::string number(double value) {
    if (value == static_cast<double>(static_cast<long long>(value)) && value < 1e15 && value > -1e15) {
      return fmt::format("{}", static_cast<long long>(value));
    }
    return fmt::format("{}", value);
  }
  std::string out_;
};

std::uint64_t file_size(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

}  // namespace

std::string escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> agent_series(
    std::vector<std::pair<std::string, std::int64_t>> counts, std::size_t max_agents) {
  std::int64_t rest = 0;
  bool any_rest = false;
  // "other" itself joins the rest before the ranking.
  for (auto it = counts.begin(); it != counts.end();) {
    if (it->first != kOtherAgents) { ++it; continue; }
    rest += it->second;
    any_rest = true;
    it = counts.erase(it);
  }
  if (counts.size() > max_agents) {
    auto by_runs = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
    std::nth_element(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(max_agents), counts.end(), by_runs);
    for (std::size_t i = max_agents; i < counts.size(); ++i) rest += counts[i].second;
    any_rest = true;
    counts.resize(max_agents);
  }
  std::sort(counts.begin(), counts.end());
  if (any_rest) counts.emplace_back(kOtherAgents, rest);
  return counts;
}

std::string render_prometheus(ServiceContext& context) {
  std::int64_t total = 0, recent = 0;
  std::vector<std::pair<std::string, std::int64_t>> agents;
  {
    auto connection = context.reads.acquire();
    total = db::count_runs(*connection);
    recent = db::count_created_since(*connection,
                                     canonical_utc(std::chrono::system_clock::now() - std::chrono::hours(24)));
    agents = db::counts_by(*connection, "agent_name");
  }
  agents = agent_series(std::move(agents), static_cast<std::size_t>(context.config.metrics_max_agents));
  const ServiceMetrics& m = context.metrics;
  const db::WriterCounters& w = context.writer.counters();
  Exposition e;

  e.family("telemetry_build_info", "gauge", "Build information; the value is always 1.");
  e.sample("telemetry_build_info", fmt::format("version=\"{}\"", TELEMETRY_VERSION), 1);
  e.family("telemetry_process_start_time_seconds", "gauge", "Unix time at which the service started.");
  e.sample("telemetry_process_start_time_seconds", "", m.start_time_seconds);
  e.family("telemetry_runs", "gauge", "Rows in agent_runs.");
  e.sample("telemetry_runs", "", static_cast<double>(total));
  e.family("telemetry_runs_recent_24h", "gauge", "Rows created in the last 24 hours.");
  e.sample("telemetry_runs_recent_24h", "", static_cast<double>(recent));
  e.family("telemetry_runs_by_agent", "gauge",
           "Rows in agent_runs per agent name; past TELEMETRY_METRICS_MAX_AGENTS agents, the rest as \"other\".");
  for (const auto& [agent, count] : agents) {
    e.sample("telemetry_runs_by_agent", fmt::format("agent_name=\"{}\"", escape_label_value(agent)),
             static_cast<double>(count));
  }

  e.family("telemetry_http_requests_total", "counter", "HTTP requests answered, by route, method and status code.");
  for (const auto& [key, count] : m.requests()) {
    const auto& [route, method, code] = key;
    e.sample("telemetry_http_requests_total",
             fmt::format("route=\"{}\",method=\"{}\",code=\"{}\"", escape_label_value(route),
                         escape_label_value(method), code),
             static_cast<double>(count));
  }
  e.family("telemetry_http_request_duration_seconds", "histogram",
           "Time from reading a request to writing its response.");
  for (const auto& [route, snapshot] : m.request_durations()) {
    e.histogram("telemetry_http_request_duration_seconds", fmt::format("route=\"{}\"", escape_label_value(route)),
                snapshot);
  }

  e.family("telemetry_ingest_events_total", "counter", "Run payloads received by POST and batch, by outcome.");
  const std::pair<IngestRoute, const char*> ingest_routes[] = {{IngestRoute::kPost, "post"}, {IngestRoute::kBatch, "batch"}};
  const std::pair<IngestOutcome, const char*> ingest_outcomes[] = {
      {IngestOutcome::kInserted, "inserted"}, {IngestOutcome::kDuplicate, "duplicate"}, {IngestOutcome::kRejected, "rejected"}};
  for (const auto& [route, route_name] : ingest_routes) {
    for (const auto& [outcome, outcome_name] : ingest_outcomes) {
      e.sample("telemetry_ingest_events_total", fmt::format("route=\"{}\",outcome=\"{}\"", route_name, outcome_name),
               static_cast<double>(m.ingest(route, outcome)));
    }
  }
  e.family("telemetry_run_updates_total", "counter", "Run update requests, by route and outcome.");
  const std::pair<UpdateRoute, const char*> update_routes[] = {{UpdateRoute::kPatch, "patch"},
                                                               {UpdateRoute::kAssociateCommit, "associate_commit"}};
  const std::pair<UpdateOutcome, const char*> update_outcomes[] = {
      {UpdateOutcome::kUpdated, "updated"}, {UpdateOutcome::kNotFound, "not_found"}, {UpdateOutcome::kRejected, "rejected"}};
  for (const auto& [route, route_name] : update_routes) {
    for (const auto& [outcome, outcome_name] : update_outcomes) {
      e.sample("telemetry_run_updates_total", fmt::format("route=\"{}\",outcome=\"{}\"", route_name, outcome_name),
               static_cast<double>(m.updates(route, outcome)));
    }
  }

  e.family("telemetry_writer_commits_total", "counter", "Transactions committed by the writer.");
  e.sample("telemetry_writer_commits_total", "", static_cast<double>(w.commits.load()));
  e.family("telemetry_writer_commit_operations", "histogram", "Operations per committed transaction.");
  e.histogram("telemetry_writer_commit_operations", "", w.operations_per_commit.snapshot());
  e.family("telemetry_writer_commit_duration_seconds", "histogram", "Time spent in COMMIT.");
  e.histogram("telemetry_writer_commit_duration_seconds", "", w.commit_seconds.snapshot());
  e.family("telemetry_writer_queue_depth", "gauge", "Operations waiting for the writer.");
  e.sample("telemetry_writer_queue_depth", "", static_cast<double>(context.writer.queue_depth()));
  e.family("telemetry_writer_failed", "gauge", "1 when the writer is in the failed state, else 0.");
  e.sample("telemetry_writer_failed", "", context.writer.failed() ? 1 : 0);
  e.family("telemetry_writer_errors_total", "counter", "Rolled-back transactions by cause.");
  e.sample("telemetry_writer_errors_total", "kind=\"busy\"", static_cast<double>(w.busy_errors.load()));
  e.sample("telemetry_writer_errors_total", "kind=\"full\"", static_cast<double>(w.full_errors.load()));
  e.sample("telemetry_writer_errors_total", "kind=\"io\"", static_cast<double>(w.io_errors.load()));

  e.family("telemetry_db_size_bytes", "gauge", "Size of the database file.");
  e.sample("telemetry_db_size_bytes", "", static_cast<double>(file_size(context.db_path)));
  e.family("telemetry_db_wal_size_bytes", "gauge", "Size of the -wal file, 0 when absent.");
  e.sample("telemetry_db_wal_size_bytes", "", static_cast<double>(file_size(context.db_path + "-wal")));
  e.family("telemetry_rate_limited_total", "counter", "429 responses.");
  e.sample("telemetry_rate_limited_total", "", static_cast<double>(m.rate_limited.load()));
  e.family("telemetry_auth_failures_total", "counter", "401 responses.");
  e.sample("telemetry_auth_failures_total", "", static_cast<double>(m.auth_failures.load()));
  e.family("telemetry_metadata_cache_requests_total", "counter", "Metadata requests by cache result.");
  e.sample("telemetry_metadata_cache_requests_total", "result=\"hit\"", static_cast<double>(m.metadata_cache_hits.load()));
  e.sample("telemetry_metadata_cache_requests_total", "result=\"miss\"", static_cast<double>(m.metadata_cache_misses.load()));
  e.family("telemetry_retention_deleted_runs_total", "counter", "Rows deleted by the service's retention passes.");
  e.sample("telemetry_retention_deleted_runs_total", "", static_cast<double>(m.retention_deleted_runs.load()));
  e.family("telemetry_retention_passes_total", "counter", "Retention passes completed.");
  e.sample("telemetry_retention_passes_total", "", static_cast<double>(m.retention_passes.load()));
  return e.take();
}

}  // namespace telemetry::http
