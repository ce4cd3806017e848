#pragma once
// Settings resolution (docs/reference/configuration.md §1-§4): flag > environment > env file
// > default, each setting on its own, validated up front. The CLI layer
// collects flag values as strings keyed by the setting's variable name; this
// module knows nothing about argument parsing.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/sqlite_settings.h"

namespace telemetry {

// Which settings a command uses, and so validates (docs/reference/configuration.md §1, "Validation").
enum class Command {
  kServe, kMigrate, kBackup, kBackupRestore, kCheck, kIngestBuffer, kMetrics, kPrune,
  kRun, kRecord, kRuns,  // clients of a running service (run and record fall back to buffer files)
};

struct ConfigInputs {
  // Flag values given on the command line, keyed by variable name, e.g.
  // {"TELEMETRY_API_PORT", "8765"}; boolean switches as "true"/"false".
  std::map<std::string, std::string> flags;
  // The process environment (tests pass their own).
  std::map<std::string, std::string> environment;
  std::optional<std::string> env_file;  // --env-file PATH
  bool no_env_file = false;             // --no-env-file
  std::string working_directory;        // for ./.env and relative paths
};

struct Config {
  std::string db_path;          // absolute
  std::string lock_file;        // absolute
  JournalMode journal_mode = JournalMode::kDelete;  // never MEMORY or OFF
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 30000;

  std::string api_host = "127.0.0.1";
  int api_port = 8765;
  bool auth_enabled = false;
  std::optional<std::string> auth_token;  // set only when auth is active
  bool rate_limit_enabled = false;
  int rate_limit_rpm = 60;
  bool allow_unauthenticated = false;  // serve may listen beyond loopback with auth off
  int metrics_max_agents = 100;        // per-agent Prometheus series; the rest are agent="other"
  std::int64_t max_body_bytes = 16777216;
  int batch_max = 1000;
  int http_threads = 16;  // worker threads that run handlers (the front end has one I/O thread)
  int read_timeout_seconds = 30;
  int keepalive_seconds = 5;
  int max_connections = 0;              // 0: sized from the open-file limit at start
  int max_connections_per_address = 0;  // 0: no cap
  int max_header_bytes = 65536;
  int retention_days = 0;

  std::string api_url;     // TELEMETRY_API_URL or derived from host/port
  std::string buffer_dir;  // absolute
  std::string backup_dir;  // absolute
  int backup_keep_days = 7;
  int backup_keep_last = 0;

  std::string log_level = "info";     // debug info warning error critical
  std::string log_format = "logfmt";  // logfmt json

  // For serve's start-up report: (variable, shown value, source) in a stable
  // order; the token appears as ***REDACTED***.
  struct Origin { std::string name, value, source; };
  std::vector<Origin> report;
  // Warnings to log once logging is set up (unknown TELEMETRY_ names, weak settings...).
  std::vector<std::string> warnings;
  // Debug lines (recognised-and-ignored variables).
  std::vector<std::string> debug_notes;
};

// A bad value given on the command line: a usage error (exit 64) that the CLI
// reports under the flag's name, unlike a bad value from the environment or an
// env file (a configuration error, exit 78).
struct FlagError {
  std::string variable;  // TELEMETRY_API_PORT
  std::string value;     // as given (a secret is masked)
  std::string problem;   // "not an integer; expected a whole number from 0 to 65535"
};

struct ConfigResult {
  bool ok() const { return errors.empty() && flag_errors.empty(); }
  Config config;
  // One line per problem, already in the form
  // "TELEMETRY_API_PORT=abc (environment): not an integer"; the caller prints
  // "telemetry: configuration error: <line>" and exits 78.
  std::vector<std::string> errors;
  std::vector<FlagError> flag_errors;
};

ConfigResult resolve_config(const ConfigInputs& inputs, Command command);

// The current process environment as a map.
std::map<std::string, std::string> current_environment();

}  // namespace telemetry
