// Backup of a large database while 16 clients write (issue 5): how long the
// backup takes, and the writers' p99 latency during it compared with the same
// load without a backup, measured in the same run. Medians of several runs.
//
//   bench_backup --telemetry PATH/telemetry --dir WORKDIR [--rows 1000000]
//                [--clients 16] [--runs 3] [--window-seconds 8] [--modes DELETE,WAL]
//
// The generated database is kept in WORKDIR/base-<rows>.sqlite and reused.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/run_record.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/run_store.h"

extern char** environ;

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using telemetry::ordered_json;

struct Options {
  std::string telemetry;
  std::string dir;
  long rows = 1000000;
  int clients = 16;
  int runs = 3;
  int window_seconds = 8;
  std::vector<std::string> modes{"DELETE", "WAL"};
};

std::string option_value(int& i, int argc, char** argv) {
  if (i + 1 >= argc) throw std::runtime_error(std::string("missing value for ") + argv[i]);
  return argv[++i];
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--telemetry") o.telemetry = option_value(i, argc, argv);
    else if (a == "--dir") o.dir = option_value(i, argc, argv);
    else if (a == "--rows") o.rows = std::stol(option_value(i, argc, argv));
    else if (a == "--clients") o.clients = std::stoi(option_value(i, argc, argv));
    else if (a == "--runs") o.runs = std::stoi(option_value(i, argc, argv));
    else if (a == "--window-seconds") o.window_seconds = std::stoi(option_value(i, argc, argv));
    else if (a == "--modes") {
      o.modes.clear();
      std::stringstream list(option_value(i, argc, argv));
      for (std::string m; std::getline(list, m, ',');) o.modes.push_back(m);
    } else throw std::runtime_error("unknown argument " + a);
  }
  if (o.telemetry.empty() || o.dir.empty()) throw std::runtime_error("--telemetry and --dir are required");
  return o;
}

ordered_json run_body(const std::string& event_id, long i) {
  static const char* statuses[] = {"success", "success", "success", "failure", "partial", "running"};
  return ordered_json{{"event_id", event_id},
                      {"run_id", "run-" + event_id},
                      {"agent_name", fmt::format("agent-{:02}", i % 20)},
                      {"job_type", fmt::format("job-{}", i % 7)},
                      {"status", statuses[i % 6]},
                      {"start_time", "2026-01-14T09:15:02+00:00"},
                      {"end_time", "2026-01-14T09:16:40+00:00"},
                      {"items_discovered", i % 100},
                      {"items_succeeded", i % 90},
                      {"product", "docs"},
                      {"website", fmt::format("site-{}.example.com", i % 50)},
                      {"website_section", "guides"},
                      {"git_repo", "https://github.com/example/repo"},
                      {"git_commit_hash", fmt::format("{:040x}", i)},
                      {"host", "worker-3"},
                      {"output_summary", "processed the nightly batch of documents and wrote the translated pages"},
                      {"metrics_json", {{"pages", i % 1000}, {"tokens", i % 100000}}}};
}

// Rows spread over the last 90 days of created_at, written directly (no server).
void generate(const std::string& path, long rows) {
  auto database = telemetry::db::open_servable(path, {"DELETE", "OFF", 30000}, true);
  telemetry::db::RunStore store(*database.connection);
  const auto now = std::chrono::system_clock::now();
  const auto start = Clock::now();
  for (long done = 0; done < rows;) {
    telemetry::db::Transaction transaction(*database.connection);
    for (long end = std::min(rows, done + 50000); done < end; ++done) {
      const std::string created = telemetry::canonical_utc(now - std::chrono::seconds(done * 7776000L / rows));
      auto parsed = telemetry::parse_run(run_body(fmt::format("seed-{}", done), done),
                                         ordered_json::array({"body"}), created);
      store.insert(parsed.run);
    }
    transaction.commit();
    std::fprintf(stderr, "\rgenerating: %ld of %ld rows", done, rows);
  }
  std::fprintf(stderr, " (%.0f s)\n", std::chrono::duration<double>(Clock::now() - start).count());
}

pid_t spawn(const std::vector<std::string>& args, const std::string& stdout_path, const std::string& stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + args[0]);
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int wait_for_port(const std::string& lock_path) {
  for (int i = 0; i < 600; ++i) {
    std::ifstream in(lock_path);
    std::string pid, host, command, url;
    if (std::getline(in, pid) && std::getline(in, host) && std::getline(in, command) && std::getline(in, url) &&
        url.rfind("http://", 0) == 0) {
      return std::stoi(url.substr(url.rfind(':') + 1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("serve did not start; see its stderr in the work directory");
}

struct Sample {
  Clock::time_point started;
  double ms;
  bool ok;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * (values.size() - 1) + 0.5))];
}

double median(std::vector<double> values) { return percentile(std::move(values), 0.5); }

struct Window {
  double p99 = 0, max = 0, throughput = 0;
  long failures = 0;
};

Window measure(const std::vector<std::vector<Sample>>& samples, Clock::time_point from, Clock::time_point to) {
  std::vector<double> latencies;
  Window w;
  for (const auto& per_client : samples) {
    for (const Sample& s : per_client) {
      if (s.started < from || s.started >= to) continue;
      latencies.push_back(s.ms);
      if (!s.ok) ++w.failures;
    }
  }
  w.p99 = percentile(latencies, 0.99);
  w.max = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  w.throughput = latencies.size() / std::chrono::duration<double>(to - from).count();
  return w;
}

struct ModeResult {
  std::vector<double> backup_seconds, copy_seconds, verify_seconds, p99_backup, p99_base, max_backup, tput_backup,
      tput_base;
  long failures = 0;
};

// One baseline window followed by one backup, per run.
struct RunWindows {
  Clock::time_point base_from, base_to, backup_from, backup_to;
};

ModeResult bench_mode(const Options& o, const std::string& base, const std::string& mode) {
  const std::string db = fmt::format("{}/live-{}.sqlite", o.dir, mode);
  const std::string backups = fmt::format("{}/backups-{}", o.dir, mode);
  fs::remove_all(backups);
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".lock"}) fs::remove(db + suffix);
  fs::copy_file(base, db);
  pid_t server = spawn({o.telemetry, "serve", "--db", db, "--port", "0", "--no-env-file", "--journal-mode", mode,
                        "--http-threads", "32", "--log-level", "warning"},
                       "/dev/null", o.dir + "/serve-" + mode + ".stderr");
  const int port = wait_for_port(db + ".lock");

  // Each client appends only to its own vector; they are read after the join.
  std::vector<std::vector<Sample>> samples(o.clients);
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < o.clients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_read_timeout(60);
      for (long i = 0; !stop; ++i) {
        const std::string body = run_body(fmt::format("bench-{}-{}-{}", mode, c, i), i).dump();
        const auto started = Clock::now();
        auto result = client.Post("/api/v1/runs", body, "application/json");
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        samples[c].push_back({started, ms, result && result->status == 201});
      }
    });
  }

  ModeResult r;
  std::vector<RunWindows> windows;
  std::this_thread::sleep_for(std::chrono::seconds(2));  // warm-up, not measured
  for (int run = 0; run < o.runs; ++run) {
    RunWindows w;
    w.base_from = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(o.window_seconds));
    w.base_to = Clock::now();

    const std::string out = fmt::format("{}/backup-{}-{}.json", o.dir, mode, run);
    w.backup_from = Clock::now();
    pid_t backup = spawn({o.telemetry, "backup", "--db", db, "--dir", backups, "--no-env-file", "--keep-days", "0",
                          "--keep-last", "1", "--json"},
                         out, o.dir + "/backup.stderr");
    const int code = wait_for(backup);
    w.backup_to = Clock::now();
    if (code != 0) throw std::runtime_error(fmt::format("backup exited {}; see {}/backup.stderr", code, o.dir));
    std::ifstream in(out);
    auto report = nlohmann::json::parse(in);
    r.backup_seconds.push_back(std::chrono::duration<double>(w.backup_to - w.backup_from).count());
    r.copy_seconds.push_back(report["copy_seconds"].get<double>());
    r.verify_seconds.push_back(report["verify_seconds"].get<double>());
    windows.push_back(w);
    std::fprintf(stderr, "%s run %d: backup %.1f s (copy %.1f, verify %.1f)\n", mode.c_str(), run + 1,
                 r.backup_seconds.back(), r.copy_seconds.back(), r.verify_seconds.back());
  }
  stop = true;
  for (auto& t : clients) t.join();
  kill(server, SIGTERM);
  wait_for(server);

  for (const RunWindows& w : windows) {
    Window base = measure(samples, w.base_from, w.base_to);
    Window during = measure(samples, w.backup_from, w.backup_to);
    r.failures += base.failures + during.failures;
    r.p99_base.push_back(base.p99);
    r.tput_base.push_back(base.throughput);
    r.p99_backup.push_back(during.p99);
    r.max_backup.push_back(during.max);
    r.tput_backup.push_back(during.throughput);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    fs::create_directories(o.dir);
    const std::string base = fmt::format("{}/base-{}.sqlite", o.dir, o.rows);
    if (!fs::exists(base)) generate(base, o.rows);
    std::cout << fmt::format("database: {} rows, {:.0f} MiB; {} clients; {} runs; medians\n\n", o.rows,
                             fs::file_size(base) / 1048576.0, o.clients, o.runs);
    std::cout << "| journal mode | backup time (s) | copy (s) | verify (s) | writers p99 without backup (ms) | "
                 "writers p99 during backup (ms) | ratio | max during backup (ms) | writes/s without | writes/s during "
                 "| failed writes |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const std::string& mode : o.modes) {
      ModeResult r = bench_mode(o, base, mode);
      const double p99_base = median(r.p99_base), p99_backup = median(r.p99_backup);
      std::cout << fmt::format("| {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.1f}x | {:.0f} | {:.0f} | {:.0f} | {} |\n",
                               mode, median(r.backup_seconds), median(r.copy_seconds), median(r.verify_seconds),
                               p99_base, p99_backup, p99_base > 0 ? p99_backup / p99_base : 0, median(r.max_backup),
                               median(r.tput_base), median(r.tput_backup), r.failures)
                << std::flush;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_backup: " << e.what() << "\n";
    return 1;
  }
}
