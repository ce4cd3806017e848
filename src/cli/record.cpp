// telemetry record start|finish|event: records runs that a script manages
// itself (src/http/scripted_runs.h). start and event print the event_id.
#include <iostream>
#include <memory>

#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/script_flags.h"

namespace telemetry::cli {
namespace {

struct RecordFlags {
  ScriptFlags script;
  std::string event_id;
};

// A record that is neither sent nor buffered is an error (74): the script must know.
int finish_with(const http::RecordResult& result, bool print_id) {
  if (!report_outcome("the", result.outcome)) return exit_code::kIoErr;
  if (print_id) std::cout << result.event_id << "\n";
  return exit_code::kOk;
}

// Each action: standard input, the flags' usage errors in the order the record
// uses them, then the record itself (http/scripted_runs.h).
http::RecordResult checked_start(const http::RunFields& fields, const FlagValues& settings) {
  const nlohmann::ordered_json base = stdin_fields(fields);
  check_script_flags(fields);
  require_fields(http::missing_start_field(fields, base));
  if (fields.status || fields.error) {
    throw CommandError(exit_code::kUsage, "record start takes no --status or --error; give them to record finish");
  }
  return http::record_start(fields, base, reporter_settings(settings, Command::kRecord));
}

http::RecordResult checked_finish(const std::string& event_id, const http::RunFields& fields, const FlagValues& settings) {
  if (fields.agent_name || fields.job_type || fields.trigger_type || fields.run_id) {
    throw CommandError(exit_code::kUsage,
                       "record finish changes only the end of a run: --agent-name, --job-type, --trigger-type and "
                       "--run-id belong to record start");
  }
  const nlohmann::ordered_json given = stdin_fields(fields);
  check_script_flags(fields);
  return http::record_finish(event_id, fields, given, reporter_settings(settings, Command::kRecord));
}

http::RecordResult checked_event(const http::RunFields& fields, const FlagValues& settings) {
  const nlohmann::ordered_json base = stdin_fields(fields);
  require_fields(http::missing_event_field(fields, base));
  check_script_flags(fields);
  return http::record_event(fields, base, reporter_settings(settings, Command::kRecord));
}

CLI::App* add_action(CLI::App& parent, const std::string& name, const std::string& description,
                     const std::string& footer, FlagValues& settings, ScriptFlags& script, unsigned which) {
  CLI::App* command = parent.add_subcommand(name, description);
  command->footer(footer);
  add_client_flags(*command, settings);
  add_setting(*command, settings, "--url", "TELEMETRY_API_URL", "the service to record to (TELEMETRY_API_URL)");
  add_script_flags(*command, script, which);
  return command;
}

}  // namespace

void register_record(CLI::App& app, RunCommand& run) {
  auto settings = std::make_shared<FlagValues>();
  auto flags = std::make_shared<RecordFlags>();
  CLI::App* record = app.add_subcommand("record", "Record the start, end or whole of a run from a script");
  record->require_subcommand(1);
  record->footer(
      "Examples:\n"
      "  id=$(telemetry record start --agent-name report --job-type nightly)\n"
      "  telemetry record finish \"$id\" --status failure --error \"$msg\"\n"
      "  telemetry record event --agent-name sync --job-type mirror --metric files=120");

  CLI::App* start = add_action(*record, "start", "Record the start of a run (status running); print its event_id",
                               "Example:\n  id=$(telemetry record start --agent-name report --job-type nightly)",
                               *settings, flags->script, kStartFlags | kRunIdFlag | kStdinFlag);
  start->callback([&run, settings, flags] {
    run = [settings, flags] {
      return finish_with(checked_start(flags->script.fields, *settings), true);
    };
  });

  CLI::App* finish = add_action(*record, "finish", "Record the end of a run started with record start",
                                "Example:\n  telemetry record finish \"$id\" --status failure --error \"$msg\"",
                                *settings, flags->script, kEndFlags | kStdinFlag);
  finish->add_option("event_id", flags->event_id, "the event_id record start printed")->required();
  finish->callback([&run, settings, flags] {
    run = [settings, flags] {
      return finish_with(checked_finish(flags->event_id, flags->script.fields, *settings), false);
    };
  });

  CLI::App* event = add_action(*record, "event", "Record a whole run (start and end) in one call; print its event_id",
                               "Example:\n  telemetry record event --agent-name sync --job-type mirror --metric files=120",
                               *settings, flags->script, kStartFlags | kRunIdFlag | kEndFlags | kStdinFlag);
  event->callback([&run, settings, flags] {
    run = [settings, flags] {
      return finish_with(checked_event(flags->script.fields, *settings), true);
    };
  });
}

}  // namespace telemetry::cli
