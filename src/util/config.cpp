#include "util/config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "util/config_values.h"
#include "util/env_file.h"

extern char** environ;

namespace telemetry {
namespace {

namespace values = config_values;

const char* const kRedacted = "***REDACTED***";

// Every name docs/reference/configuration.md §4 defines; anything else starting with TELEMETRY_ is a typo.
const std::set<std::string> kSettings = {
    "TELEMETRY_DB_PATH", "TELEMETRY_LOCK_FILE", "TELEMETRY_DB_JOURNAL_MODE", "TELEMETRY_DB_SYNCHRONOUS",
    "TELEMETRY_DB_BUSY_TIMEOUT_MS", "TELEMETRY_API_HOST", "TELEMETRY_API_PORT", "TELEMETRY_API_WORKERS",
    "TELEMETRY_API_AUTH_ENABLED", "TELEMETRY_API_AUTH_TOKEN", "TELEMETRY_API_AUTH_TOKEN_FILE",
    "TELEMETRY_RATE_LIMIT_ENABLED", "TELEMETRY_RATE_LIMIT_RPM", "TELEMETRY_MAX_BODY_BYTES", "TELEMETRY_BATCH_MAX",
    "TELEMETRY_HTTP_THREADS", "TELEMETRY_HTTP_READ_TIMEOUT_SECONDS", "TELEMETRY_HTTP_KEEPALIVE_SECONDS",
    "TELEMETRY_HTTP_MAX_CONNECTIONS", "TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "TELEMETRY_HTTP_MAX_HEADER_BYTES",
    "TELEMETRY_RETENTION_DAYS", "TELEMETRY_API_URL", "TELEMETRY_BUFFER_DIR", "TELEMETRY_BACKUP_DIR",
    "TELEMETRY_BACKUP_KEEP_DAYS", "TELEMETRY_BACKUP_KEEP_LAST", "TELEMETRY_LOG_LEVEL", "TELEMETRY_LOG_FORMAT",
    "TELEMETRY_API_ALLOW_UNAUTHENTICATED", "TELEMETRY_METRICS_MAX_AGENTS",
};

// §4.6: known from the Python service and its client, deliberately unused.
const std::set<std::string> kRecognisedIgnored = {
    "TELEMETRY_DB_CONNECT_TIMEOUT_SECONDS", "TELEMETRY_DB_MAX_RETRIES", "TELEMETRY_DB_RETRY_BASE_DELAY_SECONDS",
    "TELEMETRY_BUFFER_MAX_SIZE_MB", "TELEMETRY_BUFFER_MAX_AGE_HOURS", "TELEMETRY_SYNC_INTERVAL_SECONDS",
    "TELEMETRY_SYNC_BATCH_SIZE", "TELEMETRY_LEVEL", "TELEMETRY_SAMPLING_RATE", "TELEMETRY_MAX_PAYLOAD_BYTES",
    "TELEMETRY_DRY_RUN_CLEANUP", "DATABASE_URL", "TELEMETRY_BASE_DIR", "AGENT_METRICS_DIR", "TELEMETRY_NDJSON_DIR",
    "TELEMETRY_SKIP_VALIDATION", "TELEMETRY_RETRY_BACKOFF_FACTOR", "TELEMETRY_TEST_MODE", "METRICS_API_URL",
    "METRICS_API_TOKEN", "METRICS_API_ENABLED", "METRICS_API_AUTH_REQUIRED", "GOOGLE_SHEETS_API_URL",
    "GOOGLE_SHEETS_API_ENABLED", "AGENT_OWNER",
};

// Lower is stronger: the order of docs/reference/configuration.md §1.
enum class Level { kFlag = 0, kEnvironment = 1, kEnvFile = 2 };

struct Found {
  std::string name;
  std::string value;
  Level level;
  int line = 0;  // env file only
};

// Which settings a command uses (docs/reference/configuration.md §4, "used by" columns).
struct Uses {
  bool journal_mode, synchronous, host_port, server, body_and_batch, tokens, api_url, buffer_dir, backup_dir,
      backup_keep;
};

Uses uses_for(Command command, const ConfigInputs& inputs) {
  bool serve = command == Command::kServe;
  bool ingest = command == Command::kIngestBuffer;
  // check and metrics call a service only when --url is on their command line.
  auto url_flag = inputs.flags.find("TELEMETRY_API_URL");
  bool calls_service = (command == Command::kCheck || command == Command::kMetrics) &&
                       url_flag != inputs.flags.end() && !url_flag->second.empty();
  bool script_client = command == Command::kRun || command == Command::kRecord;
  calls_service = calls_service || script_client || command == Command::kRuns;
  bool writes_db = serve || ingest || command == Command::kPrune || command == Command::kBackupRestore;
  Uses uses{};
  uses.journal_mode = writes_db;
  uses.synchronous = writes_db || command == Command::kMigrate || command == Command::kBackup;
  uses.host_port = serve || ingest || script_client || command == Command::kRuns;
  uses.server = serve;
  uses.body_and_batch = serve || ingest;
  uses.tokens = serve || ingest || calls_service;
  uses.api_url = ingest || calls_service;
  uses.buffer_dir = ingest || script_client;
  uses.backup_dir = command == Command::kBackup || command == Command::kBackupRestore;
  uses.backup_keep = command == Command::kBackup;
  return uses;
}

std::string join_path(const std::string& base, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base) / p;
  return p.lexically_normal().string();
}

bool has_whitespace(const std::string& text) {
  for (unsigned char c : text)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return true;
  return false;
}

class Resolver {
 public:
  Resolver(const ConfigInputs& inputs, Command command)
      : in_(inputs), command_(command), uses_(uses_for(command, inputs)) {
    working_directory_ = inputs.working_directory.empty() ? std::filesystem::current_path().string()
                                                          : inputs.working_directory;
  }

  ConfigResult run() {
    load_env_file();
    note_unknown_names();
    database_and_lock();
    if (uses_.host_port) host_and_port();
    if (uses_.server) server_settings();
    if (uses_.body_and_batch) body_and_batch();
    if (uses_.tokens) tokens();
    service_url();
    paths();
    logging();
    return std::move(result_);
  }

 private:
  const ConfigInputs& in_;
  Command command_;
  Uses uses_;
  std::string working_directory_;
  std::string env_file_name_;  // as messages show it: ".env" or the --env-file argument
  std::map<std::string, env_file::Entry> file_;
  ConfigResult result_;
  Config& config() { return result_.config; }

  // ---- sources ----------------------------------------------------------

  void load_env_file() {
    if (in_.no_env_file) return;
    bool named = in_.env_file && !in_.env_file->empty();
    env_file_name_ = named ? *in_.env_file : ".env";
    std::string path = join_path(working_directory_, named ? *in_.env_file : ".env");
    env_file::Loaded loaded = env_file::load(path, env_file_name_);
    if (loaded.read_error && !named && loaded.missing) return;  // ./.env is optional
    if (loaded.read_error) result_.errors.push_back(*loaded.read_error);
    for (const std::string& error : loaded.parsed.errors) result_.errors.push_back(error);
    // A ./.env nobody named may belong to another project in the same folder.
    if (!named && (loaded.read_error || !loaded.parsed.errors.empty()))
      result_.errors.push_back(path + " is read because it is in the current folder; if it is not meant for "
                               "telemetry, pass --no-env-file (or --env-file PATH to read another file)");
    if (loaded.read_error) return;
    file_ = std::move(loaded.parsed.entries);
    auto token = file_.find("TELEMETRY_API_AUTH_TOKEN");
    if (token != file_.end() && !token->second.value.empty() && loaded.readable_by_others)
      result_.config.warnings.push_back("env file " + env_file_name_ +
                                        " holds TELEMETRY_API_AUTH_TOKEN and is readable by group or others; "
                                        "restrict it with chmod 600");
  }

  std::optional<Found> find_at(const std::string& name, Level level) const {
    switch (level) {
      case Level::kFlag: {
        auto it = in_.flags.find(name);
        if (it != in_.flags.end() && !it->second.empty()) return Found{name, it->second, level};
        break;
      }
      case Level::kEnvironment: {
        auto it = in_.environment.find(name);
        if (it != in_.environment.end() && !it->second.empty()) return Found{name, it->second, level};
        break;
      }
      case Level::kEnvFile: {
        auto it = file_.find(name);
        if (it != file_.end() && !it->second.value.empty()) return Found{name, it->second.value, level, it->second.line};
        break;
      }
    }
    return std::nullopt;
  }

  // The first source providing any of `names`; within one source the earlier name wins.
  std::optional<Found> find(const std::vector<std::string>& names) const {
    for (Level level : {Level::kFlag, Level::kEnvironment, Level::kEnvFile})
      for (const std::string& name : names)
        if (auto found = find_at(name, level)) return found;
    return std::nullopt;
  }
  std::optional<Found> find(const std::string& name) const { return find(std::vector<std::string>{name}); }

  std::string message_source(const Found& found) const {
    switch (found.level) {
      case Level::kFlag: return "command line";
      case Level::kEnvironment: return "environment";
      case Level::kEnvFile: break;
    }
    return env_file_name_ + ":" + std::to_string(found.line);
  }

  std::string report_source(const Found& found) const {
    switch (found.level) {
      case Level::kFlag: return "flag";
      case Level::kEnvironment: return "env";
      case Level::kEnvFile: break;
    }
    return env_file_name_ + ":" + std::to_string(found.line);
  }

  // `expected` adds what would be accepted where the reason alone does not say.
  void fail(const Found& found, const std::string& reason, bool secret = false, const std::string& expected = "") {
    if (found.level == Level::kFlag) {
      result_.flag_errors.push_back(
          {found.name, secret ? kRedacted : found.value, reason + (expected.empty() ? "" : "; expected " + expected)});
      return;
    }
    refuse(found, reason, secret);
  }

  // A configuration error (78) whatever the source: a valid value that the
  // rest of the configuration does not allow.
  void refuse(const Found& found, const std::string& reason, bool secret = false) {
    result_.errors.push_back(found.name + "=" + (secret ? kRedacted : found.value) + " (" + message_source(found) +
                             "): " + reason);
  }

  void report(const std::string& name, const std::string& value, const std::optional<Found>& found) {
    config().report.push_back({found ? found->name : name, value, found ? report_source(*found) : "default"});
  }

  // ---- typed settings ---------------------------------------------------

  template <typename Int>
  void integer(const std::string& name, long long min, long long max, Int& out) {
    auto found = find(name);
    if (found) {
      long long value = 0;
      switch (values::parse_integer(found->value, min, max, value)) {
        case values::IntegerCheck::kOk: out = static_cast<Int>(value); break;
        case values::IntegerCheck::kNotInteger:
          fail(*found, "not an integer", false,
               "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
          break;
        case values::IntegerCheck::kOutOfRange:
          fail(*found, "must be between " + std::to_string(min) + " and " + std::to_string(max));
          break;
      }
    }
    report(name, std::to_string(out), found);
  }

  void boolean(const std::string& name, bool& out) {
    auto found = find(name);
    if (found) {
      if (auto value = values::parse_bool(found->value)) out = *value;
      else fail(*found, "must be true, false, 1, 0, yes, no, on or off");
    }
    report(name, out ? "true" : "false", found);
  }

  // Resolves a path setting; `fallback` is the default (already absolute) or "" for none.
  std::string path(const std::string& name, const std::string& fallback, std::optional<Found>* found_out = nullptr) {
    auto found = find(name);
    std::string value = found ? join_path(working_directory_, found->value) : fallback;
    report(name, value, found);
    if (found_out) *found_out = found;
    return value;
  }

  // ---- §4.1 ---------------------------------------------------------

  std::string default_db_path() const {
    auto env = [&](const char* name) {
      auto it = in_.environment.find(name);
      return it == in_.environment.end() ? std::string() : it->second;
    };
    std::string xdg = env("XDG_DATA_HOME");
    if (!xdg.empty() && xdg[0] == '/') return join_path(xdg, "telemetry/telemetry.sqlite");
    std::string home = env("HOME");
    if (!home.empty() && home[0] == '/') return join_path(home, ".local/share/telemetry/telemetry.sqlite");
    return "";
  }

  void database_and_lock() {
    std::string db_path = path("TELEMETRY_DB_PATH", default_db_path());
    if (db_path.empty())
      result_.errors.push_back("cannot determine the default database path; set TELEMETRY_DB_PATH or --db");
    config().db_path = db_path;
    config().lock_file = path("TELEMETRY_LOCK_FILE", db_path.empty() ? "" : db_path + ".lock");

    config().journal_mode = JournalMode::kDelete;
    if (uses_.journal_mode) journal_mode();
    config().synchronous = Synchronous::kFull;
    if (uses_.synchronous) synchronous();
    integer("TELEMETRY_DB_BUSY_TIMEOUT_MS", 0, 3600000, config().busy_timeout_ms);
    if (config().busy_timeout_ms < 1000)
      config().warnings.push_back("TELEMETRY_DB_BUSY_TIMEOUT_MS=" + std::to_string(config().busy_timeout_ms) +
                                  " is below 1000: a command may fail as 'database busy' while another "
                                  "connection writes");
  }

  void journal_mode() {
    auto found = find("TELEMETRY_DB_JOURNAL_MODE");
    if (found) {
      // MEMORY and OFF are refused: a crash would corrupt the file.
      const std::optional<JournalMode> mode = parse_journal_mode(found->value);
      if (mode && *mode != JournalMode::kMemory && *mode != JournalMode::kOff) config().journal_mode = *mode;
      else fail(*found, "must be DELETE, TRUNCATE, PERSIST or WAL");
    }
    report("TELEMETRY_DB_JOURNAL_MODE", journal_mode_name(config().journal_mode), found);
  }

  void synchronous() {
    auto found = find("TELEMETRY_DB_SYNCHRONOUS");
    if (found) {
      if (const std::optional<Synchronous> level = parse_synchronous(found->value)) config().synchronous = *level;
      else fail(*found, "must be EXTRA, FULL, NORMAL or OFF (or 3, 2, 1, 0)");
    }
    report("TELEMETRY_DB_SYNCHRONOUS", synchronous_name(config().synchronous), found);
    if (config().synchronous == Synchronous::kNormal)
      config().warnings.push_back(
          "TELEMETRY_DB_SYNCHRONOUS=NORMAL is below FULL: in WAL mode, acknowledged writes can be lost on power "
          "failure");
    else if (config().synchronous == Synchronous::kOff)
      config().warnings.push_back(
          "TELEMETRY_DB_SYNCHRONOUS=OFF is below FULL: acknowledged writes can be lost on any operating-system "
          "crash, and in rollback-journal modes the file can be corrupted");
  }

  // ---- §4.2 ---------------------------------------------------------

  void host_and_port() {
    auto found = find("TELEMETRY_API_HOST");
    if (found) {
      std::string host = found->value;
      // Accept the bracketed form people copy from URLs.
      if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
      bool literal = values::is_ipv4_literal(host) || values::is_ipv6_literal(host);
      if (!literal && !values::is_host_name(host)) fail(*found, "must be an IPv4 or IPv6 address or a host name");
      else if (literal || command_ != Command::kServe || resolves(*found, host)) config().api_host = host;
    }
    report("TELEMETRY_API_HOST", config().api_host, found);
    integer("TELEMETRY_API_PORT", 0, 65535, config().api_port);
  }

  // serve must listen on the name; whether the address is local shows when it binds (exit 69).
  bool resolves(const Found& found, const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* addresses = nullptr;
    int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &addresses);
    if (status != 0) {
      fail(found, std::string("does not resolve to an address: ") + ::gai_strerror(status));
      return false;
    }
    ::freeaddrinfo(addresses);
    return true;
  }

  void server_settings() {
    auto workers = find("TELEMETRY_API_WORKERS");
    long long count = 0;
    if (workers && values::parse_integer(workers->value, 1, 1, count) != values::IntegerCheck::kOk)
      result_.errors.push_back("TELEMETRY_API_WORKERS=" + workers->value +
                               ": telemetry serve is a single-writer service and runs exactly one worker; "
                               "remove the setting or set it to 1");
    report("TELEMETRY_API_WORKERS", "1", workers);
    boolean("TELEMETRY_API_AUTH_ENABLED", config().auth_enabled);
    boolean("TELEMETRY_RATE_LIMIT_ENABLED", config().rate_limit_enabled);
    integer("TELEMETRY_RATE_LIMIT_RPM", 1, 1000000, config().rate_limit_rpm);
    integer("TELEMETRY_HTTP_THREADS", 1, 1024, config().http_threads);
    integer("TELEMETRY_HTTP_READ_TIMEOUT_SECONDS", 1, 3600, config().read_timeout_seconds);
    integer("TELEMETRY_HTTP_KEEPALIVE_SECONDS", 0, 3600, config().keepalive_seconds);
    integer("TELEMETRY_HTTP_MAX_CONNECTIONS", 0, 10000000, config().max_connections);
    integer("TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS", 0, 10000000, config().max_connections_per_address);
    integer("TELEMETRY_HTTP_MAX_HEADER_BYTES", 1024, 16777216, config().max_header_bytes);
    integer("TELEMETRY_RETENTION_DAYS", 0, 36500, config().retention_days);
    integer("TELEMETRY_METRICS_MAX_AGENTS", 0, 100000, config().metrics_max_agents);
    boolean("TELEMETRY_API_ALLOW_UNAUTHENTICATED", config().allow_unauthenticated);
    refuse_open_listener();
  }

  // Listening beyond loopback with auth off exposes every run to anyone who can
  // reach the port: refused unless explicitly allowed, then warned about.
  void refuse_open_listener() {
    auto host = find("TELEMETRY_API_HOST");
    if (!host || config().auth_enabled || loopback_only(config().api_host)) return;
    const std::string what = "listening on " + config().api_host + " (not a loopback address) without authentication";
    if (config().allow_unauthenticated)
      config().warnings.push_back(what + ", as TELEMETRY_API_ALLOW_UNAUTHENTICATED allows: anyone who can reach "
                                         "the port can read and write runs");
    else
      refuse(*host, what + " is refused; turn authentication on (TELEMETRY_API_AUTH_ENABLED=true and "
                       "TELEMETRY_API_AUTH_TOKEN_FILE), listen on 127.0.0.1, or allow it explicitly with "
                       "--allow-unauthenticated (TELEMETRY_API_ALLOW_UNAUTHENTICATED=true)");
  }

  // Every address `host` resolves to is loopback (127.0.0.0/8, ::1, IPv4-mapped 127.x).
  static bool loopback_only(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* addresses = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &addresses) != 0) return false;
    bool loopback = addresses != nullptr;
    for (const addrinfo* a = addresses; a; a = a->ai_next) {
      if (a->ai_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
        loopback = loopback && (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
      } else if (a->ai_family == AF_INET6) {
        const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr;
        loopback = loopback && (IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127));
      } else {
        loopback = false;
      }
    }
    ::freeaddrinfo(addresses);
    return loopback;
  }

  void body_and_batch() {
    integer("TELEMETRY_MAX_BODY_BYTES", 1024, 1073741824, config().max_body_bytes);
    integer("TELEMETRY_BATCH_MAX", 1, 1000, config().batch_max);
  }

  // ---- tokens (4.2 "Token rules") ---------------------------------------

  void tokens() {
    auto token = find("TELEMETRY_API_AUTH_TOKEN");
    auto token_file = find("TELEMETRY_API_AUTH_TOKEN_FILE");
    report("TELEMETRY_API_AUTH_TOKEN", token ? kRedacted : "", token);
    report("TELEMETRY_API_AUTH_TOKEN_FILE", token_file ? join_path(working_directory_, token_file->value) : "",
           token_file);
    if (token && token_file) {
      if (token->level == token_file->level) {
        result_.errors.push_back("TELEMETRY_API_AUTH_TOKEN (" + message_source(*token) +
                                 ") and TELEMETRY_API_AUTH_TOKEN_FILE (" + message_source(*token_file) +
                                 ") are both set at the same level; set only one");
        return;
      }
      // Different levels: the stronger source wins, as for any setting.
      if (token->level < token_file->level) token_file.reset();
      else token.reset();
    }
    // serve checks tokens; clients (ingest-buffer, --url) send whatever is configured.
    bool serve = command_ == Command::kServe;
    if (serve && !config().auth_enabled) {
      if (token || token_file)
        config().warnings.push_back(std::string(token ? "TELEMETRY_API_AUTH_TOKEN" : "TELEMETRY_API_AUTH_TOKEN_FILE") +
                                    " is set but TELEMETRY_API_AUTH_ENABLED is false: the token is ignored and "
                                    "requests are not authenticated");
      return;
    }
    if (token) {
      if (has_whitespace(token->value)) fail(*token, "must not contain whitespace", true);
      else accept_token(token->value, "TELEMETRY_API_AUTH_TOKEN");
    } else if (token_file) {
      token_from_file(*token_file);
    } else if (serve) {
      result_.errors.push_back(
          "TELEMETRY_API_AUTH_ENABLED is true but no token is set; set TELEMETRY_API_AUTH_TOKEN_FILE or "
          "TELEMETRY_API_AUTH_TOKEN");
    }
  }

  void accept_token(const std::string& token, const std::string& origin) {
    if (token.size() < 16)
      config().warnings.push_back("the token from " + origin +
                                  " is shorter than 16 characters; use a long random token");
    config().auth_token = token;
  }

  void token_from_file(const Found& found) {
    std::string file = join_path(working_directory_, found.value);
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return fail(found, std::string("cannot read the file: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail(found, std::string("cannot read the file: ") + std::strerror(EISDIR));
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(found, std::string("cannot read the file: ") + std::strerror(errno));
    std::ostringstream content;
    content << in.rdbuf();
    std::string token = content.str();
    while (!token.empty() && token.back() == '\n') {
      token.pop_back();
      if (!token.empty() && token.back() == '\r') token.pop_back();
    }
    if (token.empty()) return fail(found, "the file holds no token");
    if (has_whitespace(token)) return fail(found, "the token in the file contains whitespace");
    if (st.st_mode & (S_IRGRP | S_IROTH))
      config().warnings.push_back("token file " + file + " is readable by group or others; restrict it with chmod 600");
    accept_token(token, "TELEMETRY_API_AUTH_TOKEN_FILE");
  }

  // ---- §4.3 ---------------------------------------------------------

  void service_url() {
    std::string derived = values::url_for_listen_address(config().api_host, config().api_port);
    config().api_url = derived;
    if (!uses_.api_url) return;
    auto found = find("TELEMETRY_API_URL");
    if (found) {
      if (auto url = values::normalise_service_url(found->value)) config().api_url = *url;
      else fail(*found, "must be an http:// or https:// URL with a host, an optional port and no path");
    }
    report("TELEMETRY_API_URL", config().api_url, found);
  }

  void paths() {
    std::string db_dir = std::filesystem::path(config().db_path).parent_path().string();
    std::string backup_default = db_dir.empty() ? "" : join_path(db_dir, "backups");
    std::string buffer_default = join_path(working_directory_, "telemetry_buffer");
    config().buffer_dir = uses_.buffer_dir ? path("TELEMETRY_BUFFER_DIR", buffer_default) : buffer_default;
    config().backup_dir = uses_.backup_dir ? path("TELEMETRY_BACKUP_DIR", backup_default) : backup_default;
    if (uses_.backup_keep) {
      integer("TELEMETRY_BACKUP_KEEP_DAYS", 0, 36500, config().backup_keep_days);
      integer("TELEMETRY_BACKUP_KEEP_LAST", 0, 100000, config().backup_keep_last);
    }
  }

  // ---- §4.4 ---------------------------------------------------------

  void logging() {
    auto level = find(std::vector<std::string>{"TELEMETRY_LOG_LEVEL", "LOG_LEVEL"});
    if (level) {
      auto word = values::match_word(level->value, {"debug", "info", "warning", "warn", "error", "critical"});
      if (word) config().log_level = *word == "warn" ? "warning" : *word;
      else fail(*level, "must be debug, info, warning, error or critical");
    }
    report("TELEMETRY_LOG_LEVEL", config().log_level, level);

    auto format = find("TELEMETRY_LOG_FORMAT");
    if (format) {
      auto word = values::match_word(format->value, {"logfmt", "text", "json"});
      if (word) config().log_format = *word == "text" ? "logfmt" : *word;
      else fail(*format, "must be logfmt, text or json");
    }
    report("TELEMETRY_LOG_FORMAT", config().log_format, format);
  }

  // ---- §4.6 ---------------------------------------------------------

  void note_unknown_names() {
    std::set<std::string> seen;
    auto consider = [&](const std::string& name, const std::string& where) {
      if (!seen.insert(name).second) return;
      if (kRecognisedIgnored.count(name))
        config().debug_notes.push_back(name + " (" + where + ") is not used by telemetry; ignored");
      else if (name.rfind("TELEMETRY_", 0) == 0 && !kSettings.count(name))
        config().warnings.push_back("unknown setting " + name + " ignored");
    };
    for (const auto& [name, value] : in_.environment) consider(name, "environment");
    for (const auto& [name, entry] : file_) consider(name, env_file_name_ + ":" + std::to_string(entry.line));
  }
};

}  // namespace

ConfigResult resolve_config(const ConfigInputs& inputs, Command command) {
  return Resolver(inputs, command).run();
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> result;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text = *entry;
    size_t equals = text.find('=');
    if (equals == std::string::npos) continue;
    // The first definition wins, as getenv() would return it.
    result.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return result;
}

}  // namespace telemetry
