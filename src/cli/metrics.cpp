// telemetry metrics: the numbers of GET /metrics (docs/reference/http-api.md §17.2) for a
// terminal or a script. http::fetch_metrics() (http/metrics_fetch.h) reads the
// database file or asks the service given with --url; this file checks the flags and prints.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "http/metrics_fetch.h"

namespace telemetry::cli {
namespace {

using Json = nlohmann::ordered_json;

struct MetricsFlags {
  bool json = false;
  http::MetricsQuery query;
};

std::string value_text(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// Two aligned columns: the scalars first, then the breakdown under its own heading.
void print_table(const Json& body) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::string breakdown_key;
  for (const auto& [key, value] : body.items()) {
    if (key == "performance") {
      for (const auto& [name, detail] : value.items()) rows.emplace_back(name, value_text(detail));
    } else if (value.is_object()) {
      breakdown_key = key;
    } else {
      rows.emplace_back(key, value_text(value));
    }
  }
  std::size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  for (const auto& [name, text] : rows) std::cout << fmt::format("{:<{}}  {}\n", name, width, text);
  if (breakdown_key.empty()) return;

  const Json& groups = body[breakdown_key];
  std::size_t name_width = breakdown_key.size(), count_width = std::string("runs").size();
  for (const auto& [name, count] : groups.items()) {
    name_width = std::max(name_width, name.size());
    count_width = std::max(count_width, value_text(count).size());
  }
  std::cout << "\n" << fmt::format("{:<{}}  {:>{}}\n", breakdown_key, name_width, "runs", count_width);
  for (const auto& [name, count] : groups.items()) {
    std::cout << fmt::format("{:<{}}  {:>{}}\n", name, name_width, value_text(count), count_width);
  }
}

int metrics(const MetricsFlags& flags, const FlagValues& settings) {
  const bool url_given = settings.settings.count("TELEMETRY_API_URL") > 0;
  if (url_given && settings.settings.count("TELEMETRY_DB_PATH") > 0) {
    throw CommandError(exit_code::kUsage, "give either --db or --url, not both");
  }
  FieldErrors errors = http::validate_metrics_query(flags.query);
  if (!errors.empty()) {
    // The HTTP form is "Value error, since must be ..."; a flag error says it plainly.
    std::string problems;
    for (const FieldError& error : errors) {
      const std::string problem = error.msg.rfind("Value error, ", 0) == 0 ? error.msg.substr(13) : error.msg;
      problems += (problems.empty() ? "" : "\ntelemetry: ") + ("--" + error.loc.back().get<std::string>()) + " " +
                  error.input.get<std::string>() + ": " + problem;
    }
    throw usage_error("metrics", problems);
  }
  Config config = load_config(settings, Command::kMetrics);
  http::MetricsSource source{config.db_path, config.busy_timeout_ms, std::nullopt, config.auth_token};
  if (url_given) source.url = config.api_url;
  Json body = http::fetch_metrics(source, flags.query);
  if (flags.json) std::cout << body.dump() << "\n";
  else print_table(body);
  return exit_code::kOk;
}

}  // namespace

void register_metrics(CLI::App& app, RunCommand& run) {
  auto settings = std::make_shared<FlagValues>();
  auto flags = std::make_shared<MetricsFlags>();
  CLI::App* command = app.add_subcommand("metrics", "Print the numbers of /metrics from the database or a service");
  add_global_flags(*command, *settings);
  add_setting(*command, *settings, "--url", "TELEMETRY_API_URL", "ask this running service instead of reading --db");
  command->add_flag("--json", flags->json, "print the JSON object of GET /metrics");
  CLI::Option* since =
      command->add_option("--since", flags->query.since, "recent window, also applied to the breakdown: 24h, 7d, 2w ...")
          ->type_name("DURATION")->capture_default_str();
  command->add_option("--by", flags->query.by, "breakdown: agent, job_type or status")->type_name("FIELD")->capture_default_str();
  command->callback([&run, settings, flags, since] {
    flags->query.since_given = since->count() > 0;
    run = [settings, flags] { return metrics(*flags, *settings); };
  });
}

}  // namespace telemetry::cli
