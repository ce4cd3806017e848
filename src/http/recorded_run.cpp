#include "http/recorded_run.h"

#include <signal.h>
#include <unistd.h>

#include <climits>
#include <condition_variable>
#include <mutex>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "buffer/buffer_writer.h"
#include "util/child_supervisor.h"

namespace telemetry::http {
namespace {

using Json = nlohmann::ordered_json;

// A command that ends this soon after it started is recorded by one POST of
// its final record: a start record would be out of date before it was
// stored, and waiting for its answer would double what a short command costs.
constexpr auto kStartGrace = std::chrono::milliseconds(10);

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : fmt::format("signal {}", sig);
}

std::string status_of(const SupervisorResult& result) {
  if (result.timed_out) return "timeout";
  if (result.forwarded || (result.signal && (*result.signal == SIGINT || *result.signal == SIGTERM))) return "cancelled";
  if (result.started && result.exit_code == 0) return "success";
  return "failure";
}

// Why the run did not succeed, in one line: the last non-empty line of
// standard error when there is one, else what ended the command.
std::string error_summary(const SupervisorResult& result, const std::string& command,
                          const std::optional<std::chrono::milliseconds>& timeout) {
  if (!result.started) return fmt::format("cannot run '{}': {}", command, result.start_error);
  std::string ending;
  if (result.timed_out) ending = fmt::format("timed out after {} ms", timeout ? timeout->count() : 0);
  else if (result.forwarded) ending = fmt::format("cancelled by {}", signal_name(*result.forwarded));
  else if (result.signal) ending = fmt::format("killed by {}", signal_name(*result.signal));
  else ending = fmt::format("exit status {}", result.exit_status());
  for (auto line = result.stderr_tail.rbegin(); line != result.stderr_tail.rend(); ++line) {
    if (line->find_first_not_of(" \t\r") != std::string::npos) return ending + ": " + *line;
  }
  return ending;
}

}  // namespace

RecordedRunResult run_recorded(const RecordedRunOptions& options, const ReporterSettings& settings) {
  RunFields fields = options.fields;
  if (!fields.agent_name) {
    const std::string& command = options.argv.front();
    fields.agent_name = command.substr(command.find_last_of('/') + 1);
  }
  if (!fields.job_type) fields.job_type = "command";
  const std::string start_time = buffer::client_timestamp(std::chrono::system_clock::now());
  char cwd[PATH_MAX];
  const std::string directory = ::getcwd(cwd, sizeof cwd) ? cwd : ".";
  // Checked before the command starts, so that a bad flag is an error and not a lost record.
  Json body = start_body(fields, Json::object(), directory, start_time);
  validated_run(body);

  RunReporter reporter(settings);
  RecordedRunResult outcome;
  std::thread start_sender;
  std::mutex ended_mutex;
  std::condition_variable ended_changed;
  bool ended = false;
  SupervisorOptions supervisor;
  supervisor.argv = options.argv;
  supervisor.timeout = options.timeout;
  supervisor.tail_lines = options.tail_stderr;
  supervisor.on_started = [&] {
    start_sender = std::thread([&] {
      {
        std::unique_lock<std::mutex> lock(ended_mutex);
        if (ended_changed.wait_for(lock, kStartGrace, [&] { return ended; })) return;  // one record will do
      }
      outcome.start = reporter.create(body);
    });
  };
  SupervisorResult result = supervise(supervisor);
  // The command has ended and its status is what we exit with: a late Ctrl-C or
  // SIGTERM must not lose its end record (the requests are bounded by their timeout).
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::signal(sig, SIG_IGN);
  {
    std::lock_guard<std::mutex> lock(ended_mutex);
    ended = true;
  }
  ended_changed.notify_one();
  if (start_sender.joinable()) start_sender.join();
  outcome.exit_status = result.exit_status();
  if (!result.started) outcome.start_error = error_summary(result, options.argv.front(), options.timeout);

  Json changes = Json::object();
  const std::string status = status_of(result);
  changes["status"] = status;
  changes["end_time"] = buffer::client_timestamp(result.ended_at);
  changes["duration_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(result.ended_at - result.started_at).count();
  Json metrics = body.contains("metrics_json") && body["metrics_json"].is_object() ? body["metrics_json"]
                                                                                  : Json::object();
  metrics["exit_code"] = result.exit_code ? Json(*result.exit_code) : Json(nullptr);
  metrics["signal"] = result.signal ? Json(*result.signal) : Json(nullptr);
  metrics["exit_status"] = outcome.exit_status;
  changes["metrics_json"] = metrics;
  if (status != "success") {
    changes["error_summary"] = text_value(error_summary(result, options.argv.front(), options.timeout));
    std::string details;
    for (const std::string& line : result.stderr_tail) details += line + "\n";
    if (!details.empty()) changes["error_details"] = text_value(details);
  }
  Json final_body = body;
  for (auto& [key, value] : changes.items()) final_body[key] = value;
  outcome.end = reporter.finish(body["event_id"].get<std::string>(), changes, final_body,
                                outcome.start && outcome.start->delivery == Delivery::kSent);
  return outcome;
}

}  // namespace telemetry::http
