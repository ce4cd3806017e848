// telemetry runs [list|show ID|failures]: runs from the service (or --db),
// as a table on a terminal and as stable TSV or JSON in pipes (src/http/run_listing.h).
#include <unistd.h>

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/status.h"
#include "http/run_listing.h"

namespace telemetry::cli {
namespace {

struct RunsFlags {
  http::RunsQuery query;              // agent_name, job_type and limit as given
  std::optional<std::string> status;  // as given: any spelling core/status.h accepts
  std::optional<std::string> since;   // 24h, 7d, 2w ... or an ISO 8601 time
  std::string format;  // table, tsv, json; default: table on a terminal, else tsv
  std::string event_id;
};

// The query of the filter flags, or a usage error naming the flag.
http::RunsQuery checked_query(const RunsFlags& flags) {
  http::RunsQuery query = flags.query;
  if (query.limit < 1) throw CommandError(exit_code::kUsage, "--limit must be at least 1");
  if (flags.status) {
    query.status = normalize_status(*flags.status);
    if (!query.status) {
      throw CommandError(exit_code::kUsage, fmt::format("--status {}: must be one of {}", *flags.status, kStatusList));
    }
  }
  if (flags.since) {
    query.created_after = http::created_after_bound(*flags.since);
    if (!query.created_after) {
      throw CommandError(exit_code::kUsage, fmt::format("--since {}: expected 24h, 7d, 2w ... or an ISO 8601 time "
                                                        "such as 2026-01-14 or 2026-01-14T09:00:00+00:00",
                                                        *flags.since));
    }
  }
  return query;
}

http::RunsFormat format_of(const std::string& name) {
  if (name == "table" || (name.empty() && ::isatty(STDOUT_FILENO))) return http::RunsFormat::kTable;
  if (name == "tsv" || name.empty()) return http::RunsFormat::kTsv;
  if (name == "json") return http::RunsFormat::kJson;
  throw CommandError(exit_code::kUsage, "--format " + name + ": must be table, tsv or json");
}

http::RunsSource source_of(const FlagValues& settings) {
  const bool db_given = settings.settings.count("TELEMETRY_DB_PATH") > 0;
  if (db_given && settings.settings.count("TELEMETRY_API_URL") > 0) {
    throw CommandError(exit_code::kUsage, "give either --db or --url, not both");
  }
  Config config = load_config(settings, Command::kRuns);
  http::RunsSource source;
  if (db_given) source.db_path = config.db_path;
  source.url = config.api_url;
  source.token = config.auth_token;
  source.busy_timeout_ms = config.busy_timeout_ms;
  return source;
}

int list_runs(const RunsFlags& flags, const FlagValues& settings) {
  const http::RunsSource source = source_of(settings);
  std::cout << http::format_runs(http::list_runs(checked_query(flags), source), format_of(flags.format));
  return exit_code::kOk;
}

void add_query_flags(CLI::App& command, FlagValues& settings, RunsFlags& flags, bool filters) {
  add_global_flags(command, settings);
  add_setting(command, settings, "--url", "TELEMETRY_API_URL", "the service to ask (TELEMETRY_API_URL)");
  command.add_option("--format", flags.format, "table, tsv or json (default: table on a terminal, else tsv)")->type_name("FORMAT");
  if (!filters) return;
  command.add_option("--agent-name", flags.query.agent_name, "only this agent")->type_name("NAME");
  command.add_option("--job-type", flags.query.job_type, "only this job type")->type_name("NAME");
  command.add_option("--since", flags.since, "created after: 24h, 7d, 2w ... or an ISO 8601 time")->type_name("WHEN");
  command.add_option("--limit", flags.query.limit, "at most this many runs, newest first (default 100)");
}

}  // namespace

void register_runs(CLI::App& app, RunCommand& run) {
  auto settings = std::make_shared<FlagValues>();
  auto flags = std::make_shared<RunsFlags>();
  CLI::App* runs = app.add_subcommand("runs", "List recorded runs, show one, or list failures");
  runs->footer(
      "Examples:\n"
      "  telemetry runs --agent-name nightly-backup --since 7d\n"
      "  telemetry runs failures --since 24h --format tsv | cut -f3,9\n"
      "  telemetry runs show 3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37 --format json");
  add_query_flags(*runs, *settings, *flags, true);
  runs->add_option("--status", flags->status, "only this status")->type_name("STATUS");
  auto list_action = [&run, settings, flags] {
    run = [settings, flags] { return list_runs(*flags, *settings); };
  };
  runs->callback([runs, list_action] {
    if (runs->get_subcommands().empty()) list_action();  // a chosen action sets its own
  });

  CLI::App* list = runs->add_subcommand("list", "List runs, newest first (the default)");
  add_query_flags(*list, *settings, *flags, true);
  list->add_option("--status", flags->status, "only this status")->type_name("STATUS");
  list->callback(list_action);

  CLI::App* failures = runs->add_subcommand("failures", "List failed runs (status failure), newest first");
  add_query_flags(*failures, *settings, *flags, true);
  failures->callback([&run, settings, flags] {
    flags->status = "failure";
    run = [settings, flags] { return list_runs(*flags, *settings); };
  });

  CLI::App* show = runs->add_subcommand("show", "Show one run");
  add_query_flags(*show, *settings, *flags, false);
  show->add_option("event_id", flags->event_id, "the run's event_id")->required();
  show->callback([&run, settings, flags] {
    run = [settings, flags] {
      std::cout << http::format_run(http::show_run(flags->event_id, source_of(*settings)), format_of(flags->format));
      return exit_code::kOk;
    };
  });
}

}  // namespace telemetry::cli
