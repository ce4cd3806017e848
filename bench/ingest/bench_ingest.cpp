// bench_ingest: times `telemetry ingest-buffer` (direct mode) on a generated
// buffer file of 1,000,000 lines in the clients' 47-key format: half start
// lines, half end lines of the same runs (so half inserts, half merges).
//
// Each round, in the same process and on the same file:
//   baseline  `ingest-buffer --dry-run` with no database: reading, JSON parsing
//             and validation only (the work no database write can avoid);
//   ingest    the real run into a fresh database;
//   replay    the same lines again into that database (all duplicates).
//   floor     SQLite alone writing the rows the ingest stored into a fresh
//             database with the same schema, PRAGMAs and commit interval
//             (INSERT ... SELECT from the ingested file, no parsing, no
//             binding): the fastest any ingest of these lines could write them.
// Reported: medians over the rounds of wall time, lines/s, peak RSS of the
// child (getrusage ru_maxrss), and ingest/baseline and ingest/floor ratios.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "db/database.h"
#include "db/sqlite.h"

namespace fs = std::filesystem;

namespace {

const std::string kStart =
    R"({"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "agent_name": "doc-translator", "job_type": "translate", "trigger_type": "scheduler", "start_time": "2026-01-14T09:15:02.401118+00:00", "event_id": "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37", "schema_version": 7, "agent_owner": "platform-team", "end_time": null, "status": "running", "items_discovered": 0, "items_succeeded": 0, "items_failed": 0, "items_skipped": 0, "duration_ms": 0, "input_summary": null, "output_summary": null, "source_ref": null, "target_ref": null, "error_summary": null, "error_details": null, "metrics_json": null, "context_json": null, "insight_id": null, "product": "words", "platform": "net", "product_family": "documents", "subdomain": null, "website": "docs.example.org", "website_section": "guides", "item_name": null, "git_repo": "docs", "git_branch": "main", "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "build-07", "environment": null, "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "parent_run_id": null, "created_at": "2026-01-14T09:15:02.418230+00:00", "updated_at": "2026-01-14T09:15:02.418230+00:00", "record_type": "run"})";
const std::string kEnd =
    R"({"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "agent_name": "doc-translator", "job_type": "translate", "trigger_type": "scheduler", "start_time": "2026-01-14T09:15:02.401118+00:00", "event_id": "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37", "schema_version": 7, "agent_owner": "platform-team", "end_time": "2026-01-14T09:17:44.990501+00:00", "status": "success", "items_discovered": 40, "items_succeeded": 38, "items_failed": 1, "items_skipped": 1, "duration_ms": 162589, "input_summary": "40 pages", "output_summary": "38 translated", "source_ref": null, "target_ref": null, "error_summary": "1 page failed", "error_details": null, "metrics_json": "{\"pages_per_minute\": 14.7, \"retries\": 2}", "context_json": "{\"locale\": \"fr-FR\", \"note\": \"relecture termin\\u00e9e\"}", "insight_id": null, "product": "words", "platform": "net", "product_family": "documents", "subdomain": null, "website": "docs.example.org", "website_section": "guides", "item_name": null, "git_repo": "docs", "git_branch": "main", "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "build-07", "environment": null, "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "parent_run_id": null, "created_at": "2026-01-14T09:15:02.418230+00:00", "updated_at": "2026-01-14T09:17:44.990733+00:00", "record_type": "run"})";
const std::string kEventId = "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37";

struct Options {
  std::string telemetry = "build/src/telemetry";
  std::string dir = "/var/tmp/bench-ingest";
  long lines = 1000000;
  int rounds = 3;
};

struct Sample {
  double seconds = 0;
  double cpu_seconds = 0;  // user + system of the child: less sensitive to a busy machine than wall time
  long max_rss_kb = 0;
  int status = 0;
};

void generate(const std::string& path, long lines) {
  std::ofstream out(path, std::ios::binary);
  // Runs interleave as concurrent agents' would: a run ends 100 runs after it starts.
  constexpr long kLag = 100;
  const long runs = lines / 2;
  auto line_for = [&](const std::string& base, long run) {
    std::string line = base;
    line.replace(line.find(kEventId), kEventId.size(), fmt::format("{:08x}-0000-4000-8000-{:012x}", run, run));
    return line;
  };
  for (long i = 0; i < runs + kLag; ++i) {
    if (i < runs) out << line_for(kStart, i) << '\n';
    if (i >= kLag) out << line_for(kEnd, i - kLag) << '\n';
  }
}

Sample run(const std::vector<std::string>& args) {
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  int status = 0;
  rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  Sample sample;
  sample.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sample.max_rss_kb = usage.ru_maxrss;
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  sample.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  sample.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return sample;
}

// Section "floor" above. Commits every 25,000 rows: what one 50,000-line
// ingest transaction of this file (half starts, half ends) inserts.
double sqlite_floor_seconds(const std::string& ingested, const std::string& floor_db) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(floor_db + suffix);
  telemetry::db::ConnectionSettings settings;  // ingest's defaults: DELETE, FULL
  telemetry::db::ServableDatabase database = telemetry::db::open_servable(floor_db, settings, /*create=*/true);
  telemetry::db::Connection& connection = *database.connection;
  connection.exec(fmt::format("ATTACH DATABASE '{}' AS source", ingested));
  telemetry::db::Statement max_id(connection, "SELECT max(id) FROM source.agent_runs");
  max_id.step();
  const std::int64_t rows = max_id.column_int(0);
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t first = 1; first <= rows; first += 25000) {
    connection.exec(fmt::format("BEGIN; INSERT INTO main.agent_runs SELECT * FROM source.agent_runs "
                                "WHERE id BETWEEN {} AND {}; COMMIT;", first, first + 24999));
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--telemetry") options.telemetry = argv[i + 1];
    else if (flag == "--dir") options.dir = argv[i + 1];
    else if (flag == "--lines") options.lines = std::stol(argv[i + 1]);
    else if (flag == "--rounds") options.rounds = std::stoi(argv[i + 1]);
    else {
      std::cerr << "usage: bench_ingest [--telemetry PATH] [--dir DIR] [--lines N] [--rounds R]\n";
      return 64;
    }
  }
  options.telemetry = fs::absolute(options.telemetry).string();
  fs::create_directories(options.dir);
  const std::string source = options.dir + "/source.jsonl";
  generate(source, options.lines);
  std::cout << fmt::format("generated {} lines, {:.1f} MB\n", options.lines, fs::file_size(source) / 1e6);

  std::vector<double> floor_s;
  std::vector<double> baseline_s, ingest_s, replay_s, baseline_rss, ingest_rss, replay_rss, baseline_cpu, ingest_cpu,
      replay_cpu;
  for (int round = 0; round < options.rounds; ++round) {
    const std::string db = options.dir + "/bench.sqlite";
    for (const char* suffix : {"", "-journal", "-wal", "-shm", ".lock"}) fs::remove(db + suffix);
    const std::string input = options.dir + "/telemetry_20260114_091502.jsonl";
    auto fresh_input = [&] {
      for (const auto& entry : fs::directory_iterator(options.dir)) {
        if (entry.path().filename().string().rfind("telemetry_", 0) == 0) fs::remove(entry.path());
      }
      fs::copy_file(source, input);
    };
    auto command = [&](bool dry) {
      std::vector<std::string> args{options.telemetry, "ingest-buffer", "--no-env-file", "--db", db};
      if (dry) args.push_back("--dry-run");
      args.push_back(input);
      return args;
    };
    fresh_input();
    Sample dry = run(command(true));
    fresh_input();
    Sample ingest = run(command(false));
    const double floor = sqlite_floor_seconds(db, options.dir + "/floor.sqlite");
    fresh_input();
    Sample replay = run(command(false));
    if (dry.status != 0 || ingest.status != 0 || replay.status != 0) {
      std::cerr << fmt::format("a run failed: dry {} ingest {} replay {}\n", dry.status, ingest.status, replay.status);
      return 1;
    }
    std::cout << fmt::format(
        "round {}: baseline {:.2f}s (cpu {:.2f}s)  ingest {:.2f}s (cpu {:.2f}s, {:.0f} lines/s, {} MB)  "
        "replay {:.2f}s (cpu {:.2f}s)  floor {:.2f}s ({:.0f} lines/s)\n",
        round + 1, dry.seconds, dry.cpu_seconds, ingest.seconds, ingest.cpu_seconds, options.lines / ingest.seconds,
        ingest.max_rss_kb / 1024, replay.seconds, replay.cpu_seconds, floor, options.lines / floor);
    floor_s.push_back(floor);
    std::cout.flush();
    baseline_cpu.push_back(dry.cpu_seconds);
    ingest_cpu.push_back(ingest.cpu_seconds);
    replay_cpu.push_back(replay.cpu_seconds);
    baseline_s.push_back(dry.seconds);
    ingest_s.push_back(ingest.seconds);
    replay_s.push_back(replay.seconds);
    baseline_rss.push_back(dry.max_rss_kb / 1024.0);
    ingest_rss.push_back(ingest.max_rss_kb / 1024.0);
    replay_rss.push_back(replay.max_rss_kb / 1024.0);
  }
  const double lines = static_cast<double>(options.lines);
  std::cout << fmt::format("\nmedians over {} rounds, {} lines:\n", options.rounds, options.lines);
  std::cout << fmt::format("  baseline (dry run, parse+validate only): {:.2f}s  {:.0f} lines/s  peak RSS {:.0f} MB\n",
                           median(baseline_s), lines / median(baseline_s), median(baseline_rss));
  std::cout << fmt::format("  ingest (fresh database, 50% inserts, 50% merges): {:.2f}s  {:.0f} lines/s  peak RSS {:.0f} MB\n",
                           median(ingest_s), lines / median(ingest_s), median(ingest_rss));
  std::cout << fmt::format("  replay (all duplicates): {:.2f}s  {:.0f} lines/s  peak RSS {:.0f} MB\n",
                           median(replay_s), lines / median(replay_s), median(replay_rss));
  std::cout << fmt::format("  cpu seconds (user+sys): baseline {:.2f}  ingest {:.2f}  replay {:.2f}\n",
                           median(baseline_cpu), median(ingest_cpu), median(replay_cpu));
  std::cout << fmt::format("  SQLite floor (same rows, INSERT ... SELECT, same PRAGMAs and commits): {:.2f}s  "
                           "{:.0f} lines/s\n", median(floor_s), lines / median(floor_s));
  std::cout << fmt::format("  ratio ingest/baseline: {:.2f}  replay/baseline: {:.2f}  ingest/floor: {:.2f}\n",
                           median(ingest_s) / median(baseline_s), median(replay_s) / median(baseline_s),
                           median(ingest_s) / median(floor_s));
  return 0;
}
