// telemetry serve: the single-writer HTTP service.
#include <pthread.h>
#include <signal.h>

#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "db/database.h"
#include "db/writer.h"
#include "http/read_pool.h"
#include "http/retention.h"
#include "http/sd_notify.h"
#include "http/server.h"
#include "http/service.h"
#include "util/lock_file.h"
#include "util/log.h"

namespace telemetry::cli {
namespace {

// Blocks SIGINT/SIGTERM in this thread and in every thread started after it,
// so that only the signal thread's sigwait() sees them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return set;
}

void log_effective_configuration(const Config& config) {
  for (const Config::Origin& origin : config.report) {
    log::info("setting", {{"name", origin.name}, {"value", origin.value}, {"source", origin.source}});
  }
}

int serve(const Config& config) {
  sigset_t stop_signals = block_stop_signals();

  auto lock = WriterLock::acquire(config.lock_file, config.db_path, "serve");
  log_effective_configuration(config);

  db::ConnectionSettings settings{config.journal_mode, config.synchronous, config.busy_timeout_ms};
  db::ServableDatabase database = db::open_servable(config.db_path, settings, /*create=*/true);
  for (const std::string& warning : database.warnings) log::warning(warning);
  if (database.created) log::info("created the database with the v7 schema", {{"db_path", config.db_path}});

  db::Writer writer(std::move(database.connection), 4 * static_cast<std::size_t>(config.http_threads));
  writer.start();
  http::ReadPool reads(config.db_path, config.busy_timeout_ms);
  http::ServiceMetrics metrics;
  http::MetadataCache metadata_cache;
  http::ServiceContext context{config, writer, reads, metrics, metadata_cache,
                               config.db_path, database.journal_mode, database.synchronous,
                               database.schema_version};
  // TELEMETRY_RETENTION_DAYS: deletions go through the writer like any other write.
  std::unique_ptr<http::RetentionScheduler> retention;
  if (config.retention_days > 0) {
    retention = std::make_unique<http::RetentionScheduler>(writer, metrics, metadata_cache, config.retention_days,
                                                           http::retention_timing_from_environment());
    retention->start();
  }

  http::Server server(context);
  server.bind();
  lock->set_url(server.base_url());

  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    log::info("stopping: draining requests and the write queue",
              {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
    http::sd_notify("STOPPING=1");
    server.stop();
  });

  log::info("listening", {{"url", server.base_url()}, {"db_path", config.db_path},
                          {"journal_mode", database.journal_mode}, {"synchronous", database.synchronous}});
  http::sd_notify("READY=1");
  server.listen();

  // listen() returns only after stop(); make sure the signal thread is done.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  if (retention) retention->stop();
  writer.stop();
  log::info("stopped", {{"commits", std::to_string(writer.counters().commits.load())}});
  return 0;
}

}  // namespace

void register_serve(CLI::App& app, RunCommand& run) {
  auto flags = std::make_shared<FlagValues>();
  CLI::App* command = app.add_subcommand("serve", "Run the single-writer HTTP service");
  add_global_flags(*command, *flags);
  add_setting(*command, *flags, "--journal-mode", "TELEMETRY_DB_JOURNAL_MODE", "DELETE, TRUNCATE, PERSIST or WAL");
  add_setting(*command, *flags, "--synchronous", "TELEMETRY_DB_SYNCHRONOUS", "EXTRA, FULL, NORMAL or OFF");
  add_setting(*command, *flags, "--busy-timeout-ms", "TELEMETRY_DB_BUSY_TIMEOUT_MS", "SQLite busy timeout");
  add_setting(*command, *flags, "--host", "TELEMETRY_API_HOST", "address to listen on (default 127.0.0.1)");
  add_setting(*command, *flags, "--port", "TELEMETRY_API_PORT", "port to listen on; 0 lets the system choose");
  add_switch(*command, *flags, "--auth", "--no-auth", "TELEMETRY_API_AUTH_ENABLED", "require a Bearer token");
  add_setting(*command, *flags, "--auth-token-file", "TELEMETRY_API_AUTH_TOKEN_FILE", "file holding the token");
  add_switch(*command, *flags, "--allow-unauthenticated", "--no-allow-unauthenticated",
             "TELEMETRY_API_ALLOW_UNAUTHENTICATED", "allow a non-loopback --host with auth off");
  add_switch(*command, *flags, "--rate-limit", "--no-rate-limit", "TELEMETRY_RATE_LIMIT_ENABLED",
             "limit requests per client IP");
  add_setting(*command, *flags, "--rate-limit-rpm", "TELEMETRY_RATE_LIMIT_RPM", "requests per minute per IP");
  add_setting(*command, *flags, "--max-body-bytes", "TELEMETRY_MAX_BODY_BYTES", "request body limit");
  add_setting(*command, *flags, "--batch-max", "TELEMETRY_BATCH_MAX", "most runs in one batch request");
  add_setting(*command, *flags, "--http-threads", "TELEMETRY_HTTP_THREADS", "concurrent connections served");
  add_setting(*command, *flags, "--read-timeout", "TELEMETRY_HTTP_READ_TIMEOUT_SECONDS",
              "seconds a whole request may take to arrive");
  add_setting(*command, *flags, "--keepalive-timeout", "TELEMETRY_HTTP_KEEPALIVE_SECONDS", "seconds; 0 disables");
  add_setting(*command, *flags, "--metrics-max-agents", "TELEMETRY_METRICS_MAX_AGENTS",
              "per-agent Prometheus series; the rest as agent=\"other\"");
  add_setting(*command, *flags, "--retention-days", "TELEMETRY_RETENTION_DAYS", "delete runs older than N days; 0 = off");
  command->callback([&run, flags] {
    run = [flags] { return serve(load_config(*flags, Command::kServe)); };
  });
}

}  // namespace telemetry::cli
