// Migrating a generated library-v5 database (issue 4): rows/s and peak memory
// of `telemetry migrate`, with and without the pre-migration backup, against a
// baseline measured in the same run: SQLite's own floor for the same rebuild
// (plain INSERT ... SELECT into the canonical table, rename, 16 indexes, no
// mapping, no verification). Medians of several runs.
//
//   bench_migrate --telemetry PATH/telemetry --dir WORKDIR [--rows 1000000] [--runs 3]
//
// The generated database is kept in WORKDIR/library-v5-<rows>.sqlite and reused.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <ctime>
#include <set>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/run_columns.h"
#include "db/migrations/canonical.h"
#include "db/sqlite.h"

extern char** environ;

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using telemetry::db::Connection;
using telemetry::db::Statement;

struct Options {
  std::string telemetry;
  std::string dir;
  long rows = 1000000;
  int runs = 3;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--telemetry") o.telemetry = value();
    else if (arg == "--dir") o.dir = value();
    else if (arg == "--rows") o.rows = std::stol(value());
    else if (arg == "--runs") o.runs = std::stoi(value());
    else throw std::runtime_error("unknown argument " + arg);
  }
  if (o.telemetry.empty() || o.dir.empty()) throw std::runtime_error("--telemetry and --dir are required");
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The library-v5 fixture (DDL of docs/reference/schema.md §3.4 plus 7 edge-case rows), then
// generated rows shaped like real crawler/report runs.
void generate(const std::string& path, long rows) {
  fs::remove(path);
  Connection connection(path, Connection::Mode::kReadWriteCreate, 30000);
  connection.exec(read_file(std::string(TELEMETRY_FIXTURES_DIR) + "/library-v5.sql"));
  connection.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN");
  Statement insert(connection,
                   "INSERT INTO agent_runs (run_id, schema_version, agent_name, agent_owner, job_type, trigger_type,"
                   " start_time, end_time, status, items_discovered, items_succeeded, items_failed, duration_ms,"
                   " output_summary, error_summary, metrics_json, product, platform, git_repo, git_branch, host,"
                   " api_posted, created_at, updated_at, git_commit_hash, website, website_section, item_name)"
                   " VALUES (?1, 3, ?2, 'ops', ?3, 'scheduler', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'Docs',"
                   " 'linux', 'https://github.com/example/agents', 'main', ?14, 1, ?4, ?5, ?15, ?16, ?17, ?18)");
  static const char* kStatuses[] = {"success", "success", "success", "failed", "partial", "running", "success"};
  static const char* kJobs[] = {"crawl", "report", "sync", "index"};
  for (long i = 0; i < rows; ++i) {
    long seconds = 1733011200 + i * 7;  // from 2024-12-01, a run every 7 s
    std::time_t start = seconds, end = seconds + 5 + i % 300;
    char start_text[32], end_text[32];
    std::strftime(start_text, sizeof start_text, "%Y-%m-%d %H:%M:%S", std::gmtime(&start));
    std::strftime(end_text, sizeof end_text, "%Y-%m-%d %H:%M:%S", std::gmtime(&end));
    const char* status = kStatuses[i % 7];
    insert.reset();
    insert.bind_text(1, fmt::format("{}-agent{}-{:08x}", start_text, i % 40, static_cast<unsigned>(i * 2654435761u)));
    insert.bind_text(2, fmt::format("agent-{}", i % 40));
    insert.bind_text(3, kJobs[i % 4]);
    insert.bind_text(4, start_text);
    insert.bind_text(5, end_text);
    insert.bind_text(6, status);
    insert.bind_int(7, 100 + i % 50);
    insert.bind_int(8, 95 + i % 50);
    insert.bind_int(9, i % 5);
    insert.bind_int(10, 5000 + (i % 300) * 1000);
    insert.bind_text(11, fmt::format("{} pages written", 95 + i % 50));
    if (std::string(status) == "failed") insert.bind_text(12, "timeout while fetching page"); else insert.bind_null(12);
    insert.bind_text(13, fmt::format("{{\"pages\":{},\"bytes\":{}}}", 100 + i % 50, 1000 * (i % 977)));
    insert.bind_text(14, fmt::format("runner-{:02}", i % 12));
    insert.bind_text(15, fmt::format("{:040x}", static_cast<unsigned long long>(i) * 0x9E3779B97F4A7C15ull));
    insert.bind_text(16, fmt::format("https://site{}.example.com", i % 25));
    insert.bind_text(17, fmt::format("/section/{}", i % 10));
    insert.bind_text(18, fmt::format("item-{}", i % 1000));
    insert.step();
  }
  connection.exec("COMMIT; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE");
}

void copy_fresh(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(to + suffix);
  for (const auto& entry : fs::directory_iterator(fs::path(to).parent_path())) {
    if (entry.path().filename().string().rfind(fs::path(to).filename().string() + ".pre-migrate-", 0) == 0) {
      fs::remove(entry.path());
    }
  }
  fs::copy_file(from, to);
}

struct Measured {
  double seconds = 0;
  long peak_kib = 0;
};

Measured run_migrate(const Options& o, const std::string& db, bool backup) {
  std::vector<std::string> args = {o.telemetry, "migrate", "--db", db, "--no-env-file"};
  if (!backup) args.push_back("--no-backup");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  auto start = Clock::now();
  pid_t pid;
  if (posix_spawn(&pid, o.telemetry.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + o.telemetry);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  Measured m{std::chrono::duration<double>(Clock::now() - start).count(), usage.ru_maxrss};
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("telemetry migrate failed");
  return m;
}

// SQLite's floor for the same rebuild: no functions, no notes, no checks.
double run_baseline(const std::string& db) {
  auto start = Clock::now();
  Connection connection(db, Connection::Mode::kReadWrite, 30000);
  connection.exec("PRAGMA cache_size=-65536; BEGIN EXCLUSIVE");
  connection.exec(telemetry::db::migrations::canonical_create_table("agent_runs", "agent_runs_v7_new"));
  std::string columns, values;
  std::set<std::string> present;
  for (const auto& c : telemetry::db::table_columns(connection, "agent_runs")) present.insert(c.name);
  for (int i = 0; i < telemetry::kRunColumnCount; ++i) {
    std::string name = telemetry::column_name(telemetry::column_at(i));
    columns += (i ? ", " : "") + name;
    std::string value = name == "event_id" ? "coalesce(run_id, rowid)" : name == "job_type" ? "coalesce(job_type, '')"
                        : name == "status" ? "CASE WHEN status = 'failed' THEN 'failure' ELSE coalesce(status, 'running') END" : name == "created_at" ? "coalesce(created_at, start_time)"
                        : name == "run_id" ? "coalesce(run_id, rowid)"
                        : name.rfind("items_", 0) == 0 || name == "duration_ms" || name == "api_retry_count"
                            ? (present.count(name) ? "max(" + name + ", 0)" : "0")
                        : present.count(name) ? name : "NULL";
    values += (i ? ", " : "") + value;
  }
  connection.exec(fmt::format("INSERT INTO agent_runs_v7_new ({}) SELECT {} FROM agent_runs ORDER BY rowid", columns, values));
  connection.exec("DROP TABLE agent_runs; ALTER TABLE agent_runs_v7_new RENAME TO agent_runs");
  for (const auto& index : telemetry::db::migrations::canonical_indexes()) {
    if (index.table == "agent_runs") connection.exec(index.sql);
  }
  connection.exec("COMMIT");
  return std::chrono::duration<double>(Clock::now() - start).count();
}

template <typename T>
T median(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    fs::create_directories(o.dir);
    const std::string base = (fs::path(o.dir) / fmt::format("library-v5-{}.sqlite", o.rows)).string();
    if (!fs::exists(base)) {
      auto start = Clock::now();
      generate(base, o.rows);
      std::cout << fmt::format("generated {} ({} rows, {:.0f} MiB) in {:.1f} s\n", base, o.rows + 7,
                               fs::file_size(base) / 1048576.0,
                               std::chrono::duration<double>(Clock::now() - start).count());
    }
    const long total_rows = o.rows + 7;
    const std::string db = (fs::path(o.dir) / "work.sqlite").string();
    std::vector<double> baseline, no_backup, with_backup;
    std::vector<long> peak_no_backup, peak_with_backup;
    for (int run = 0; run < o.runs; ++run) {
      copy_fresh(base, db);
      baseline.push_back(run_baseline(db));
      copy_fresh(base, db);
      Measured a = run_migrate(o, db, false);
      no_backup.push_back(a.seconds);
      peak_no_backup.push_back(a.peak_kib);
      copy_fresh(base, db);
      Measured b = run_migrate(o, db, true);
      with_backup.push_back(b.seconds);
      peak_with_backup.push_back(b.peak_kib);
      std::cout << fmt::format("run {}: baseline {:.2f} s, migrate --no-backup {:.2f} s ({} KiB), migrate {:.2f} s ({} KiB)\n",
                               run + 1, baseline.back(), a.seconds, a.peak_kib, b.seconds, b.peak_kib);
    }
    copy_fresh(base, db);
    fs::remove(db);
    auto rate = [&](double seconds) { return total_rows / seconds; };
    std::cout << fmt::format("rows: {}  database: {:.0f} MiB  runs: {}\n", total_rows, fs::file_size(base) / 1048576.0, o.runs);
    std::cout << fmt::format("baseline (SQLite floor)  median {:.2f} s  {:.0f} rows/s\n", median(baseline), rate(median(baseline)));
    std::cout << fmt::format("migrate --no-backup      median {:.2f} s  {:.0f} rows/s  peak RSS {:.1f} MiB  ratio to baseline {:.2f}\n",
                             median(no_backup), rate(median(no_backup)), median(peak_no_backup) / 1024.0,
                             median(no_backup) / median(baseline));
    std::cout << fmt::format("migrate (with backup)    median {:.2f} s  {:.0f} rows/s  peak RSS {:.1f} MiB  ratio to baseline {:.2f}\n",
                             median(with_backup), rate(median(with_backup)), median(peak_with_backup) / 1024.0,
                             median(with_backup) / median(baseline));
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "bench_migrate: " << error.what() << "\n";
    return 1;
  }
}
