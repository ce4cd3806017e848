// telemetry ingest-buffer: every buffered run reaches the database exactly
// once (docs/reference/buffer-files.md §7-§15). The buffer layer reads, classifies,
// quarantines and renames; this file chooses the mode and the RecordApplier that
// writes: directly through RunStore while holding the lock (buffer/direct_applier.h),
// or through a running service's HTTP API (http/server_applier.h).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "buffer/direct_applier.h"
#include "buffer/ingest_input.h"
#include "buffer/ingest_summary.h"
#include "buffer/input_discovery.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "core/json_body.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/read_only_database.h"
#include "http/client.h"
#include "http/server_applier.h"
#include "util/command_error.h"
#include "util/exit_codes.h"
#include "util/lock_file.h"
#include "util/terminal_progress.h"
#include "util/log.h"

namespace telemetry::cli {
namespace {

struct IngestFlags {
  std::vector<std::string> paths;
  bool include_active = false;
  bool dry_run = false;
  bool json = false;
};

// ---- mode selection ----------------------------------------------------

struct Mode {
  bool server = false;
  std::string url;
};

// §8: --url, else the lock holder decides.
Mode choose_mode(const Config& config, bool url_flag_given) {
  if (url_flag_given) return Mode{true, config.api_url};
  std::optional<LockHolder> holder = current_lock_holder(config.lock_file);
  if (!holder) return Mode{};
  if (holder->command == "serve") return Mode{true, holder->url.empty() ? config.api_url : holder->url};
  std::string message = config.db_path + " is in use: " + config.lock_file + " is held by " + holder->describe_command();
  if (!holder->pid.empty()) message += " (PID " + holder->pid + " on " + holder->host + ")";
  throw CommandError(exit_code::kUnavailable, message);
}

// The database for a dry run: nullptr when there is nothing to read.
std::unique_ptr<db::Connection> open_for_dry_run(const Config& config) {
  if (::access(config.db_path.c_str(), F_OK) != 0) return nullptr;
  return db::open_for_reading(config.db_path, config.busy_timeout_ms, db::ShapeRequirement::kV7OrEmpty);
}

// The appliers name what failed by its kind (util/error.h); ingest's per-input
// reports carry exit codes, so the kind becomes one here, at the command's edge
// (docs/architecture.md "Errors").
class ExitCodedApplier final : public buffer::RecordApplier {
 public:
  explicit ExitCodedApplier(std::unique_ptr<buffer::RecordApplier> inner) : inner_(std::move(inner)) {}

  buffer::Outcome apply(buffer::ClassifiedLine& line) override {
    return guarded([&] { return inner_->apply(line); });
  }
  void commit() override { guarded([&] { inner_->commit(); }); }
  void abandon() override { guarded([&] { inner_->abandon(); }); }
  std::int64_t take_late_duplicates() override { return inner_->take_late_duplicates(); }

 private:
  template <typename Action>
  auto guarded(Action action) -> decltype(action()) {
    try {
      return action();
    } catch (const Error& error) {
      throw command_error_for(error);
    }
  }

  std::unique_ptr<buffer::RecordApplier> inner_;
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
  ::signal(SIGPIPE, SIG_IGN);  // a service that drops the connection must not kill us

  const bool url_given = settings.settings.count("TELEMETRY_API_URL") > 0;
  const Mode mode = choose_mode(config, url_given);
  bool anything_to_read = false;
  for (const buffer::InputSpec& input : discovery.inputs) {
    anything_to_read |= !input.missing;
    // Said on stderr at once, not only in the summary (exit 66 when nothing could be read).
    if (input.missing) {
      std::cerr << "telemetry: cannot read " << input.path << ": " << *input.missing
                << (flags.paths.empty() ? " (the buffer folder, TELEMETRY_BUFFER_DIR; or name PATHs to read)" : "")
                << "\n";
    }
  }
  std::sort(discovery.skipped_active.begin(), discovery.skipped_active.end());

  buffer::IngestOptions options;
  options.classify.max_line_bytes = config.max_body_bytes;
  options.classify.now = canonical_utc_now();
  options.dry_run = flags.dry_run;
  TerminalProgress progress("", TerminalProgress::Unit::kCount, "lines");
  options.progress = [&progress](const std::string& path, std::int64_t lines) {
    progress.set_label(path);
    progress.update(lines);
  };

  std::unique_ptr<WriterLock> lock;
  std::unique_ptr<db::Connection> connection;
  std::unique_ptr<http::ApiClient> client;
  std::unique_ptr<buffer::RecordApplier> applier;
  if (mode.server) {
    log::info("mode: server " + mode.url + (flags.dry_run ? " (dry run)" : ""));
    http::ClientSettings client_settings;
    client_settings.base_url = mode.url;
    client_settings.token = config.auth_token;
    client = std::make_unique<http::ApiClient>(client_settings);
    if (flags.dry_run) applier = std::make_unique<buffer::DecidingApplier>(http::service_state_lookup(*client));
    else applier = std::make_unique<http::ServerApplier>(*client, static_cast<std::size_t>(config.batch_max));
  } else {
    log::info("mode: direct " + config.db_path + (flags.dry_run ? " (dry run)" : ""));
    if (flags.dry_run) {
      if (anything_to_read) connection = open_for_dry_run(config);
      applier = std::make_unique<buffer::DryDirectApplier>(connection.get());
    } else if (anything_to_read) {
      lock = WriterLock::acquire(config.lock_file, config.db_path, "ingest-buffer");
      db::ConnectionSettings db_settings{config.journal_mode, config.synchronous, config.busy_timeout_ms};
      db::ServableDatabase database = db::open_servable(config.db_path, db_settings, /*create=*/true);
      for (const std::string& warning : database.warnings) log::warning(warning);
      if (database.created) log::info("created the database with the v7 schema", {{"db_path", config.db_path}});
      connection = std::move(database.connection);
      applier = std::make_unique<buffer::DirectApplier>(*connection, options.classify.now);
    }
  }

  // With only missing inputs nothing is applied; they are still reported.
  if (!applier) applier = std::make_unique<buffer::DryDirectApplier>(nullptr);
  applier = std::make_unique<ExitCodedApplier>(std::move(applier));

  std::vector<buffer::InputReport> reports;
  std::vector<int> codes;
  bool stopped = false;
  for (const buffer::InputSpec& input : discovery.inputs) {
    buffer::InputReport report;
    if (stopped) {
      report.path = input.path;
      report.error = "not processed: the run stopped";
    } else {
      report = buffer::ingest_input(input, *applier, options);
    }
    progress.finish();
    report_rejections(report);
    if (report.stops_run && !stopped) {
      std::cerr << "telemetry: " << report.error.value_or("") << "\n";
      stopped = true;
    }
    if (!flags.json) std::cout << buffer::input_summary_line(report) << "\n" << std::flush;
    codes.push_back(report.exit_code);
    reports.push_back(std::move(report));
  }

  if (flags.json) {
    buffer::RunDescription description{mode.server, config.db_path, mode.url, flags.dry_run};
    nlohmann::ordered_json summary = buffer::summary_json(description, reports);
    summary["skipped_active"] = discovery.skipped_active;
    std::cout << summary.dump() << "\n";
  } else {
    std::cout << buffer::total_summary_line(reports, flags.dry_run) << "\n";
    if (!discovery.skipped_active.empty()) {
      std::cout << fmt::format("skipped {} .jsonl.active file{} a client may still be writing ({}); "
                               "--include-active ingests them once the clients have stopped\n",
                               discovery.skipped_active.size(), discovery.skipped_active.size() == 1 ? "" : "s",
                               fmt::join(discovery.skipped_active, ", "));
    }
  }
  return buffer::combined_exit_code(codes);
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
