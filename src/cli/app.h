#pragma once
// The command line as a whole, in one place for every subcommand: the CLI11
// app and its help layout, the words people type around the subcommands
// (`help`, `version`, global flags first), and one rule for mistakes: name
// what was not understood, suggest the nearest name, exit 64.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace telemetry::cli {

// The root app: named "telemetry" (not argv[0]), with --version and the help
// layout (typed values, defaults, a pointer to the man page). Register the
// subcommands on it, then call parse_command_line.
std::unique_ptr<CLI::App> make_app();

// Parses argv. Returns an exit code when the process should end now (help,
// version, a usage error, already printed), or nullopt to run the command.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// "backup restore" for that subcommand, "" for the root.
std::string command_path(const CLI::App& command);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `word` when it is close enough to be a likely typo.
std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace telemetry::cli
