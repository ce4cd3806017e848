#include "cli/script_flags.h"

#include <unistd.h>

#include <climits>

#include <fmt/format.h>

#include "cli/command_error.h"
#include "cli/exit_codes.h"
#include "util/log.h"

namespace telemetry::cli {

void add_script_flags(CLI::App& command, ScriptFlags& flags, unsigned which) {
  http::RunFields& f = flags.fields;
  if (which & kStartFlags) {
    command.add_option("--agent-name", f.agent_name, "agent_name of the run")->type_name("NAME");
    command.add_option("--job-type", f.job_type, "job_type of the run")->type_name("NAME");
    command.add_option("--trigger-type", f.trigger_type, "trigger_type: cron, ci, manual ... (free text)")->type_name("NAME");
  }
  if (which & kRunIdFlag) command.add_option("--run-id", f.run_id, "run_id (default YYYYMMDDTHHMMSSZ-<agent>-<8 hex>)")->type_name("ID");
  if (which & kEndFlags) {
    command.add_option("--status", f.status, "success, failure, partial, timeout or cancelled")->type_name("STATUS");
    command.add_option("--error", f.error, "error_summary (sets the status to failure unless --status says otherwise)")->type_name("MESSAGE");
  }
  command.add_option("--metric", f.metrics, "KEY=VALUE in metrics_json (repeatable; numbers stay numbers)")->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command.add_option("--set", f.sets, "FIELD=VALUE for any field of POST /api/v1/runs (repeatable)")->type_name("FIELD=VALUE")
      ->allow_extra_args(false);
  if (which & kStdinFlag) command.add_flag("--stdin", f.from_stdin, "read a JSON object of fields from standard input first");
}

void check_script_flags(const http::RunFields& fields) {
  for (const std::string& metric : fields.metrics) {
    if (!http::split_key_value(metric)) {
      throw CommandError(exit_code::kUsage, fmt::format("--metric {}: expected KEY=VALUE", metric));
    }
  }
  for (const std::string& set : fields.sets) {
    auto pair = http::split_key_value(set);
    if (!pair) throw CommandError(exit_code::kUsage, fmt::format("--set {}: expected KEY=VALUE", set));
    if (!http::settable_field(pair->first)) {
      throw CommandError(exit_code::kUsage, fmt::format("--set {}: unknown field '{}' (the fields of POST "
                                                        "/api/v1/runs, see telemetry-record(1))", set, pair->first));
    }
  }
}

void require_fields(const std::optional<std::string>& missing) {
  if (missing) throw CommandError(exit_code::kUsage, *missing);
}

nlohmann::ordered_json stdin_fields(const http::RunFields& fields) {
  return fields.from_stdin ? http::read_stdin_object() : nlohmann::ordered_json::object();
}

http::ReporterSettings reporter_settings(const FlagValues& settings, Command command) {
  http::ReporterSettings out;
  if (std::optional<Config> config = load_config_or_report(settings, command)) {
    out.url = config->api_url;
    out.token = config->auth_token;
    out.buffer_dir = config->buffer_dir;
  } else {
    char cwd[PATH_MAX];
    out.buffer_dir = std::string(::getcwd(cwd, sizeof cwd) ? cwd : ".") + "/telemetry_buffer";
  }
  return out;
}

bool report_outcome(const std::string& what, const http::Outcome& outcome) {
  switch (outcome.delivery) {
    case http::Delivery::kSent: return true;
    case http::Delivery::kBuffered: log::debug(what + " record not sent: " + outcome.detail); return true;
    case http::Delivery::kLost: log::error(what + " record lost: " + outcome.detail); return false;
  }
  return false;
}

}  // namespace telemetry::cli
