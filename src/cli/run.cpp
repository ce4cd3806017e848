// telemetry run: runs a command and records it as a run (src/http/recorded_run.h).
#include <iostream>
#include <memory>

#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/script_flags.h"
#include "core/duration.h"
#include "http/recorded_run.h"
#include "util/log.h"

namespace telemetry::cli {
namespace {

struct RunFlags {
  ScriptFlags script;
  std::string timeout;
  int tail_stderr = 20;
  std::vector<std::string> argv;
};

int run(const RunFlags& flags, const FlagValues& settings) {
  if (flags.argv.empty()) throw CommandError(exit_code::kUsage, "no command given: telemetry run [OPTIONS] -- CMD [ARGS...]");
  http::RecordedRunOptions options;
  options.argv = flags.argv;
  options.fields = flags.script.fields;
  options.tail_stderr = flags.tail_stderr;
  if (!flags.timeout.empty()) {
    auto limit = parse_time_limit(flags.timeout);
    if (!limit) throw CommandError(exit_code::kUsage, "--timeout " + flags.timeout + ": expected seconds or N followed by s, m, h or d (90, 15m, 2h)");
    options.timeout = *limit;
  }
  if (flags.tail_stderr < 0 || flags.tail_stderr > 10000) throw CommandError(exit_code::kUsage, "--tail-stderr must be between 0 and 10000");
  check_script_flags(options.fields);
  // run names the run after its command unless told (http/recorded_run.h), so only
  // a --set that blanks agent_name or job_type can leave one missing.
  http::RunFields named = options.fields;
  if (!named.agent_name) named.agent_name = "command";
  if (!named.job_type) named.job_type = "command";
  require_fields(http::missing_start_field(named, nlohmann::ordered_json::object()));

  const http::RecordedRunResult result = http::run_recorded(options, reporter_settings(settings, Command::kRun));
  if (result.start_error) std::cerr << "telemetry: " << *result.start_error << "\n";
  // The command's output stays its own: a buffered record is only logged at debug level.
  if (result.start) report_outcome("start", *result.start);
  report_outcome("end", result.end);
  return result.exit_status;
}

}  // namespace

void register_run(CLI::App& app, RunCommand& run_command) {
  auto settings = std::make_shared<FlagValues>();
  auto flags = std::make_shared<RunFlags>();
  CLI::App* command = app.add_subcommand("run", "Run a command and record it as a run");
  command->footer(
      "CMD [ARGS...] follows the options, best after --.\n"
      "Examples:\n"
      "  telemetry run --agent-name nightly-backup --job-type backup -- /usr/local/bin/backup.sh\n"
      "  telemetry run --timeout 2h --metric shard=3 -- ./crawl --shard 3\n"
      "Exits with the command's exit status (128+N when a signal N ended it).");
  add_client_flags(*command, *settings);
  add_setting(*command, *settings, "--url", "TELEMETRY_API_URL", "the service to record to (TELEMETRY_API_URL)");
  add_script_flags(*command, flags->script, kStartFlags | kRunIdFlag);
  command->add_option("--timeout", flags->timeout, "terminate the command's process group after this long (90, 15m, 2h)")->type_name("DURATION");
  command->add_option("--tail-stderr", flags->tail_stderr,
                      "standard error lines kept for error_details (default 20; 0 leaves stderr untouched)");
  // After --, every word is the command's own, even ones that look like our flags.
  command->add_option("command", flags->argv, "CMD [ARGS...], after --");
  command->callback([&run_command, settings, flags] {
    run_command = [settings, flags] { return run(*flags, *settings); };
  });
}

}  // namespace telemetry::cli
