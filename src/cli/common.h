#pragma once
// What every subcommand shares: the global flags, turning flags into a
// resolved Config (docs/reference/configuration.md), and the registration signature.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/command_error.h"
#include "util/config.h"

namespace telemetry::cli {

// Flag values keyed by setting variable name, filled in by CLI11 callbacks.
struct FlagValues {
  std::map<std::string, std::string> settings;
  std::optional<std::string> env_file;
  bool no_env_file = false;
  std::string command;                            // "backup restore", for messages
  std::map<std::string, std::string> flag_names;  // TELEMETRY_API_PORT -> --port
};

// Adds an option that stores its value under `variable` in `flags`. Its help
// shows the value's type (PORT, SECONDS, ...) and the setting's default.
CLI::Option* add_setting(CLI::App& command, FlagValues& flags, const std::string& name,
                         const std::string& variable, const std::string& description);
// A --feature / --no-feature pair for a boolean setting.
void add_switch(CLI::App& command, FlagValues& flags, const std::string& on, const std::string& off,
                const std::string& variable, const std::string& description);

// --db, --lock-file, --env-file, --no-env-file, --log-level, --log-format.
void add_global_flags(CLI::App& command, FlagValues& flags);
// Whether `flag` (e.g. "--db") is one of add_global_flags', which may also be
// typed before the subcommand.
bool is_global_flag(const std::string& flag);

// --env-file, --no-env-file, --log-level, --log-format: for the commands
// that use no database (run, record).
void add_client_flags(CLI::App& command, FlagValues& flags);

// Like load_config(), but a configuration error is printed and nullopt
// returned: `telemetry run` still runs its command (its records then go to
// the buffer files).
std::optional<Config> load_config_or_report(const FlagValues& flags, Command command);

// The SQLite connection flags, each with the same meaning wherever it appears.
enum DatabaseOption : unsigned { kJournalMode = 1, kSynchronous = 2, kBusyTimeout = 4 };
void add_database_options(CLI::App& command, FlagValues& flags, unsigned which);

// The one form of a bad flag: "--port abc: <problem>" and where usage is
// explained; exit 64 (EX_USAGE). `command` is "prune", "backup restore", ...
CommandError bad_flag(const std::string& command, const std::string& flag, const std::string& value,
                      const std::string& problem);
// The same form for a problem that is not about one value ("FILE is required").
CommandError usage_error(const std::string& command, const std::string& problem);

// serve's start-up report: at info the settings that are not defaults (the
// token masked), at debug every one.
void log_settings(const Config& config);

// Resolves settings for `command`. A bad flag value throws bad_flag (64);
// otherwise each problem prints as "telemetry: configuration error: ..." and
// CommandError(78) is thrown.
// Also configures logging and logs the resolver's warnings.
Config load_config(const FlagValues& flags, Command command);

// Each subcommand registers itself and sets `run` to what it does when chosen.
using RunCommand = std::function<int()>;

}  // namespace telemetry::cli
