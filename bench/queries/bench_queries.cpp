// GET /api/v1/runs with filters and GET /api/v1/metadata on a 1,000,000-row
// database (issue 3: each under 50 ms). Generates a v7 database once, starts
// `telemetry serve` on it, and times each request over HTTP from this process
// (one keep-alive connection, so the figures include HTTP and JSON work).
// Every query runs --samples times per run, --runs runs; the report gives the
// median of the per-run medians and the worst per-run p99, with the ratio to
// GET /health measured in the same run (the cost of HTTP alone).
//
//   bench_queries --telemetry PATH/telemetry --dir WORKDIR [--rows 1000000]
//                 [--runs 5] [--samples 50] [--only PREFIX]
//
// The generated database is kept as WORKDIR/queries-<rows>.sqlite and reused;
// each run serves a fresh copy so the metadata cache starts cold.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "core/run_columns.h"
#include "core/timestamp.h"
#include "db/schema.h"
#include "db/sqlite.h"

extern char** environ;

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string telemetry;
  std::string dir;
  long rows = 1000000;
  int runs = 5;
  int samples = 50;
  std::string only;  // run only the queries whose name starts with this (and the /health baseline)
};

std::string option_value(int& i, int argc, char** argv) {
  if (i + 1 >= argc) throw std::runtime_error(std::string("missing value for ") + argv[i]);
  return argv[++i];
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--telemetry") o.telemetry = option_value(i, argc, argv);
    else if (a == "--dir") o.dir = option_value(i, argc, argv);
    else if (a == "--rows") o.rows = std::stol(option_value(i, argc, argv));
    else if (a == "--runs") o.runs = std::stoi(option_value(i, argc, argv));
    else if (a == "--samples") o.samples = std::stoi(option_value(i, argc, argv));
    else if (a == "--only") o.only = option_value(i, argc, argv);
    else throw std::runtime_error("unknown argument " + a);
  }
  if (o.telemetry.empty() || o.dir.empty()) throw std::runtime_error("--telemetry and --dir are required");
  if (o.runs < 1 || o.samples < 1) throw std::runtime_error("--runs and --samples must be at least 1");
  return o;
}

// The data set: 40 agents with skewed popularity (agent-00 holds ~20%, the
// last ones a few hundred rows each), 12 job types, statuses weighted like a
// real fleet (success 70%, timeout 1%), created_at spread evenly over the 180
// days before a fixed instant, start_time a few seconds earlier, canonical form.
constexpr int kAgents = 40;
constexpr int kJobTypes = 12;
const std::chrono::system_clock::time_point kNewest =
    std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));  // 2026-01-01T00:00:00Z
constexpr auto kSpan = std::chrono::hours(24 * 180);

std::string agent_name(int index) { return fmt::format("agent-{:02d}", index); }
std::string job_type(int index) { return fmt::format("job-{:02d}", index); }

const char* pick_status(std::mt19937_64& random) {
  const int roll = static_cast<int>(random() % 100);
  if (roll < 70) return "success";
  if (roll < 85) return "failure";
  if (roll < 93) return "running";
  if (roll < 97) return "partial";
  if (roll < 99) return "cancelled";
  return "timeout";
}

int pick_agent(std::mt19937_64& random) {
  // Zipf-like: weight 1/(i+1).
  static const std::vector<double> cumulative = [] {
    std::vector<double> c;
    double sum = 0;
    for (int i = 0; i < kAgents; ++i) c.push_back(sum += 1.0 / (i + 1));
    for (double& v : c) v /= sum;
    return c;
  }();
  const double u = std::uniform_real_distribution<double>(0, 1)(random);
  return static_cast<int>(std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
}

void generate(const std::string& path, long rows) {
  using telemetry::RunColumn;
  std::fprintf(stderr, "generating %ld rows in %s ...", rows, path.c_str());
  const auto started = Clock::now();
  fs::remove(path);
  telemetry::db::Connection connection(path, telemetry::db::Connection::Mode::kReadWriteCreate, 30000);
  connection.exec("PRAGMA journal_mode=DELETE");
  connection.exec("PRAGMA synchronous=OFF");  // generation only; serve uses its own settings
  telemetry::db::create_schema_v7(connection);
  telemetry::db::Statement insert(connection,
      "INSERT INTO agent_runs (event_id, run_id, schema_version, created_at, updated_at, start_time, end_time, "
      "agent_name, job_type, status, items_discovered, items_succeeded, items_failed, duration_ms, "
      "git_repo, git_commit_hash, host, metrics_json) "
      "VALUES (?1, ?2, 7, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
  std::mt19937_64 random(20260101);
  const long batch = 20000;
  for (long first = 0; first < rows; first += batch) {
    telemetry::db::Transaction transaction(connection);
    for (long i = first; i < std::min(rows, first + batch); ++i) {
      // Evenly spread, oldest first, so ids grow with created_at as in real use.
      const auto created = kNewest - kSpan + std::chrono::microseconds(
          static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(kSpan).count() *
                                 (static_cast<double>(i) / rows)));
      const auto start = created - std::chrono::milliseconds(random() % 600000);
      const long items = static_cast<long>(random() % 200);
      insert.bind_text(1, fmt::format("{:016x}-{:08d}", random(), i));
      insert.bind_text(2, fmt::format("run-{:08d}", i));
      insert.bind_text(3, telemetry::canonical_utc(created));
      insert.bind_text(4, telemetry::canonical_utc(start));
      insert.bind_text(5, telemetry::canonical_utc(created));
      insert.bind_text(6, agent_name(pick_agent(random)));
      insert.bind_text(7, job_type(static_cast<int>(random() % kJobTypes)));
      insert.bind_text(8, pick_status(random));
      insert.bind_int(9, items);
      insert.bind_int(10, items - items / 10);
      insert.bind_int(11, items / 10);
      insert.bind_int(12, static_cast<std::int64_t>(random() % 600000));
      insert.bind_text(13, "git@github.com:example/docs.git");
      insert.bind_text(14, fmt::format("{:010x}", random() & 0xffffffffffULL));
      insert.bind_text(15, fmt::format("build-{:02d}", static_cast<int>(random() % 16)));
      insert.bind_text(16, fmt::format("{{\"pages\":{},\"retries\":{}}}", items, random() % 3));
      insert.step();
      insert.reset();
    }
    transaction.commit();
  }
  std::fprintf(stderr, " %.0f s\n", std::chrono::duration<double>(Clock::now() - started).count());
}

pid_t spawn(const std::vector<std::string>& args, const std::string& stderr_path) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

// The lock file's fourth line is the service URL once it listens.
int wait_for_port(const std::string& lock_path, pid_t server) {
  for (int attempt = 0; attempt < 3000; ++attempt) {
    int status = 0;
    if (waitpid(server, &status, WNOHANG) == server) throw std::runtime_error("serve exited early");
    std::ifstream in(lock_path);
    std::string line;
    for (int n = 0; n < 4 && std::getline(in, line); ++n) {
      if (n == 3 && line.rfind("http://", 0) == 0) return std::stoi(line.substr(line.rfind(':') + 1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("serve did not start; see serve.stderr in the work directory");
}

struct Query {
  std::string name;
  std::string path;
  bool metadata_miss = false;  // force a cache miss before each sample
};

std::vector<Query> queries() {
  return {
      {"health (baseline: HTTP alone)", "/health"},
      {"runs, no filter (limit 100)", "/api/v1/runs"},
      {"runs, limit 1000", "/api/v1/runs?limit=1000"},
      {"runs, offset 10000", "/api/v1/runs?offset=10000"},
      {"runs, agent_name common (~23%)", "/api/v1/runs?agent_name=agent-00"},
      {"runs, agent_name rare (~0.5%)", "/api/v1/runs?agent_name=agent-39"},
      {"runs, agent_name absent", "/api/v1/runs?agent_name=nobody"},
      {"runs, status=success (70%)", "/api/v1/runs?status=success"},
      {"runs, status=timeout (1%)", "/api/v1/runs?status=timeout"},
      {"runs, status=Completed (alias)", "/api/v1/runs?status=Completed"},
      {"runs, job_type (1/12)", "/api/v1/runs?job_type=job-07"},
      {"runs, agent rare + status rare", "/api/v1/runs?agent_name=agent-39&status=timeout"},
      {"runs, agent + job_type", "/api/v1/runs?agent_name=agent-03&job_type=job-05"},
      {"runs, created_after last 24h", "/api/v1/runs?created_after=2025-12-31T00:00:00Z"},
      {"runs, created_before 90 days ago", "/api/v1/runs?created_before=2025-10-03T00:00:00%2B00:00"},
      {"runs, created window 1 day, 60 days ago",
       "/api/v1/runs?created_after=2025-11-01T00:00:00Z&created_before=2025-11-02T00:00:00Z"},
      {"runs, start_time window 1 day, 100 days ago",
       "/api/v1/runs?start_time_from=2025-09-23&start_time_to=2025-09-24"},
      {"runs, start_time_from last 7 days", "/api/v1/runs?start_time_from=2025-12-25T00:00:00Z"},
      {"runs, status=timeout + created window 7 days",
       "/api/v1/runs?status=timeout&created_after=2025-11-01&created_before=2025-11-08"},
      {"runs, job_type + start_time window 1 day",
       "/api/v1/runs?job_type=job-02&start_time_from=2025-10-10&start_time_to=2025-10-11"},
      {"runs, every filter",
       "/api/v1/runs?agent_name=agent-01&status=failure&job_type=job-04&created_after=2025-08-01&"
       "created_before=2025-12-01&start_time_from=2025-08-01&start_time_to=2025-12-01&limit=50&offset=10"},
      {"runs/{event_id}", "/api/v1/runs/EVENT"},
      {"metadata, cache hit", "/api/v1/metadata"},
      {"metadata, cache miss (after a write)", "/api/v1/metadata", true},
      // What the dashboard (issue 17) asks, with the data's newest instant as
      // "now" (?until= for the stats routes, explicit start_time_from for lists).
      {"dashboard: page /", "/"},
      {"dashboard: uPlot.iife.min.js", "/ui/uPlot.iife.min.js"},
      {"dashboard: runs, last 24h (limit 51)", "/api/v1/runs?start_time_from=2025-12-31T00:00:00.000Z&limit=51"},
      {"dashboard: runs, last 24h, page 3", "/api/v1/runs?start_time_from=2025-12-31T00:00:00.000Z&limit=51&offset=100"},
      {"dashboard: runs, last 24h, status=failure",
       "/api/v1/runs?status=failure&start_time_from=2025-12-31T00:00:00.000Z&limit=51"},
      {"dashboard: runs, last 7d, agent + status",
       "/api/v1/runs?agent_name=agent-05&status=failure&start_time_from=2025-12-25T00:00:00.000Z&limit=51"},
      {"dashboard: runs, last 7d, job type",
       "/api/v1/runs?job_type=job-03&start_time_from=2025-12-25T00:00:00.000Z&limit=51"},
      {"dashboard: runs, last 24h, q matching 100",
       "/api/v1/runs?q=run-009950&start_time_from=2025-12-31T00:00:00.000Z&limit=51"},
      {"dashboard: runs, last 24h, q matching none",
       "/api/v1/runs?q=no-such-text&start_time_from=2025-12-31T00:00:00.000Z&limit=51"},
      {"dashboard: runs, last 7d, q matching none",
       "/api/v1/runs?q=no-such-text&start_time_from=2025-12-25T00:00:00.000Z&limit=51"},
      {"dashboard: runs, all time, q = one event id", "/api/v1/runs?q=EVENT&limit=51"},
      // run-00500000 -> run-0050: 10,000 runs, all in the middle of the 180 days, so
      // newest-first finds none of them early (run ids from a sequence).
      {"dashboard: runs, all time, q = run_id prefix of 8 characters", "/api/v1/runs?q={run8}&limit=51"},
      // Two hex digits: 1/256 of the event ids, spread over all time.
      {"dashboard: runs, last 24h, q = 2-character prefix",
       "/api/v1/runs?q={event2}&start_time_from=2025-12-31T00:00:00.000Z&limit=51"},
      {"dashboard: run detail", "/api/v1/runs/EVENT"},
      {"dashboard: run commit-url", "/api/v1/runs/EVENT/commit-url"},
      {"dashboard: trends 24h by hour", "/api/v1/stats/trends?since=24h&until=2026-01-01T00:00:00Z"},
      {"dashboard: trends 7d by day", "/api/v1/stats/trends?since=7d&until=2026-01-01T00:00:00Z"},
      {"dashboard: trends 7d by hour", "/api/v1/stats/trends?since=7d&bucket=hour&until=2026-01-01T00:00:00Z"},
      {"dashboard: trends 30d by day", "/api/v1/stats/trends?since=30d&until=2026-01-01T00:00:00Z"},
      {"dashboard: trends 7d, one agent", "/api/v1/stats/trends?since=7d&agent_name=agent-00&until=2026-01-01T00:00:00Z"},
      {"dashboard: agents 24h", "/api/v1/stats/agents?since=24h&until=2026-01-01T00:00:00Z"},
      {"dashboard: agents 7d", "/api/v1/stats/agents?since=7d&until=2026-01-01T00:00:00Z"},
      {"dashboard: agents 30d", "/api/v1/stats/agents?since=30d&until=2026-01-01T00:00:00Z"},
      {"dashboard: stats/health", "/api/v1/stats/health"},
  };
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const std::size_t index = static_cast<std::size_t>(std::ceil(p * values.size())) - 1;
  return values[std::min(index, values.size() - 1)];
}

struct Figures {
  std::vector<double> medians;  // one per run
  std::vector<double> p99s;     // one per run
  std::size_t bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    fs::create_directories(o.dir);
    const std::string base = fmt::format("{}/queries-{}.sqlite", o.dir, o.rows);
    if (!fs::exists(base)) generate(base, o.rows);

    std::string some_event_id, some_run_id;
    {
      telemetry::db::Connection connection(base, telemetry::db::Connection::Mode::kReadOnly, 1000);
      some_event_id = connection.query_text("SELECT event_id FROM agent_runs WHERE id = 1 + (SELECT max(id) FROM agent_runs) / 2");
      some_run_id = connection.query_text("SELECT run_id FROM agent_runs WHERE id = 1 + (SELECT max(id) FROM agent_runs) / 2");
    }
    // What a path's placeholders stand for: that middle row's ids, whole or their first characters.
    const std::vector<std::pair<std::string, std::string>> placeholders = {
        {"{run8}", some_run_id.substr(0, 8)}, {"{event2}", some_event_id.substr(0, 2)}, {"EVENT", some_event_id}};

    std::vector<Query> list;
    for (const Query& q : queries()) {
      if (list.empty() || q.name.rfind(o.only, 0) == 0) list.push_back(q);  // the first is the baseline
    }
    std::map<std::string, Figures> figures;
    for (int r = 0; r < o.runs; ++r) {
      const std::string db = o.dir + "/serving.sqlite";
      for (const char* suffix : {"", "-wal", "-shm", "-journal", ".lock"}) fs::remove(db + suffix);
      fs::copy_file(base, db);
      pid_t server = spawn({o.telemetry, "serve", "--db", db, "--port", "0", "--no-env-file", "--log-level", "warning"},
                           o.dir + "/serve.stderr");
      const int port = wait_for_port(db + ".lock", server);
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      // No Accept-Encoding: measure the service, not the library's response compression.
      client.set_decompress(false);
      client.set_read_timeout(60, 0);
      long written = 0;
      for (const Query& q : list) {
        std::string path = q.path;
        for (const auto& [placeholder, value] : placeholders) {
          if (const auto at = path.find(placeholder); at != std::string::npos) path.replace(at, placeholder.size(), value);
        }
        std::vector<double> ms;
        std::size_t bytes = 0;
        for (int s = -2; s < o.samples; ++s) {  // two warm-up requests
          if (q.metadata_miss) {
            const std::string body = fmt::format(
                R"({{"event_id":"bench-{}-{}","run_id":"r","agent_name":"agent-00","job_type":"job-00","start_time":"2026-01-01T00:00:00Z"}})",
                r, written++);
            auto posted = client.Post("/api/v1/runs", body, "application/json");
            if (!posted || posted->status != 201) throw std::runtime_error("POST failed during the metadata bench");
          }
          const auto started = Clock::now();
          auto response = client.Get(path);
          const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
          if (!response || response->status != 200) {
            throw std::runtime_error(fmt::format("{} answered {}", path, response ? response->status : -1));
          }
          const bool hit = response->body.find("\"cache_hit\":true") != std::string::npos;
          if (q.path == "/api/v1/metadata" && s >= 0 && hit == q.metadata_miss) {
            throw std::runtime_error("metadata cache_hit is not what this query measures");
          }
          bytes = response->body.size();
          if (s >= 0) ms.push_back(elapsed);
        }
        Figures& f = figures[q.name];
        f.medians.push_back(percentile(ms, 0.5));
        f.p99s.push_back(percentile(ms, 0.99));
        f.bytes = bytes;
      }
      kill(server, SIGTERM);
      int status = 0;
      waitpid(server, &status, 0);
      std::fprintf(stderr, "run %d of %d done\n", r + 1, o.runs);
    }

    const double baseline = percentile(figures[list[0].name].medians, 0.5);
    std::printf("%ld rows, %d runs x %d samples per query; one keep-alive client; times in ms\n\n", o.rows, o.runs,
                o.samples);
    std::printf("| query | median | worst p99 | x health | bytes |\n|---|---:|---:|---:|---:|\n");
    for (const Query& q : list) {
      const Figures& f = figures[q.name];
      const double median = percentile(f.medians, 0.5);
      const double p99 = *std::max_element(f.p99s.begin(), f.p99s.end());
      std::printf("| %s | %.2f | %.2f | %.1f | %zu |\n", q.name.c_str(), median, p99, median / baseline, f.bytes);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_queries: %s\n", e.what());
    return 1;
  }
}
