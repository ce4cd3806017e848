// telemetry ingest-buffer: every buffered run reaches the database exactly
// once (docs/reference/buffer-files.md §7-§15). http/ingest_buffer.h chooses the
// mode and does the work; this file parses the flags, shows the progress, prints
// the reports and the summary, and turns the reports' failures into the exit code.
#include <signal.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "buffer/ingest_summary.h"
#include "buffer/input_discovery.h"
#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/exit_status.h"
#include "db/database.h"
#include "http/ingest_buffer.h"
#include "util/log.h"
#include "util/terminal_progress.h"

namespace telemetry::cli {
namespace {

struct IngestFlags {
  std::vector<std::string> paths;
  bool include_active = false;
  bool dry_run = false;
  bool json = false;
};

// ---- output ------------------------------------------------------------

void report_rejections(const buffer::InputReport& report) {
  for (const auto& [line, reason] : report.shown_rejections) {
    std::cerr << report.path << ":" << line << ": rejected: " << reason << "\n";
  }
  const auto shown = static_cast<std::int64_t>(report.shown_rejections.size());
  if (report.counts.rejected > shown) {
    std::cerr << report.path << ": " << report.counts.rejected - shown << " more rejected lines\n";
  }
}

// ---- the command -------------------------------------------------------

int ingest_buffer(const IngestFlags& flags, const FlagValues& settings) {
  Config config = load_config(settings, Command::kIngestBuffer);
  buffer::Discovery discovery = buffer::discover_inputs(flags.paths, config.buffer_dir, flags.include_active);
  if (discovery.usage_error) throw CommandError(exit_code::kUsage, *discovery.usage_error);
  for (const std::string& skipped : discovery.skipped) log::warning("skipped " + skipped);
  std::sort(discovery.skipped_active.begin(), discovery.skipped_active.end());
  ::signal(SIGPIPE, SIG_IGN);  // a service that drops the connection must not kill us

  http::IngestBufferOptions options;
  options.db_path = config.db_path;
  options.lock_file = config.lock_file;
  options.database = db::ConnectionSettings{config.journal_mode, config.synchronous, config.busy_timeout_ms};
  options.api_url = config.api_url;
  options.url_given = settings.settings.count("TELEMETRY_API_URL") > 0;
  options.auth_token = config.auth_token;
  options.batch_max = static_cast<std::size_t>(config.batch_max);
  options.max_line_bytes = config.max_body_bytes;
  options.dry_run = flags.dry_run;

  TerminalProgress progress("", TerminalProgress::Unit::kCount, "lines");
  std::vector<int> codes;
  http::IngestObserver observer;
  // Said on stderr at once, not only in the summary (exit 66 when nothing could be read).
  observer.missing_input = [&flags](const buffer::InputSpec& input) {
    std::cerr << "telemetry: cannot read " << input.path << ": " << *input.missing
              << (flags.paths.empty() ? " (the buffer folder, TELEMETRY_BUFFER_DIR; or name PATHs to read)" : "")
              << "\n";
  };
  observer.progress = [&progress](const std::string& path, std::int64_t lines) {
    progress.set_label(path);
    progress.update(lines);
  };
  observer.input_done = [&](const buffer::InputReport& report) {
    progress.finish();
    report_rejections(report);
    if (report.stops_run) std::cerr << "telemetry: " << report.error.value_or("") << "\n";
    if (!flags.json) std::cout << buffer::input_summary_line(report) << "\n" << std::flush;
    codes.push_back(report.failure ? exit_code_for(*report.failure) : 0);
  };
  const http::IngestBufferResult result = http::ingest_buffer(options, discovery.inputs, observer);

  if (flags.json) {
    nlohmann::ordered_json summary = buffer::summary_json(result.run, result.reports);
    summary["skipped_active"] = discovery.skipped_active;
    std::cout << summary.dump() << "\n";
  } else {
    std::cout << buffer::total_summary_line(result.reports, flags.dry_run) << "\n";
    if (!discovery.skipped_active.empty()) {
      std::cout << fmt::format("skipped {} .jsonl.active file{} a client may still be writing ({}); "
                               "--include-active ingests them once the clients have stopped\n",
                               discovery.skipped_active.size(), discovery.skipped_active.size() == 1 ? "" : "s",
                               fmt::join(discovery.skipped_active, ", "));
    }
  }
  return combined_exit_code(codes);
}

}  // namespace

void register_ingest_buffer(CLI::App& app, RunCommand& run) {
  auto settings = std::make_shared<FlagValues>();
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* command = app.add_subcommand("ingest-buffer", "Deliver buffered runs (JSONL buffer files) to the database");
  add_global_flags(*command, *settings);
  command->add_option("PATH", flags->paths,
                      "buffer directories, files, or - for standard input (default: TELEMETRY_BUFFER_DIR)");
  command->add_flag("--include-active", flags->include_active, "also ingest .jsonl.active files (clients stopped)");
  command->add_flag("--dry-run", flags->dry_run, "decide every line and print the summary; write nothing");
  command->add_flag("--json", flags->json, "print the summary as one JSON object");
  add_setting(*command, *settings, "--url", "TELEMETRY_API_URL", "send the runs to this running service");
  add_database_options(*command, *settings, kJournalMode | kSynchronous | kBusyTimeout);
  add_setting(*command, *settings, "--auth-token-file", "TELEMETRY_API_AUTH_TOKEN_FILE",
              "file holding the service's token (server mode)");
  command->callback([&run, settings, flags] {
    run = [settings, flags] { return ingest_buffer(*flags, *settings); };
  });
}

}  // namespace telemetry::cli
