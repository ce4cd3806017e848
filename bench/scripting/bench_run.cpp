// bench_run: what `telemetry run` adds to a command. Starts its own
// `telemetry serve` (temporary database, DELETE/FULL defaults, loopback port
// chosen by the system) and, interleaved N times so that the machine's noise
// hits all three alike, times:
//   true       posix_spawn("true") and wait
//   version    posix_spawn("telemetry --version"): loading the binary alone
//   run        posix_spawn("telemetry run --no-env-file --url U -- true") and wait
//   post       one POST /api/v1/runs on a fresh connection, until its 201
// and prints the medians, run - true (the overhead), and that overhead less
// one acknowledged POST (what `run` costs beyond the end record's write; its
// start record is sent while the command runs).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <climits>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

pid_t spawn(const std::vector<std::string>& args, bool quiet, bool quiet_stdout = false) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (quiet) posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (quiet_stdout) posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    std::perror(argv[0]);
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

double time_command(const std::vector<std::string>& args) {
  const auto start = Clock::now();
  int status = 0;
  ::waitpid(spawn(args, false, true), &status, 0);
  const double elapsed = ms_since(start);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "%s failed\n", args[0].c_str());
    std::exit(1);
  }
  return elapsed;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string telemetry = "build/src/telemetry";
  int runs = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--telemetry")) telemetry = argv[i + 1];
    else if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
  }
  char resolved[PATH_MAX];
  if (!::realpath(telemetry.c_str(), resolved)) {
    std::perror(telemetry.c_str());
    return 1;
  }
  telemetry = resolved;  // we chdir below
  char dir_template[] = "/tmp/bench-run-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  const std::string db = dir + "/telemetry.sqlite";
  const pid_t server = spawn({telemetry, "serve", "--no-env-file", "--db", db, "--port", "0",
                              "--log-level", "error"}, true);
  int port = 0;
  for (int attempt = 0; attempt < 400 && port == 0; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::ifstream lock(db + ".lock");
    std::string pid, host, command, url;
    if (std::getline(lock, pid) && std::getline(lock, host) && std::getline(lock, command) &&
        std::getline(lock, url) && pid == std::to_string(server) && url.rfind("http://", 0) == 0) {
      port = std::atoi(url.substr(url.rfind(':') + 1).c_str());
    }
  }
  if (port == 0) {
    std::fprintf(stderr, "serve did not start\n");
    return 1;
  }
  const std::string url = fmt::format("http://127.0.0.1:{}", port);
  if (::chdir(dir.c_str()) != 0) return 1;  // any buffer files would land here

  std::vector<double> plain, version, wrapped, posts;
  for (int i = 0; i < runs; ++i) {
    plain.push_back(time_command({"true"}));
    version.push_back(time_command({telemetry, "--version"}));
    wrapped.push_back(time_command({telemetry, "run", "--no-env-file", "--url", url, "--", "true"}));
    const auto start = Clock::now();
    httplib::Client client(url);
    const std::string body = fmt::format(
        R"({{"event_id":"bench-post-{}","run_id":"r","agent_name":"bench","job_type":"post",)"
        R"("start_time":"2026-01-14T09:15:02+00:00"}})", i);
    auto response = client.Post("/api/v1/runs", body, "application/json");
    posts.push_back(ms_since(start));
    if (!response || response->status != 201) {
      std::fprintf(stderr, "POST failed\n");
      return 1;
    }
  }
  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);

  const double m_true = median(plain), m_version = median(version), m_run = median(wrapped), m_post = median(posts);
  std::printf("runs: %d (interleaved)\n", runs);
  std::printf("true alone                 median %8.2f ms\n", m_true);
  std::printf("telemetry --version        median %8.2f ms\n", m_version);
  std::printf("telemetry run -- true      median %8.2f ms\n", m_run);
  std::printf("one acknowledged POST      median %8.2f ms\n", m_post);
  std::printf("overhead (run - true)             %8.2f ms\n", m_run - m_true);
  std::printf("overhead beyond one POST          %8.2f ms\n", m_run - m_true - m_post);
  std::printf("  of which starting the binary    %8.2f ms (--version - true)\n", m_version - m_true);
  std::string rm = "rm -rf '" + dir + "'";
  return std::system(rm.c_str()) == 0 ? 0 : 1;
}
