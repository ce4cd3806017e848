// telemetry ingest-buffer: every buffered run reaches the database exactly
// once (docs/reference/buffer-files.md §7-§15). The buffer layer reads, classifies,
// quarantines and renames; this file chooses the mode and supplies the
// RecordApplier that writes: directly through RunStore while holding the
// lock, or through a running service's HTTP API.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "buffer/ingest_input.h"
#include "buffer/ingest_summary.h"
#include "buffer/input_discovery.h"
#include "buffer/pending_inserts.h"
#include "buffer/state_tracker.h"
#include "cli/commands.h"
#include "core/json_body.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "db/run_store.h"
#include "db/shape.h"
#include "http/client.h"
#include "util/command_error.h"
#include "util/exit_codes.h"
#include "util/lock_file.h"
#include "util/terminal_progress.h"
#include "util/log.h"

namespace telemetry::cli {
namespace {

using buffer::ClassifiedLine;
using buffer::Outcome;
using buffer::StoredState;

struct IngestFlags {
  std::vector<std::string> paths;
  bool include_active = false;
  bool dry_run = false;
  bool json = false;
};

CommandError database_failure(const db::SqliteError& error, const std::string& db_path) {
  return CommandError(db::exit_code_for(error), fmt::format("database {}: {}", db_path, error.what()));
}

// ---- direct mode -------------------------------------------------------

// The merge rule's view of the row stored for an event, read with RunStore.
std::optional<StoredState> stored_state(db::RunStore& store, const std::string& event_id) {
  std::optional<db::RunState> row = store.state_of(event_id);
  if (!row) return std::nullopt;
  return StoredState{row->status, row->end_time};
}

// Applies records with RunStore inside one transaction per commit interval.
// Decisions come from the same StateTracker as dry runs and server mode. A new
// event's insert is held back (at most kMaxPendingInserts) so that later states
// of the same run, usually a few lines further on, fold into that one insert
// instead of costing an UPDATE each; the rows written are the same.
class DirectApplier : public buffer::RecordApplier {
 public:
  DirectApplier(db::Connection& connection, std::string now)
      : connection_(connection), store_(connection), now_(std::move(now)),
        tracker_([this](const std::string& event_id) { return stored_state(store_, event_id); }) {}

  Outcome apply(ClassifiedLine& line) override {
    try {
      if (!transaction_) transaction_ = std::make_unique<db::Transaction>(connection_);
      buffer::StateTracker::Decision decision = tracker_.decide(line.run);
      if (decision.outcome == Outcome::kInserted) {
        pending_.add(std::move(line.run));
        if (pending_.size() >= kMaxPendingInserts) write_pending_inserts();
      } else if (decision.outcome == Outcome::kUpdated) {
        const std::string& event_id = line.run.text(RunColumn::event_id);
        // §10: the line's updated_at when valid, else the ingest time.
        const std::string& updated_at = line.updated_at ? *line.updated_at : now_;
        if (RunRecord* pending = pending_.find(event_id)) {
          buffer::merge_into(*pending, std::move(decision.update));
          (*pending)[RunColumn::updated_at] = updated_at;
        } else {
          store_.update(event_id, decision.update, updated_at);
        }
      }
      return decision.outcome;
    } catch (const db::SqliteError& error) {
      throw database_failure(error, connection_.path());
    }
  }

  void commit() override {
    if (!transaction_) return;
    try {
      write_pending_inserts();
      transaction_->commit();
    } catch (const db::SqliteError& error) {
      abandon();
      throw database_failure(error, connection_.path());
    }
    transaction_.reset();
    tracker_.forget();  // committed: later lines read these states back; memory stays bounded
  }

  void abandon() override {
    pending_.clear();
    tracker_.forget();
    transaction_.reset();  // rolls back
  }

 private:
  static constexpr std::size_t kMaxPendingInserts = 4096;

  // In first-seen order, so ids follow the input as before.
  void write_pending_inserts() {
    std::vector<const RunRecord*> runs;
    runs.reserve(pending_.size());
    for (const RunRecord& run : pending_.records()) runs.push_back(&run);
    const std::int64_t inserted = store_.insert_all(runs);
    if (inserted != static_cast<std::int64_t>(runs.size())) {
      // We hold the lock and looked every event up in this transaction.
      throw CommandError(exit_code::kSoftware, fmt::format("internal error: {} of {} new events were already stored",
                                                           static_cast<std::int64_t>(runs.size()) - inserted, runs.size()));
    }
    pending_.clear();
  }

  db::Connection& connection_;
  db::RunStore store_;
  std::string now_;
  buffer::StateTracker tracker_;
  std::unique_ptr<db::Transaction> transaction_;
  buffer::PendingInserts pending_;
};

// A dry run in direct mode: decisions against the database read without the
// lock (a missing or empty database counts as empty), nothing written.
class DryDirectApplier : public buffer::RecordApplier {
 public:
  explicit DryDirectApplier(db::Connection* connection)
      : store_(connection ? std::make_unique<db::RunStore>(*connection) : nullptr),
        db_path_(connection ? connection->path() : ""),
        tracker_([this](const std::string& event_id) { return lookup(event_id); }) {}

  Outcome apply(ClassifiedLine& line) override { return tracker_.decide(line.run).outcome; }
  void commit() override {}
  void abandon() override {}

 private:
  std::optional<StoredState> lookup(const std::string& event_id) {
    if (!store_) return std::nullopt;
    try {
      return stored_state(*store_, event_id);
    } catch (const db::SqliteError& error) {
      throw database_failure(error, db_path_);
    }
  }

  std::unique_ptr<db::RunStore> store_;
  std::string db_path_;
  buffer::StateTracker tracker_;
};

// ---- server mode -------------------------------------------------------

nlohmann::ordered_json column_json(RunColumn column, const SqlValue& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    if (column == RunColumn::api_posted) return *number != 0;
    return *number;
  }
  if (const auto* text = std::get_if<std::string>(&value)) {
    // Stored compact JSON goes back as the object it came from (§13 step 4).
    if (column == RunColumn::metrics_json || column == RunColumn::context_json) {
      return nlohmann::ordered_json::parse(*text);
    }
    return *text;
  }
  return nullptr;
}

// The POST body of a record: every provided field.
nlohmann::ordered_json post_body(const RunRecord& run) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  for (int i = 1; i < kRunColumnCount; ++i) {
    const RunColumn column = column_at(i);
    if (run.was_provided(column)) body[column_name(column)] = column_json(column, run.values[i]);
  }
  return body;
}

nlohmann::ordered_json patch_body(const RunUpdate& update) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  for (const auto& [column, value] : update) body[column_name(column)] = column_json(column, value);
  return body;
}

StoredState state_from_record_json(const nlohmann::json& record) {
  StoredState state;
  if (record.contains("status") && record["status"].is_string()) state.status = record["status"].get<std::string>();
  if (record.contains("end_time") && record["end_time"].is_string()) {
    state.end_time = record["end_time"].get<std::string>();
  }
  return state;
}

// §13: states from GET, decisions made locally, inserts sent in
// batches of TELEMETRY_BATCH_MAX and merges as PATCH at each commit.
class ServerApplier : public buffer::RecordApplier {
 public:
  ServerApplier(http::ApiClient& client, std::size_t batch_max, bool dry_run)
      : client_(client), batch_max_(batch_max), dry_run_(dry_run),
        tracker_([this](const std::string& event_id) { return lookup(event_id); }) {}

  Outcome apply(ClassifiedLine& line) override {
    buffer::StateTracker::Decision decision = tracker_.decide(line.run);
    if (dry_run_) return decision.outcome;
    if (decision.outcome == Outcome::kInserted) {
      inserts_.add(std::move(line.run));
    } else if (decision.outcome == Outcome::kUpdated) {
      const std::string& event_id = line.run.text(RunColumn::event_id);
      if (RunRecord* pending = inserts_.find(event_id)) {
        buffer::merge_into(*pending, std::move(decision.update));  // one insert carries the final state
      } else {
        auto [entry, is_new] = updates_.try_emplace(event_id);
        if (is_new) update_order_.push_back(event_id);
        buffer::combine_updates(entry->second, decision.update);
      }
    }
    return decision.outcome;
  }

  void commit() override {
    if (dry_run_) return;
    send_inserts();
    for (const std::string& event_id : update_order_) {
      const RunUpdate& update = updates_.at(event_id);
      if (!update.empty()) client_.patch_run(event_id, patch_body(update));
    }
    clear();
    tracker_.forget();  // the service holds these states now; memory stays bounded
  }

  void abandon() override {
    clear();
    tracker_.forget();
  }

  std::int64_t take_late_duplicates() override {
    std::int64_t late = late_duplicates_;
    late_duplicates_ = 0;
    return late;
  }

 private:
  std::optional<StoredState> lookup(const std::string& event_id) {
    std::optional<nlohmann::json> record = client_.get_run(event_id);
    if (!record) return std::nullopt;
    return state_from_record_json(*record);
  }

  void send_inserts() {
    const std::vector<RunRecord>& records = inserts_.records();
    for (std::size_t begin = 0; begin < records.size(); begin += batch_max_) {
      const std::size_t end = std::min(records.size(), begin + batch_max_);
      std::vector<nlohmann::ordered_json> items;
      for (std::size_t i = begin; i < end; ++i) items.push_back(post_body(records[i]));
      const std::int64_t duplicates = client_.post_batch(items);
      if (duplicates > 0) recheck_chunk(begin, end, duplicates);
    }
  }

  // Another client stored some of these events meanwhile: our record is then
  // merged into what is stored, by the same rule (§13 step 4).
  void recheck_chunk(std::size_t begin, std::size_t end, std::int64_t duplicates) {
    late_duplicates_ += duplicates;
    for (std::size_t i = begin; i < end; ++i) {
      const RunRecord& record = inserts_.records()[i];
      const std::string& event_id = record.text(RunColumn::event_id);
      std::optional<StoredState> stored = lookup(event_id);
      if (stored && buffer::is_newer(record, *stored)) {
        RunUpdate update = buffer::merge_update(record, *stored);
        if (!update.empty()) client_.patch_run(event_id, patch_body(update));
      }
    }
  }

  void clear() {
    inserts_.clear();
    update_order_.clear();
    updates_.clear();
  }

  http::ApiClient& client_;
  std::size_t batch_max_;
  bool dry_run_;
  buffer::StateTracker tracker_;
  buffer::PendingInserts inserts_;
  std::vector<std::string> update_order_;
  std::unordered_map<std::string, RunUpdate> updates_;
  std::int64_t late_duplicates_ = 0;
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
  try {
    auto connection = db::open_read_only(config.db_path, config.busy_timeout_ms);
    db::ShapeReport shape = db::detect_shape(*connection);
    if (shape.id == db::Shape::kEmpty) return nullptr;
    if (shape.id != db::Shape::kV7) {
      throw CommandError(exit_code::kDataErr, fmt::format("database {} has the {} schema{}; run 'telemetry migrate' first",
                                                          config.db_path, db::shape_name(shape.id),
                                                          shape.details.empty() ? "" : " (" + shape.details + ")"));
    }
    return connection;
  } catch (const db::SqliteError& error) {
    if (error.code() == SQLITE_NOTADB) {
      throw CommandError(exit_code::kDataErr, fmt::format("{} is not a SQLite database", config.db_path));
    }
    throw database_failure(error, config.db_path);
  }
}

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
    applier = std::make_unique<ServerApplier>(*client, static_cast<std::size_t>(config.batch_max), flags.dry_run);
  } else {
    log::info("mode: direct " + config.db_path + (flags.dry_run ? " (dry run)" : ""));
    if (flags.dry_run) {
      if (anything_to_read) connection = open_for_dry_run(config);
      applier = std::make_unique<DryDirectApplier>(connection.get());
    } else if (anything_to_read) {
      lock = WriterLock::acquire(config.lock_file, config.db_path, "ingest-buffer");
      db::ConnectionSettings db_settings{config.journal_mode, config.synchronous, config.busy_timeout_ms};
      db::ServableDatabase database = db::open_servable(config.db_path, db_settings, /*create=*/true);
      for (const std::string& warning : database.warnings) log::warning(warning);
      if (database.created) log::info("created the database with the v7 schema", {{"db_path", config.db_path}});
      connection = std::move(database.connection);
      applier = std::make_unique<DirectApplier>(*connection, options.classify.now);
    }
  }

  // With only missing inputs nothing is applied; they are still reported.
  if (!applier) applier = std::make_unique<DryDirectApplier>(nullptr);

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
