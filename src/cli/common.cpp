#include "cli/common.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <set>

#include "cli/app.h"
#include "cli/exit_codes.h"
#include "util/log.h"

namespace telemetry::cli {
namespace {

// What --help shows as the value of each setting's flag.
const std::map<std::string, std::string> kValueTypes = {
    {"TELEMETRY_DB_PATH", "PATH"},           {"TELEMETRY_LOCK_FILE", "PATH"},
    {"TELEMETRY_DB_JOURNAL_MODE", "MODE"},   {"TELEMETRY_DB_SYNCHRONOUS", "LEVEL"},
    {"TELEMETRY_DB_BUSY_TIMEOUT_MS", "MILLISECONDS"},
    {"TELEMETRY_API_HOST", "ADDRESS"},       {"TELEMETRY_API_PORT", "PORT"},
    {"TELEMETRY_API_AUTH_TOKEN_FILE", "PATH"},
    {"TELEMETRY_RATE_LIMIT_RPM", "INT"},     {"TELEMETRY_MAX_BODY_BYTES", "BYTES"},
    {"TELEMETRY_BATCH_MAX", "INT"},          {"TELEMETRY_HTTP_THREADS", "INT"},
    {"TELEMETRY_HTTP_READ_TIMEOUT_SECONDS", "SECONDS"},
    {"TELEMETRY_HTTP_KEEPALIVE_SECONDS", "SECONDS"},
    {"TELEMETRY_RETENTION_DAYS", "DAYS"},    {"TELEMETRY_API_URL", "URL"},
    {"TELEMETRY_BACKUP_DIR", "DIR"},         {"TELEMETRY_BACKUP_KEEP_DAYS", "DAYS"},
    {"TELEMETRY_BACKUP_KEEP_LAST", "INT"},   {"TELEMETRY_LOG_LEVEL", "LEVEL"},
    {"TELEMETRY_LOG_FORMAT", "FORMAT"},      {"TELEMETRY_METRICS_MAX_AGENTS", "INT"},
    {"TELEMETRY_HTTP_MAX_CONNECTIONS", "INT"}, {"TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "INT"},
    {"TELEMETRY_HTTP_MAX_HEADER_BYTES", "BYTES"},
};

// Defaults that follow another setting; their descriptions say so instead.
const std::set<std::string> kDerivedDefaults = {"TELEMETRY_LOCK_FILE", "TELEMETRY_BACKUP_DIR", "TELEMETRY_API_URL"};

// Each setting's default as the resolver computes it with nothing set (only
// HOME and XDG_DATA_HOME, which the default database path comes from).
const std::map<std::string, std::string>& setting_defaults() {
  static const std::map<std::string, std::string> defaults = [] {
    ConfigInputs inputs;
    inputs.no_env_file = true;
    inputs.working_directory = "/";
    for (const char* name : {"HOME", "XDG_DATA_HOME"})
      if (const char* value = std::getenv(name)) inputs.environment[name] = value;
    std::map<std::string, std::string> found;
    // Between them these commands use every setting.
    for (Command command : {Command::kServe, Command::kIngestBuffer, Command::kBackup}) {
      for (const Config::Origin& origin : resolve_config(inputs, command).config.report)
        if (origin.source == "default" && !origin.value.empty() && !kDerivedDefaults.count(origin.name))
          found.emplace(origin.name, origin.value);
    }
    return found;
  }();
  return defaults;
}

const char* const kGlobalFlags[] = {"--db", "--lock-file", "--env-file", "--no-env-file", "--log-level",
                                    "--log-format"};

}  // namespace

CLI::Option* add_setting(CLI::App& command, FlagValues& flags, const std::string& name,
                         const std::string& variable, const std::string& description) {
  flags.flag_names[variable] = name;
  CLI::Option* option = command.add_option_function<std::string>(
      name, [&flags, variable](const std::string& value) { flags.settings[variable] = value; }, description);
  auto type = kValueTypes.find(variable);
  if (type != kValueTypes.end()) option->type_name(type->second);
  auto fallback = setting_defaults().find(variable);
  if (fallback != setting_defaults().end()) option->default_str(fallback->second);
  return option;
}

void add_switch(CLI::App& command, FlagValues& flags, const std::string& on, const std::string& off,
                const std::string& variable, const std::string& description) {
  auto fallback = setting_defaults().find(variable);
  const bool on_by_default = fallback != setting_defaults().end() && fallback->second == "true";
  command.add_flag_callback(on, [&flags, variable] { flags.settings[variable] = "true"; },
                            description + (on_by_default ? " (the default)" : ""));
  command.add_flag_callback(off, [&flags, variable] { flags.settings[variable] = "false"; },
                            "do not " + description + (on_by_default ? "" : " (the default)"));
}

void add_global_flags(CLI::App& command, FlagValues& flags) {
  flags.command = command_path(command);
  add_setting(command, flags, "--db", "TELEMETRY_DB_PATH", "database file (TELEMETRY_DB_PATH)");
  add_setting(command, flags, "--lock-file", "TELEMETRY_LOCK_FILE",
              "single-writer lock file (TELEMETRY_LOCK_FILE; default <db>.lock)");
  add_client_flags(command, flags);
}

void add_client_flags(CLI::App& command, FlagValues& flags) {
  command.add_option_function<std::string>(
      "--env-file", [&flags](const std::string& path) { flags.env_file = path; },
      "read settings from this file instead of ./.env")->type_name("PATH");
  command.add_flag_callback("--no-env-file", [&flags] { flags.no_env_file = true; },
                            "read no env file, not even ./.env");
  add_setting(command, flags, "--log-level", "TELEMETRY_LOG_LEVEL", "debug, info, warning, error or critical");
  add_setting(command, flags, "--log-format", "TELEMETRY_LOG_FORMAT", "logfmt or json");
}

bool is_global_flag(const std::string& flag) {
  for (const char* name : kGlobalFlags)
    if (flag == name) return true;
  return false;
}

void add_database_options(CLI::App& command, FlagValues& flags, unsigned which) {
  if (which & kJournalMode)
    add_setting(command, flags, "--journal-mode", "TELEMETRY_DB_JOURNAL_MODE",
                "SQLite journal mode: DELETE, TRUNCATE, PERSIST or WAL");
  if (which & kSynchronous)
    add_setting(command, flags, "--synchronous", "TELEMETRY_DB_SYNCHRONOUS",
                "SQLite synchronous level: EXTRA, FULL, NORMAL or OFF");
  if (which & kBusyTimeout)
    add_setting(command, flags, "--busy-timeout-ms", "TELEMETRY_DB_BUSY_TIMEOUT_MS",
                "how long to wait for another connection's lock");
}

CommandError usage_error(const std::string& command, const std::string& problem) {
  return CommandError(exit_code::kUsage, problem + "\nRun 'telemetry" + (command.empty() ? "" : " " + command) +
                                             " --help' for usage.");
}

CommandError bad_flag(const std::string& command, const std::string& flag, const std::string& value,
                      const std::string& problem) {
  return usage_error(command, flag + " " + value + ": " + problem);
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
  // Every problem is reported; a bad flag makes it a usage error (64).
  for (const std::string& line : result.errors) std::cerr << "telemetry: configuration error: " << line << "\n";
  if (!result.flag_errors.empty()) {
    std::string problems;
    for (const FlagError& error : result.flag_errors) {
      auto flag = flags.flag_names.find(error.variable);
      if (!problems.empty()) problems += "\ntelemetry: ";
      problems += (flag == flags.flag_names.end() ? error.variable : flag->second) + " " + error.value + ": " +
                  error.problem;
    }
    throw usage_error(flags.command, problems);
  }
  if (!result.ok()) throw CommandError(exit_code::kConfig, "");
  Config& config = result.config;
  log::configure(log::parse_level(config.log_level), log::parse_format(config.log_format));
  for (const std::string& note : config.debug_notes) log::debug(note);
  for (const std::string& warning : config.warnings) log::warning(warning);
  return std::move(result.config);
}

void log_settings(const Config& config) {
  for (const Config::Origin& origin : config.report) {
    const log::Level level = origin.source == "default" ? log::Level::kDebug : log::Level::kInfo;
    log::write(level, "setting", {{"name", origin.name}, {"value", origin.value}, {"source", origin.source}});
  }
}

}  // namespace telemetry::cli
