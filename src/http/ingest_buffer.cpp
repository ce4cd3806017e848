#include "http/ingest_buffer.h"

#include <unistd.h>

#include <memory>

#include "buffer/direct_applier.h"
#include "core/timestamp.h"
#include "db/read_only_database.h"
#include "http/client.h"
#include "http/server_applier.h"
#include "util/error.h"
#include "util/lock_file.h"
#include "util/log.h"

namespace telemetry::http {
namespace {

struct Mode {
  bool server = false;
  std::string url;
};

Mode choose_mode(const IngestBufferOptions& options) {
  if (options.url_given) return Mode{true, options.api_url};
  std::optional<LockHolder> holder = current_lock_holder(options.lock_file);
  if (!holder) return Mode{};
  if (holder->command == "serve") return Mode{true, holder->url.empty() ? options.api_url : holder->url};
  std::string message =
      options.db_path + " is in use: " + options.lock_file + " is held by " + holder->describe_command();
  if (!holder->pid.empty()) message += " (PID " + holder->pid + " on " + holder->host + ")";
  throw Error(ErrorKind::kUnavailable, message);
}

// The database for a dry run: nullptr when there is nothing to read.
std::unique_ptr<db::Connection> open_for_dry_run(const IngestBufferOptions& options) {
  if (::access(options.db_path.c_str(), F_OK) != 0) return nullptr;
  return db::open_for_reading(options.db_path, options.database.busy_timeout_ms, db::ShapeRequirement::kV7OrEmpty);
}

// Everything the applier writes through, kept alive for the whole run.
struct Destination {
  std::unique_ptr<WriterLock> lock;
  std::unique_ptr<db::Connection> connection;
  std::unique_ptr<ApiClient> client;
  std::unique_ptr<buffer::RecordApplier> applier;
};

Destination server_destination(const IngestBufferOptions& options, const std::string& url) {
  log::info("mode: server " + url + (options.dry_run ? " (dry run)" : ""));
  Destination destination;
  ClientSettings client_settings;
  client_settings.base_url = url;
  client_settings.token = options.auth_token;
  destination.client = std::make_unique<ApiClient>(client_settings);
  if (options.dry_run) {
    destination.applier = std::make_unique<buffer::DecidingApplier>(service_state_lookup(*destination.client));
  } else {
    destination.applier = std::make_unique<ServerApplier>(*destination.client, options.batch_max);
  }
  return destination;
}

// Opens nothing when no input can be read: a run of missing inputs only reports them.
Destination direct_destination(const IngestBufferOptions& options, bool anything_to_read, const std::string& now) {
  log::info("mode: direct " + options.db_path + (options.dry_run ? " (dry run)" : ""));
  Destination destination;
  if (options.dry_run) {
    if (anything_to_read) destination.connection = open_for_dry_run(options);
    destination.applier = std::make_unique<buffer::DryDirectApplier>(destination.connection.get());
  } else if (anything_to_read) {
    destination.lock = WriterLock::acquire(options.lock_file, options.db_path, "ingest-buffer");
    db::ServableDatabase database = db::open_servable(options.db_path, options.database, /*create=*/true);
    for (const std::string& warning : database.warnings) log::warning(warning);
    if (database.created) log::info("created the database with the v7 schema", {{"db_path", options.db_path}});
    destination.connection = std::move(database.connection);
    destination.applier = std::make_unique<buffer::DirectApplier>(*destination.connection, now);
  }
  if (!destination.applier) destination.applier = std::make_unique<buffer::DryDirectApplier>(nullptr);
  return destination;
}

}  // namespace

IngestBufferResult ingest_buffer(const IngestBufferOptions& options, const std::vector<buffer::InputSpec>& inputs,
                                 const IngestObserver& observer) {
  const Mode mode = choose_mode(options);
  bool anything_to_read = false;
  for (const buffer::InputSpec& input : inputs) {
    anything_to_read |= !input.missing;
    if (input.missing && observer.missing_input) observer.missing_input(input);
  }

  buffer::IngestOptions ingest;
  ingest.classify.max_line_bytes = options.max_line_bytes;
  ingest.classify.now = canonical_utc_now();
  ingest.dry_run = options.dry_run;
  ingest.progress = observer.progress;

  Destination destination = mode.server ? server_destination(options, mode.url)
                                        : direct_destination(options, anything_to_read, ingest.classify.now);

  IngestBufferResult result;
  result.run = buffer::RunDescription{mode.server, options.db_path, mode.url, options.dry_run};
  bool stopped = false;
  for (const buffer::InputSpec& input : inputs) {
    buffer::InputReport report;
    if (stopped) {
      report.path = input.path;
      report.error = "not processed: the run stopped";
    } else {
      report = buffer::ingest_input(input, *destination.applier, ingest);
      stopped = report.stops_run;
    }
    if (observer.input_done) observer.input_done(report);
    result.reports.push_back(std::move(report));
  }
  return result;
}

}  // namespace telemetry::http
