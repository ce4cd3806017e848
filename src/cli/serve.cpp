// telemetry serve: the single-writer HTTP service.
#include <pthread.h>
#include <signal.h>

#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "db/database.h"
#include "db/writer.h"
#include "http/descriptor_budget.h"
#include "http/listen_socket.h"
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

int serve(const Config& config) {
  sigset_t stop_signals = block_stop_signals();

  // The port first: nothing (lock file, database) is created on disk until
  // the address is ours.
  const std::size_t open_files = http::raise_open_file_limit();
  http::ListenSocket listener = http::ListenSocket::bind(config.api_host, config.api_port);
  const std::size_t workers = static_cast<std::size_t>(config.http_threads);
  const std::size_t max_connections = config.max_connections > 0 ? static_cast<std::size_t>(config.max_connections)
                                                                  : http::default_max_connections(open_files, workers);

  auto lock = WriterLock::acquire(config.lock_file, config.db_path, "serve");
  log_settings(config);

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
    retention = std::make_unique<http::RetentionScheduler>(writer, metrics, metadata_cache, config.retention_days);
    retention->start();
  }

  if (max_connections + http::reserved_descriptors(workers) > open_files) {
    log::warning("TELEMETRY_HTTP_MAX_CONNECTIONS leaves fewer descriptors for the database than it may need; "
                 "connections over the open-file limit are shed at accept",
                 {{"max_connections", std::to_string(max_connections)},
                  {"open_file_limit", std::to_string(open_files)}});
  }
  log::info("connection limits", {{"max_connections", std::to_string(max_connections)},
                                  {"open_file_limit", std::to_string(open_files)},
                                  {"reserved_descriptors", std::to_string(http::reserved_descriptors(workers))}});
  http::Server server(context, std::move(listener), max_connections);
  lock->set_url(server.base_url());

  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    log::info("stopping: draining requests and the write queue",
              {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
    http::sd_notify("STOPPING=1");
    server.stop();
  });

  log::announce("listening", {{"url", server.base_url()}, {"db_path", config.db_path},
                          {"journal_mode", journal_mode_name(database.journal_mode)},
                          {"synchronous", synchronous_name(database.synchronous)}});
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
  add_database_options(*command, *flags, kJournalMode | kSynchronous | kBusyTimeout);
  add_setting(*command, *flags, "--host", "TELEMETRY_API_HOST", "address or host name to listen on");
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
  add_setting(*command, *flags, "--http-threads", "TELEMETRY_HTTP_THREADS", "worker threads running requests");
  add_setting(*command, *flags, "--max-connections", "TELEMETRY_HTTP_MAX_CONNECTIONS",
              "most open connections; 0 sizes it from the open-file limit");
  add_setting(*command, *flags, "--max-connections-per-address", "TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
              "most open connections from one client address; 0 = no cap");
  add_setting(*command, *flags, "--max-header-bytes", "TELEMETRY_HTTP_MAX_HEADER_BYTES",
              "request line and headers limit (431 beyond)");
  add_setting(*command, *flags, "--read-timeout", "TELEMETRY_HTTP_READ_TIMEOUT_SECONDS",
              "seconds a whole request may take to arrive");
  add_setting(*command, *flags, "--keepalive-timeout", "TELEMETRY_HTTP_KEEPALIVE_SECONDS", "idle seconds a connection stays open; 0 disables");
  add_setting(*command, *flags, "--metrics-max-agents", "TELEMETRY_METRICS_MAX_AGENTS",
              "per-agent Prometheus series; the rest as agent=\"other\"");
  add_setting(*command, *flags, "--retention-days", "TELEMETRY_RETENTION_DAYS", "delete runs older than N days; 0 keeps them");
  command->callback([&run, flags] {
    run = [flags] { return serve(load_config(*flags, Command::kServe)); };
  });
}

}  // namespace telemetry::cli
