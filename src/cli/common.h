#pragma once
// What every subcommand shares: the global flags, turning flags into a
// resolved Config (docs/reference/configuration.md), and the registration signature.
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "util/config.h"

namespace telemetry::cli {

// Flag values keyed by setting variable name, filled in by CLI11 callbacks.
struct FlagValues {
  std::map<std::string, std::string> settings;
  std::optional<std::string> env_file;
  bool no_env_file = false;
};

// Adds an option that stores its value under `variable` in `flags`.
CLI::Option* add_setting(CLI::App& command, FlagValues& flags, const std::string& name,
                         const std::string& variable, const std::string& description);
// A --feature / --no-feature pair for a boolean setting.
void add_switch(CLI::App& command, FlagValues& flags, const std::string& on, const std::string& off,
                const std::string& variable, const std::string& description);

// --db, --lock-file, --env-file, --no-env-file, --log-level, --log-format.
void add_global_flags(CLI::App& command, FlagValues& flags);

// Resolves settings for `command`; prints each problem as
// "telemetry: configuration error: ..." and throws CommandError(78) when any.
// Also configures logging and logs the resolver's warnings.
Config load_config(const FlagValues& flags, Command command);

// Each subcommand registers itself and sets `run` to what it does when chosen.
using RunCommand = std::function<int()>;

}  // namespace telemetry::cli
