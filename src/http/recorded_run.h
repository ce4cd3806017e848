#pragma once
// `telemetry run`: runs one command under supervision and records it as a
// run. The start record (status running) is sent on another thread while the
// command already runs, unless the command ends within the first 10 ms: then
// the end record alone (a POST) stands for both. The end record (success, failure, timeout or
// cancelled, end_time, duration_ms, exit code and signal in metrics_json, the
// last lines of standard error on failure) is sent when it has ended. The
// command's exit status and output are never changed.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "http/run_reporter.h"
#include "http/scripted_runs.h"

namespace telemetry::http {

struct RecordedRunOptions {
  std::vector<std::string> argv;
  RunFields fields;                                  // agent_name defaults to the command's name
  std::optional<std::chrono::milliseconds> timeout;
  int tail_stderr = 20;
};

struct RecordedRunResult {
  int exit_status = 0;                // the command's, or 128 + signal
  std::optional<std::string> start_error;  // the command could not be started
  std::optional<Outcome> start;       // nullopt: the command ended first, the end record stands for both
  Outcome end;
};

RecordedRunResult run_recorded(const RecordedRunOptions& options, const ReporterSettings& settings);

}  // namespace telemetry::http
