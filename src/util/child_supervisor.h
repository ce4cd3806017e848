#pragma once
// Running one command under supervision for `telemetry run`: its own process
// group, standard input and output inherited untouched, standard error copied
// through byte for byte while its last lines are kept, the signals a shell or
// service manager sends forwarded to the group, and an optional time limit
// after which the whole group is terminated (SIGTERM, then SIGKILL 5 s later).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace telemetry {

struct SupervisorOptions {
  std::vector<std::string> argv;                  // argv[0] is looked up in PATH
  std::optional<std::chrono::milliseconds> timeout;
  int tail_lines = 20;                            // 0: standard error is not copied, just inherited
  // Called once the command has been started (or failed to start), while it
  // runs; `telemetry run` sends its start record from here, on another thread.
  std::function<void()> on_started;
};

struct SupervisorResult {
  bool started = false;           // false: exec failed (exit_status 126 or 127)
  std::string start_error;        // why exec failed
  std::optional<int> exit_code;   // normal exit
  std::optional<int> signal;      // terminated by this signal
  bool timed_out = false;         // the time limit expired and the group was terminated
  std::optional<int> forwarded;   // the first SIGINT/SIGTERM received and forwarded
  std::vector<std::string> stderr_tail;  // last `tail_lines` lines, without '\n', as bytes
  std::chrono::system_clock::time_point started_at, ended_at;

  // The status `telemetry run` exits with: the exit code, or 128 + signal.
  int exit_status() const;
};

// Runs the command and waits for it. Signals received meanwhile are forwarded
// (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2); when standard input is
// the terminal's foreground, the terminal is handed to the command's group
// for its lifetime (so it can read the terminal and Ctrl-C reaches it).
// The signal mask is restored on return; signals received after the command
// ended are dropped.
SupervisorResult supervise(const SupervisorOptions& options);

// Keeps the last `count` lines of a byte stream (each capped at 4 KiB).
class LineTail {
 public:
  explicit LineTail(int count) : count_(count) {}
  void add(const char* data, std::size_t size);
  std::vector<std::string> lines() const;  // including a final unterminated line

 private:
  int count_;
  std::vector<std::string> done_;
  std::string current_;
};

}  // namespace telemetry
