// The supervisor of `telemetry run`: exit statuses, signals, the time limit
// on the whole process group, exec failures, and the stderr tail.
#include <signal.h>

#include <catch2/catch.hpp>

#include "util/child_supervisor.h"

using namespace telemetry;

namespace {

SupervisorResult run(std::vector<std::string> argv, int tail = 0,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  SupervisorOptions options;
  options.argv = std::move(argv);
  options.tail_lines = tail;
  options.timeout = timeout;
  return supervise(options);
}

}  // namespace

TEST_CASE("LineTail keeps the last N lines, an unterminated last line included") {
  LineTail tail(2);
  const std::string text = "one\ntwo\nthr";
  tail.add(text.data(), text.size());
  tail.add("ee\nfour", 7);
  CHECK(tail.lines() == std::vector<std::string>{"three", "four"});
  LineTail none(0);
  none.add("a\n", 2);
  CHECK(none.lines().empty());
}

TEST_CASE("the exit status is the command's, or 128 + the signal") {
  auto ok = run({"sh", "-c", "exit 0"});
  CHECK(ok.started);
  CHECK(ok.exit_status() == 0);
  CHECK(run({"sh", "-c", "exit 42"}).exit_status() == 42);
  auto killed = run({"sh", "-c", "kill -KILL $$"});
  CHECK(killed.signal == SIGKILL);
  CHECK_FALSE(killed.exit_code);
  CHECK(killed.exit_status() == 128 + SIGKILL);
}

TEST_CASE("a command that cannot be run is 127 with the reason") {
  auto missing = run({"no-such-command-for-the-supervisor"});
  CHECK_FALSE(missing.started);
  CHECK(missing.exit_status() == 127);
  CHECK(missing.start_error == "No such file or directory");
}

TEST_CASE("the time limit terminates the whole process group") {
  auto result = run({"sh", "-c", "sleep 30 & sleep 30; echo never"}, 5, std::chrono::milliseconds(200));
  CHECK(result.timed_out);
  CHECK(result.signal == SIGTERM);
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(result.ended_at - result.started_at).count() < 10);
}

TEST_CASE("the stderr tail holds the last lines the command wrote") {
  auto result = run({"sh", "-c", "for i in 1 2 3 4; do echo line $i >&2; done; exit 1"}, 2);
  CHECK(result.exit_status() == 1);
  CHECK(result.stderr_tail == std::vector<std::string>{"line 3", "line 4"});
}

TEST_CASE("on_started is called while the command runs") {
  SupervisorOptions options;
  options.argv = {"true"};
  int calls = 0;
  options.on_started = [&] { ++calls; };
  CHECK(supervise(options).exit_status() == 0);
  CHECK(calls == 1);
}
