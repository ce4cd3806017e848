// The one progress display (util/terminal_progress.h): what a state reads
// like, and that nothing is drawn when the style says no terminal.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "temp_dir.h"
#include "util/terminal_progress.h"

using telemetry::TerminalProgress;

namespace {

TerminalProgress::Style plain() { return {true, false}; }

}  // namespace

TEST_CASE("progress: counts, bytes, with and without a total") {
  TerminalProgress rows("copying agent_runs", TerminalProgress::Unit::kCount, "rows", 0, plain());
  CHECK(rows.render(16384, 20007) == "copying agent_runs:  81% (16,384 of 20,007 rows)");
  CHECK(rows.render(20007, 20007) == "copying agent_runs: 100% (20,007 of 20,007 rows)");
  TerminalProgress runs("prune", TerminalProgress::Unit::kCount, "runs deleted", 0, plain());
  CHECK(runs.render(120000, 0) == "prune: 120,000 runs deleted");
  TerminalProgress bytes("backup", TerminalProgress::Unit::kBytes, "", 0, plain());
  CHECK(bytes.render(50 * 1024 * 1024, 100 * 1024 * 1024) == "backup:  50% (50.0 MiB of 100.0 MiB)");
}

TEST_CASE("progress: the label is bold only with colour") {
  TerminalProgress bold("prune", TerminalProgress::Unit::kCount, "runs", 0, {true, true});
  CHECK(bold.render(1, 0) == "\x1b[1mprune\x1b[0m: 1 runs");
}

TEST_CASE("progress: nothing reaches stderr when not on a terminal or below the minimum") {
  telemetry::test::TempDir dir;
  const std::string file = dir / "stderr";
  const int saved = ::dup(STDERR_FILENO);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  {
    TerminalProgress off("prune", TerminalProgress::Unit::kCount, "runs", 0, {false, false});
    off.update(5);
    off.finish();
    TerminalProgress small("backup", TerminalProgress::Unit::kBytes, "", 1024, plain());
    small.update(10, 100);  // a 100-byte job is below the 1 KiB minimum
  }
  {
    TerminalProgress shown("prune", TerminalProgress::Unit::kCount, "runs", 0, plain());
    shown.update(2);
    shown.update(5);  // within 100 ms of the first: drawn by finish()
    shown.finish();
    shown.finish();  // idempotent: one newline
  }
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  CHECK(telemetry::test::read_file(file) == "\r\x1b[Kprune: 2 runs\r\x1b[Kprune: 5 runs\n");
}
