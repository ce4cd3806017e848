#include "cli/common.h"

#include <unistd.h>

#include <climits>
#include <iostream>

#include "util/command_error.h"
#include "util/exit_codes.h"
#include "util/log.h"

namespace telemetry::cli {

CLI::Option* add_setting(CLI::App& command, FlagValues& flags, const std::string& name,
                         const std::string& variable, const std::string& description) {
  return command.add_option_function<std::string>(
      name, [&flags, variable](const std::string& value) { flags.settings[variable] = value; },
      description);
}

void add_switch(CLI::App& command, FlagValues& flags, const std::string& on, const std::string& off,
                const std::string& variable, const std::string& description) {
  command.add_flag_callback(on, [&flags, variable] { flags.settings[variable] = "true"; }, description);
  command.add_flag_callback(off, [&flags, variable] { flags.settings[variable] = "false"; },
                            "turn off: " + description);
}

void add_global_flags(CLI::App& command, FlagValues& flags) {
  add_setting(command, flags, "--db", "TELEMETRY_DB_PATH", "database file (TELEMETRY_DB_PATH)");
  add_setting(command, flags, "--lock-file", "TELEMETRY_LOCK_FILE",
              "single-writer lock file (TELEMETRY_LOCK_FILE; default <db>.lock)");
  add_client_flags(command, flags);
}

void add_client_flags(CLI::App& command, FlagValues& flags) {
  command.add_option_function<std::string>(
      "--env-file", [&flags](const std::string& path) { flags.env_file = path; },
      "read settings from this file instead of ./.env");
  command.add_flag_callback("--no-env-file", [&flags] { flags.no_env_file = true; }, "read no env file");
  add_setting(command, flags, "--log-level", "TELEMETRY_LOG_LEVEL", "debug, info, warning, error or critical");
  add_setting(command, flags, "--log-format", "TELEMETRY_LOG_FORMAT", "logfmt or json");
}

std::optional<Config> load_config_or_report(const FlagValues& flags, Command command) {
  try {
    return load_config(flags, command);
  } catch (const CommandError&) {  // load_config printed each problem
    return std::nullopt;
  }
}

Config load_config(const FlagValues& flags, Command command) {
  ConfigInputs inputs;
  inputs.flags = flags.settings;
  inputs.environment = current_environment();
  inputs.env_file = flags.env_file;
  inputs.no_env_file = flags.no_env_file;
  char cwd[PATH_MAX];
  inputs.working_directory = ::getcwd(cwd, sizeof cwd) ? cwd : ".";

  ConfigResult result = resolve_config(inputs, command);
  if (!result.ok()) {
    for (const std::string& line : result.errors) {
      std::cerr << "telemetry: configuration error: " << line << "\n";
    }
    throw CommandError(exit_code::kConfig, "");
  }
  Config& config = result.config;
  log::configure(log::parse_level(config.log_level), log::parse_format(config.log_format));
  for (const std::string& note : config.debug_notes) log::debug(note);
  for (const std::string& warning : config.warnings) log::warning(warning);
  return std::move(result.config);
}

}  // namespace telemetry::cli
