#pragma once
// What `run` and `record` share: the flags that give a run's fields, the
// reporter settings from the configuration, and how a record's fate is told.
#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "http/run_reporter.h"
#include "http/scripted_runs.h"

namespace telemetry::cli {

struct ScriptFlags {
  http::RunFields fields;
};

enum FieldFlags : unsigned {
  kStartFlags = 1,  // --agent-name --job-type --trigger-type --run-id
  kEndFlags = 2,    // --status --error
  kStdinFlag = 4,   // --stdin
  kRunIdFlag = 8,
};
// Adds the chosen field flags plus --metric and --set.
void add_script_flags(CLI::App& command, ScriptFlags& flags, unsigned which);

// Usage errors (64) of --metric and --set, in the order they are given: each must
// be KEY=VALUE, and --set must name a field of POST /api/v1/runs (http/scripted_runs.h).
void check_script_flags(const http::RunFields& fields);
// Usage error (64) with `missing` ("--agent-name is required") when there is one.
void require_fields(const std::optional<std::string>& missing);
// Standard input's JSON object with --stdin (Error kInvalidInput when it is not
// one), else an empty object.
nlohmann::ordered_json stdin_fields(const http::RunFields& fields);

// The service URL, token and buffer directory. A configuration error is
// printed; the records then go to ./telemetry_buffer (never lost silently).
http::ReporterSettings reporter_settings(const FlagValues& settings, Command command);

// Logs what became of a record: buffered at debug level (the fallback is
// normal operation), lost at error level. Returns false when lost.
bool report_outcome(const std::string& what, const http::Outcome& outcome);

}  // namespace telemetry::cli
