#pragma once
// The records scripts make with `telemetry run` and `telemetry record`:
// building run bodies from flags (and a JSON object on standard input), with
// every value JSON-escaped here, never by the user; and the small state file
// that lets `record finish` buffer a complete end record when the service is
// down (buffer files need the whole run, docs/reference/buffer-files.md §1).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/run_reporter.h"

namespace telemetry::http {

// Fields given on the command line.
struct RunFields {
  std::optional<std::string> agent_name, job_type, trigger_type, run_id, status, error;
  std::vector<std::string> metrics;  // KEY=VALUE: VALUE as JSON when it parses as a scalar, else a string
  std::vector<std::string> sets;     // FIELD=VALUE for any field of POST /api/v1/runs; empty VALUE is null
  bool from_stdin = false;           // read a JSON object of fields first; flags override it
};

// Text as a JSON string: invalid UTF-8 replaced by U+FFFD (stderr and
// arguments are bytes; the API stores UTF-8).
nlohmann::ordered_json text_value(const std::string& bytes);

// What the command checks before anything is built (cli/script_flags.h): the
// functions below take fields that passed, and treat one that did not as a bug
// (Error kInternal).

// "KEY=VALUE" split at the first '=', or nullopt when there is none or KEY is empty.
std::optional<std::pair<std::string, std::string>> split_key_value(const std::string& text);
// Whether --set may give `field`: a field of POST /api/v1/runs but id, schema_version, updated_at.
bool settable_field(const std::string& field);
// "--agent-name is required" or "--job-type is required" when `base` (standard
// input's object) and the flags leave that field without a string, else nullopt:
// for a start record, and for record event (whose --metric and --set go to its end).
std::optional<std::string> missing_start_field(const RunFields& fields, const nlohmann::ordered_json& base);
std::optional<std::string> missing_event_field(const RunFields& fields, const nlohmann::ordered_json& base);

// The metrics object of --metric flags.
nlohmann::ordered_json metrics_object(const std::vector<std::string>& metrics);

// Adds --set FIELD=VALUE pairs to `body`.
void apply_sets(nlohmann::ordered_json& body, const std::vector<std::string>& sets);

// The start of a run: event_id, run_id (YYYYMMDDTHHMMSSZ-<agent>-<8 hex>),
// agent_name, job_type, trigger_type, start_time, status running, host and the
// git repository, branch and commit of `directory`. `base` (standard input)
// comes first and the flags override it.
nlohmann::ordered_json start_body(const RunFields& fields, nlohmann::ordered_json base, const std::string& directory,
                                  const std::string& start_time);

// A JSON object read from standard input; throws Error kInvalidInput otherwise.
nlohmann::ordered_json read_stdin_object();

// record start / finish / event (the reporter's settings come from the configuration).
// `base` / `given` is standard input's object with --stdin, else empty: the fields
// the flags then override.
struct RecordResult {
  std::string event_id;  // printed by start and event
  Outcome outcome;
};
RecordResult record_start(const RunFields& fields, const nlohmann::ordered_json& base, const ReporterSettings& settings);
RecordResult record_finish(const std::string& event_id, const RunFields& fields, const nlohmann::ordered_json& given,
                           const ReporterSettings& settings);
RecordResult record_event(const RunFields& fields, const nlohmann::ordered_json& base, const ReporterSettings& settings);

}  // namespace telemetry::http
