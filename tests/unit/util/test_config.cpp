// Settings resolution, docs/reference/configuration.md §1 and §4: sources and precedence,
// validation messages, token rules, defaults and the start-up report.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>

#include "temp_dir.h"
#include "util/config.h"

using telemetry::Command;
using telemetry::Config;
using telemetry::ConfigInputs;
using telemetry::ConfigResult;
using telemetry::resolve_config;

namespace {

struct Setup {
  telemetry::test::TempDir dir;
  ConfigInputs inputs;
  Setup() {
    inputs.working_directory = dir.path();
    inputs.environment = {{"HOME", dir.path()}};
  }
  void env_file(const std::string& content, mode_t mode = 0600) { dir.write(".env", content, mode); }
  ConfigResult resolve(Command command = Command::kServe) const { return resolve_config(inputs, command); }
};

const Config::Origin* origin(const Config& config, const std::string& name) {
  for (const auto& entry : config.report)
    if (entry.name == name) return &entry;
  return nullptr;
}

bool contains(const std::vector<std::string>& lines, const std::string& wanted) {
  return std::find(lines.begin(), lines.end(), wanted) != lines.end();
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return line.find(part) != std::string::npos; });
}

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& line : lines) all += line + "\n";
  return all;
}

}  // namespace

// ---- precedence ----------------------------------------------------------

struct PrecedenceRow {
  std::string name;
  Command command;
  std::string flag, env, file;  // given values
  std::string shown_flag, shown_env, shown_file, shown_default;  // report values
};

TEST_CASE("each setting comes from flag, then environment, then env file, then default") {
  Setup s;
  const std::string d = s.dir.path();
  const std::vector<PrecedenceRow> rows = {
      {"TELEMETRY_DB_PATH", Command::kServe, "/f/t.db", "/e/t.db", "/x/t.db", "/f/t.db", "/e/t.db", "/x/t.db",
       d + "/.local/share/telemetry/telemetry.sqlite"},
      {"TELEMETRY_LOCK_FILE", Command::kServe, "f.lock", "e.lock", "x.lock", d + "/f.lock", d + "/e.lock",
       d + "/x.lock", d + "/.local/share/telemetry/telemetry.sqlite.lock"},
      {"TELEMETRY_DB_JOURNAL_MODE", Command::kServe, "wal", "Truncate", "PERSIST", "WAL", "TRUNCATE", "PERSIST",
       "DELETE"},
      {"TELEMETRY_DB_SYNCHRONOUS", Command::kServe, "extra", "3", "Extra", "EXTRA", "EXTRA", "EXTRA", "FULL"},
      {"TELEMETRY_DB_BUSY_TIMEOUT_MS", Command::kServe, "1000", "2000", "3000", "1000", "2000", "3000", "30000"},
      {"TELEMETRY_API_HOST", Command::kServe, "127.0.0.2", "::1", "127.0.0.3", "127.0.0.2", "::1", "127.0.0.3",
       "127.0.0.1"},
      {"TELEMETRY_API_ALLOW_UNAUTHENTICATED", Command::kServe, "yes", "off", "1", "true", "false", "true",
       "false"},
      {"TELEMETRY_METRICS_MAX_AGENTS", Command::kServe, "0", "7", "100000", "0", "7", "100000", "100"},
      {"TELEMETRY_API_PORT", Command::kServe, "1", "2", "0", "1", "2", "0", "8765"},
      {"TELEMETRY_RATE_LIMIT_ENABLED", Command::kServe, "yes", "off", "ON", "true", "false", "true", "false"},
      {"TELEMETRY_RATE_LIMIT_RPM", Command::kServe, "1", "2", "3", "1", "2", "3", "60"},
      {"TELEMETRY_MAX_BODY_BYTES", Command::kServe, "1024", "2048", "4096", "1024", "2048", "4096", "16777216"},
      {"TELEMETRY_BATCH_MAX", Command::kIngestBuffer, "10", "20", "30", "10", "20", "30", "1000"},
      {"TELEMETRY_HTTP_THREADS", Command::kServe, "1", "2", "3", "1", "2", "3", "16"},
      {"TELEMETRY_HTTP_READ_TIMEOUT_SECONDS", Command::kServe, "1", "2", "3", "1", "2", "3", "30"},
      {"TELEMETRY_HTTP_KEEPALIVE_SECONDS", Command::kServe, "0", "2", "3", "0", "2", "3", "5"},
      {"TELEMETRY_HTTP_MAX_CONNECTIONS", Command::kServe, "10", "20", "30", "10", "20", "30", "0"},
      {"TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS", Command::kServe, "1", "2", "3", "1", "2", "3", "0"},
      {"TELEMETRY_HTTP_MAX_HEADER_BYTES", Command::kServe, "2048", "4096", "8192", "2048", "4096", "8192",
       "65536"},
      {"TELEMETRY_RETENTION_DAYS", Command::kServe, "1", "2", "3", "1", "2", "3", "0"},
      {"TELEMETRY_API_URL", Command::kIngestBuffer, "http://f:1", "http://e:2/", "https://x", "http://f:1",
       "http://e:2", "https://x", "http://127.0.0.1:8765"},
      {"TELEMETRY_BUFFER_DIR", Command::kIngestBuffer, "fb", "/e/b", "xb", d + "/fb", "/e/b", d + "/xb",
       d + "/telemetry_buffer"},
      {"TELEMETRY_BACKUP_DIR", Command::kBackup, "/f/b", "/e/b", "/x/b", "/f/b", "/e/b", "/x/b",
       d + "/.local/share/telemetry/backups"},
      {"TELEMETRY_BACKUP_KEEP_DAYS", Command::kBackup, "1", "2", "0", "1", "2", "0", "7"},
      {"TELEMETRY_BACKUP_KEEP_LAST", Command::kBackup, "1", "2", "3", "1", "2", "3", "0"},
      {"TELEMETRY_LOG_LEVEL", Command::kMigrate, "debug", "WARN", "error", "debug", "warning", "error", "info"},
      {"TELEMETRY_LOG_FORMAT", Command::kMigrate, "json", "text", "JSON", "json", "logfmt", "json", "logfmt"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto check = [&](bool flag, bool env, bool file, const std::string& shown, const std::string& source) {
      ConfigInputs inputs = s.inputs;
      if (flag) inputs.flags[row.name] = row.flag;
      if (env) inputs.environment[row.name] = row.env;
      s.env_file(file ? "# settings\n" + row.name + "=" + row.file + "\n" : "");
      ConfigResult result = resolve_config(inputs, row.command);
      INFO(joined(result.errors));
      REQUIRE(result.ok());
      const auto* entry = origin(result.config, row.name);
      REQUIRE(entry != nullptr);
      CHECK(entry->value == shown);
      CHECK(entry->source == source);
    };
    check(true, true, true, row.shown_flag, "flag");
    check(false, true, true, row.shown_env, "env");
    check(false, false, true, row.shown_file, ".env:2");
    check(false, false, false, row.shown_default, "default");
  }
}

TEST_CASE("resolved values land in the typed fields") {
  Setup s;
  s.inputs.flags = {{"TELEMETRY_API_PORT", "9000"}, {"TELEMETRY_RATE_LIMIT_ENABLED", "true"}};
  s.inputs.environment["TELEMETRY_MAX_BODY_BYTES"] = "1073741824";
  s.env_file("TELEMETRY_HTTP_THREADS=4\nTELEMETRY_RETENTION_DAYS=30\nTELEMETRY_DB_JOURNAL_MODE=wal\n");
  ConfigResult result = s.resolve(Command::kServe);
  REQUIRE(result.ok());
  const Config& c = result.config;
  CHECK(c.api_port == 9000);
  CHECK(c.rate_limit_enabled);
  CHECK(c.max_body_bytes == 1073741824);
  CHECK(c.http_threads == 4);
  CHECK(c.retention_days == 30);
  CHECK(journal_mode_name(c.journal_mode) == "WAL");
  CHECK(synchronous_name(c.synchronous) == "FULL");
  CHECK(c.api_url == "http://127.0.0.1:9000");
}

TEST_CASE("an empty value counts as not set, at every level") {
  Setup s;
  s.inputs.flags["TELEMETRY_API_PORT"] = "";
  s.inputs.environment["TELEMETRY_API_PORT"] = "";
  s.env_file("TELEMETRY_API_PORT=7000\nTELEMETRY_HTTP_THREADS=\n");
  ConfigResult result = s.resolve();
  REQUIRE(result.ok());
  CHECK(result.config.api_port == 7000);
  CHECK(result.config.http_threads == 16);
  CHECK(origin(result.config, "TELEMETRY_HTTP_THREADS")->source == "default");
}

// ---- env file choice -----------------------------------------------------

TEST_CASE("--env-file replaces ./.env and is resolved against the working directory") {
  Setup s;
  s.env_file("TELEMETRY_API_PORT=1111\nTELEMETRY_HTTP_THREADS=3\n");
  s.dir.write("custom.env", "# custom\nTELEMETRY_API_PORT=2222\n");
  s.inputs.env_file = "custom.env";
  ConfigResult result = s.resolve();
  REQUIRE(result.ok());
  CHECK(result.config.api_port == 2222);
  CHECK(origin(result.config, "TELEMETRY_API_PORT")->source == "custom.env:2");
  CHECK(result.config.http_threads == 16);  // ./.env was not read at all
}

TEST_CASE("a missing --env-file is an error, a missing ./.env is not") {
  Setup s;
  CHECK(s.resolve().ok());
  s.inputs.env_file = "missing.env";
  ConfigResult result = s.resolve();
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0] == "cannot read env file missing.env: No such file or directory");
}

TEST_CASE("an unreadable ./.env is an error") {
  Setup s;
  std::filesystem::create_directory(s.dir / ".env");  // exists but cannot be read as a file
  ConfigResult result = s.resolve();
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[0] == "cannot read env file .env: Is a directory");
  CHECK(result.errors[1] == (s.dir.path() + "/.env") + " is read because it is in the current folder; if it is "
                            "not meant for telemetry, pass --no-env-file (or --env-file PATH to read another file)");
}

TEST_CASE("--no-env-file reads no env file") {
  Setup s;
  s.env_file("TELEMETRY_API_PORT=1111\nnot a line\n");
  s.inputs.no_env_file = true;
  ConfigResult result = s.resolve();
  REQUIRE(result.ok());
  CHECK(result.config.api_port == 8765);
}

TEST_CASE("env file syntax errors are configuration errors naming file and line") {
  Setup s;
  s.env_file("TELEMETRY_API_PORT=1\nbroken\nTELEMETRY_API_HOST='x\n");
  ConfigResult result = s.resolve();
  REQUIRE(result.errors.size() == 3);
  CHECK(std::vector<std::string>(result.errors.begin(), result.errors.begin() + 2) ==
        std::vector<std::string>{".env:2: expected KEY=VALUE", ".env:3: unterminated single quote"});
  CHECK(result.config.api_port == 1);  // the good lines still count, so every problem is reported
}

TEST_CASE("a bad ./.env says where it is, why it is read and how to skip it") {
  Setup s;
  s.env_file("# another project's file\nexport PATH=$PATH:/opt/x\nnot a setting\n");
  ConfigResult result = s.resolve();
  REQUIRE(!result.errors.empty());
  CHECK(result.errors.back() == (s.dir.path() + "/.env") +
                                    " is read because it is in the current folder; if it is not meant for telemetry, "
                                    "pass --no-env-file (or --env-file PATH to read another file)");
}

TEST_CASE("a file named with --env-file gets no ./.env hint") {
  Setup s;
  s.dir.write("other.env", "broken\n", 0600);
  s.inputs.env_file = "other.env";
  CHECK(s.resolve().errors == std::vector<std::string>{"other.env:1: expected KEY=VALUE"});
}

TEST_CASE("the env file supplies settings only: the process environment is untouched") {
  Setup s;
  s.env_file("TELEMETRY_UTIL_TEST_MARKER=1\nHOME=/elsewhere\n");
  ConfigResult result = s.resolve(Command::kMigrate);
  REQUIRE(result.ok());
  CHECK(std::getenv("TELEMETRY_UTIL_TEST_MARKER") == nullptr);
  // HOME from the env file does not feed the default database path either.
  CHECK(result.config.db_path == s.dir.path() + "/.local/share/telemetry/telemetry.sqlite");
}

// ---- validation messages -------------------------------------------------

TEST_CASE("the two messages of docs/reference/configuration.md §1, verbatim") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_PORT"] = "abc";
  s.env_file("# 1\n# 2\n# 3\nTELEMETRY_DB_JOURNAL_MODE=memory\n");
  ConfigResult result = s.resolve();
  CHECK(contains(result.errors, "TELEMETRY_API_PORT=abc (environment): not an integer"));
  CHECK(contains(result.errors,
                 "TELEMETRY_DB_JOURNAL_MODE=memory (.env:4): must be DELETE, TRUNCATE, PERSIST or WAL"));
  CHECK(result.errors.size() == 2);
}

TEST_CASE("bad flag values are flag errors (usage, exit 64), not configuration errors") {
  Setup s;
  s.inputs.flags["TELEMETRY_RATE_LIMIT_ENABLED"] = "maybe";
  s.inputs.flags["TELEMETRY_API_PORT"] = "abc";
  ConfigResult result = s.resolve();
  CHECK(result.errors.empty());
  CHECK_FALSE(result.ok());
  REQUIRE(result.flag_errors.size() == 2);
  CHECK(result.flag_errors[0].variable == "TELEMETRY_API_PORT");
  CHECK(result.flag_errors[0].value == "abc");
  CHECK(result.flag_errors[0].problem == "not an integer; expected a whole number from 0 to 65535");
  CHECK(result.flag_errors[1].variable == "TELEMETRY_RATE_LIMIT_ENABLED");
  CHECK(result.flag_errors[1].problem == "must be true, false, 1, 0, yes, no, on or off");
}

struct RangeRow {
  std::string name;
  Command command;
  long long min, max;
};

TEST_CASE("every integer setting: range limits accepted, one beyond refused with the range") {
  const std::vector<RangeRow> rows = {
      {"TELEMETRY_DB_BUSY_TIMEOUT_MS", Command::kCheck, 0, 3600000},
      {"TELEMETRY_API_PORT", Command::kServe, 0, 65535},
      {"TELEMETRY_RATE_LIMIT_RPM", Command::kServe, 1, 1000000},
      {"TELEMETRY_MAX_BODY_BYTES", Command::kIngestBuffer, 1024, 1073741824},
      {"TELEMETRY_BATCH_MAX", Command::kServe, 1, 1000},
      {"TELEMETRY_HTTP_THREADS", Command::kServe, 1, 1024},
      {"TELEMETRY_HTTP_READ_TIMEOUT_SECONDS", Command::kServe, 1, 3600},
      {"TELEMETRY_HTTP_KEEPALIVE_SECONDS", Command::kServe, 0, 3600},
      {"TELEMETRY_HTTP_MAX_CONNECTIONS", Command::kServe, 0, 10000000},
      {"TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS", Command::kServe, 0, 10000000},
      {"TELEMETRY_HTTP_MAX_HEADER_BYTES", Command::kServe, 1024, 16777216},
      {"TELEMETRY_RETENTION_DAYS", Command::kServe, 0, 36500},
      {"TELEMETRY_BACKUP_KEEP_DAYS", Command::kBackup, 0, 36500},
      {"TELEMETRY_BACKUP_KEEP_LAST", Command::kBackup, 0, 100000},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    for (long long good : {row.min, row.max}) {
      Setup s;
      s.inputs.environment[row.name] = std::to_string(good);
      ConfigResult result = s.resolve(row.command);
      INFO(joined(result.errors));
      CHECK(result.ok());
      CHECK(origin(result.config, row.name)->value == std::to_string(good));
    }
    for (long long bad : {row.min - 1, row.max + 1}) {
      Setup s;
      s.inputs.environment[row.name] = std::to_string(bad);
      ConfigResult result = s.resolve(row.command);
      CHECK(result.errors == std::vector<std::string>{row.name + "=" + std::to_string(bad) +
                                                      " (environment): must be between " +
                                                      std::to_string(row.min) + " and " + std::to_string(row.max)});
    }
    Setup s;
    s.inputs.environment[row.name] = "10 ";
    CHECK(s.resolve(row.command).errors ==
          std::vector<std::string>{row.name + "=10  (environment): not an integer"});
  }
}

TEST_CASE("enumeration and boolean settings name the accepted words") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"TELEMETRY_DB_JOURNAL_MODE", "must be DELETE, TRUNCATE, PERSIST or WAL"},
      {"TELEMETRY_DB_SYNCHRONOUS", "must be EXTRA, FULL, NORMAL or OFF (or 3, 2, 1, 0)"},
      {"TELEMETRY_LOG_LEVEL", "must be debug, info, warning, error or critical"},
      {"TELEMETRY_LOG_FORMAT", "must be logfmt, text or json"},
      {"TELEMETRY_API_AUTH_ENABLED", "must be true, false, 1, 0, yes, no, on or off"},
      {"TELEMETRY_RATE_LIMIT_ENABLED", "must be true, false, 1, 0, yes, no, on or off"},
      {"TELEMETRY_API_HOST", "must be an IPv4 or IPv6 address or a host name"},
  };
  for (const auto& [name, reason] : rows) {
    Setup s;
    s.inputs.environment[name] = "bad value";
    CHECK(s.resolve().errors == std::vector<std::string>{name + "=bad value (environment): " + reason});
  }
}

TEST_CASE("journal modes MEMORY and OFF are refused") {
  for (const char* mode : {"MEMORY", "off"}) {
    Setup s;
    s.inputs.flags["TELEMETRY_DB_JOURNAL_MODE"] = mode;
    ConfigResult result = s.resolve();
    REQUIRE(result.flag_errors.size() == 1);
    CHECK(result.flag_errors[0].problem == "must be DELETE, TRUNCATE, PERSIST or WAL");
  }
}

TEST_CASE("every problem is reported, one line each") {
  Setup s;
  s.inputs.environment = {{"HOME", s.dir.path()},          {"TELEMETRY_API_PORT", "x"},
                          {"TELEMETRY_HTTP_THREADS", "0"}, {"TELEMETRY_LOG_FORMAT", "xml"},
                          {"TELEMETRY_API_WORKERS", "4"},  {"TELEMETRY_DB_SYNCHRONOUS", "5"}};
  CHECK(s.resolve().errors.size() == 5);
}

TEST_CASE("TELEMETRY_API_WORKERS other than 1 gives the single-writer message") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_WORKERS"] = "2";
  CHECK(s.resolve().errors ==
        std::vector<std::string>{"TELEMETRY_API_WORKERS=2: telemetry serve is a single-writer service and runs "
                                 "exactly one worker; remove the setting or set it to 1"});
  s.inputs.environment["TELEMETRY_API_WORKERS"] = "four";
  CHECK(s.resolve().errors.size() == 1);
  s.inputs.environment["TELEMETRY_API_WORKERS"] = "1";
  CHECK(s.resolve().ok());
  // Only serve uses it.
  s.inputs.environment["TELEMETRY_API_WORKERS"] = "2";
  CHECK(s.resolve(Command::kIngestBuffer).ok());
}

TEST_CASE("a command checks only the settings it uses") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_PORT"] = "abc";
  s.inputs.environment["TELEMETRY_DB_JOURNAL_MODE"] = "memory";
  s.inputs.environment["TELEMETRY_BACKUP_KEEP_DAYS"] = "-1";
  s.inputs.environment["TELEMETRY_RATE_LIMIT_RPM"] = "0";
  CHECK(s.resolve(Command::kCheck).ok());
  CHECK(s.resolve(Command::kMetrics).ok());
  CHECK(s.resolve(Command::kMigrate).ok());  // migrate leaves the journal mode alone
  CHECK(s.resolve(Command::kBackup).errors.size() == 1);         // keep days
  CHECK(s.resolve(Command::kPrune).errors.size() == 1);          // journal mode
  CHECK(s.resolve(Command::kBackupRestore).errors.size() == 1);  // journal mode
  CHECK(s.resolve(Command::kIngestBuffer).errors.size() == 2);   // port, journal mode
  CHECK(s.resolve(Command::kServe).errors.size() == 3);          // port, journal mode, rpm

  Setup t;
  t.inputs.environment["TELEMETRY_DB_SYNCHRONOUS"] = "sometimes";
  t.inputs.environment["TELEMETRY_DB_BUSY_TIMEOUT_MS"] = "-5";
  CHECK(t.resolve(Command::kCheck).errors.size() == 1);    // busy timeout: every connection
  CHECK(t.resolve(Command::kMigrate).errors.size() == 2);  // and synchronous: it writes
  CHECK(t.resolve(Command::kBackup).errors.size() == 2);   // writes the backup copy
}

TEST_CASE("journal mode and synchronous are normalised to upper case names") {
  Setup s;
  s.inputs.environment["TELEMETRY_DB_JOURNAL_MODE"] = "wal";
  for (auto [given, name] : std::vector<std::pair<std::string, std::string>>{
           {"0", "OFF"}, {"1", "NORMAL"}, {"2", "FULL"}, {"3", "EXTRA"}, {"normal", "NORMAL"}, {"Full", "FULL"}}) {
    s.inputs.environment["TELEMETRY_DB_SYNCHRONOUS"] = given;
    ConfigResult result = s.resolve();
    REQUIRE(result.ok());
    CHECK(journal_mode_name(result.config.journal_mode) == "WAL");
    CHECK(synchronous_name(result.config.synchronous) == name);
  }
}

TEST_CASE("synchronous below FULL and a short busy timeout are allowed with warnings") {
  Setup s;
  s.inputs.environment["TELEMETRY_DB_SYNCHRONOUS"] = "NORMAL";
  ConfigResult normal = s.resolve();
  REQUIRE(normal.ok());
  CHECK(contains(normal.config.warnings,
                 "TELEMETRY_DB_SYNCHRONOUS=NORMAL is below FULL: in WAL mode, acknowledged writes can be lost on "
                 "power failure"));
  s.inputs.environment["TELEMETRY_DB_SYNCHRONOUS"] = "0";
  ConfigResult off = s.resolve();
  REQUIRE(off.ok());
  CHECK(any_contains(off.config.warnings, "can be lost on any operating-system crash, and in rollback-journal "
                                          "modes the file can be corrupted"));
  s.inputs.environment["TELEMETRY_DB_SYNCHRONOUS"] = "EXTRA";
  CHECK(s.resolve().config.warnings.empty());

  Setup t;
  t.inputs.environment["TELEMETRY_DB_BUSY_TIMEOUT_MS"] = "999";
  ConfigResult low = t.resolve(Command::kCheck);
  REQUIRE(low.ok());
  CHECK(low.config.busy_timeout_ms == 999);
  CHECK(any_contains(low.config.warnings, "TELEMETRY_DB_BUSY_TIMEOUT_MS=999 is below 1000"));
  t.inputs.environment["TELEMETRY_DB_BUSY_TIMEOUT_MS"] = "1000";
  CHECK(t.resolve(Command::kCheck).config.warnings.empty());
}

TEST_CASE("serve accepts a host name that resolves, and a bracketed IPv6 literal") {
  Setup s;
  s.inputs.flags["TELEMETRY_API_HOST"] = "localhost";
  ConfigResult named = s.resolve();
  REQUIRE(named.ok());
  CHECK(named.config.api_host == "localhost");
  s.inputs.flags["TELEMETRY_API_HOST"] = "[::1]";
  ConfigResult bracketed = s.resolve();
  REQUIRE(bracketed.ok());
  CHECK(bracketed.config.api_host == "::1");
  CHECK(bracketed.config.api_url == "http://[::1]:8765");
}

// ---- tokens ----------------------------------------------------------------

TEST_CASE("token rules: auth on with exactly one token source is active") {
  Setup s;
  s.inputs.flags["TELEMETRY_API_AUTH_ENABLED"] = "true";
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "0123456789abcdef";
  ConfigResult direct = s.resolve();
  REQUIRE(direct.ok());
  CHECK(direct.config.auth_enabled);
  CHECK(direct.config.auth_token == std::string("0123456789abcdef"));
  CHECK(direct.config.warnings.empty());

  s.inputs.environment.erase("TELEMETRY_API_AUTH_TOKEN");
  s.dir.write("token", "from-the-file-0123456789\r\n", 0600);
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN_FILE"] = "token";
  ConfigResult from_file = s.resolve();
  REQUIRE(from_file.ok());
  CHECK(from_file.config.auth_token == std::string("from-the-file-0123456789"));
  CHECK(from_file.config.warnings.empty());
  CHECK(origin(from_file.config, "TELEMETRY_API_AUTH_TOKEN_FILE")->value == s.dir / "token");
}

TEST_CASE("token rules: auth on without a token") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "1";
  CHECK(s.resolve().errors ==
        std::vector<std::string>{"TELEMETRY_API_AUTH_ENABLED is true but no token is set; set "
                                 "TELEMETRY_API_AUTH_TOKEN_FILE or TELEMETRY_API_AUTH_TOKEN"});
}

TEST_CASE("token rules: a missing, empty or malformed token file names the file") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "on";
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN_FILE"] = "/nonexistent/token";
  CHECK(s.resolve().errors == std::vector<std::string>{"TELEMETRY_API_AUTH_TOKEN_FILE=/nonexistent/token "
                                                       "(environment): cannot read the file: No such file or "
                                                       "directory"});
  std::string empty = s.dir.write("empty", "\n\n", 0600);
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN_FILE"] = empty;
  CHECK(s.resolve().errors ==
        std::vector<std::string>{"TELEMETRY_API_AUTH_TOKEN_FILE=" + empty + " (environment): the file holds no token"});
  std::string spaced = s.dir.write("spaced", "two words\n", 0600);
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN_FILE"] = spaced;
  CHECK(s.resolve().errors == std::vector<std::string>{"TELEMETRY_API_AUTH_TOKEN_FILE=" + spaced +
                                                       " (environment): the token in the file contains whitespace"});
}

TEST_CASE("token rules: both token settings at one level are ambiguous") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "0123456789abcdef";
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN_FILE"] = "/nonexistent";
  CHECK(s.resolve().errors ==
        std::vector<std::string>{"TELEMETRY_API_AUTH_TOKEN (environment) and TELEMETRY_API_AUTH_TOKEN_FILE "
                                 "(environment) are both set at the same level; set only one"});

  Setup t;
  t.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
  t.env_file("TELEMETRY_API_AUTH_TOKEN=0123456789abcdef\nTELEMETRY_API_AUTH_TOKEN_FILE=/x\n");
  CHECK(t.resolve().errors ==
        std::vector<std::string>{"TELEMETRY_API_AUTH_TOKEN (.env:1) and TELEMETRY_API_AUTH_TOKEN_FILE (.env:2) are "
                                 "both set at the same level; set only one"});
}

TEST_CASE("token rules: at different levels the stronger source wins") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "env-token-0123456789";
  s.env_file("TELEMETRY_API_AUTH_TOKEN_FILE=/nonexistent\n");  // weaker: never read
  ConfigResult env_wins = s.resolve();
  REQUIRE(env_wins.ok());
  CHECK(env_wins.config.auth_token == std::string("env-token-0123456789"));

  s.dir.write("flag-token", "flag-token-0123456789", 0600);
  s.inputs.flags["TELEMETRY_API_AUTH_TOKEN_FILE"] = "flag-token";
  ConfigResult flag_wins = s.resolve();
  REQUIRE(flag_wins.ok());
  CHECK(flag_wins.config.auth_token == std::string("flag-token-0123456789"));
}

TEST_CASE("token rules: a token with auth off is ignored with a warning") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "0123456789abcdef";
  ConfigResult result = s.resolve();
  REQUIRE(result.ok());
  CHECK_FALSE(result.config.auth_enabled);
  CHECK_FALSE(result.config.auth_token.has_value());
  CHECK(contains(result.config.warnings, "TELEMETRY_API_AUTH_TOKEN is set but TELEMETRY_API_AUTH_ENABLED is false: "
                                         "the token is ignored and requests are not authenticated"));
}

TEST_CASE("token values: whitespace refused without showing the token, short ones warned") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "secret with space";
  ConfigResult spaced = s.resolve();
  CHECK(spaced.errors == std::vector<std::string>{"TELEMETRY_API_AUTH_TOKEN=***REDACTED*** (environment): must not "
                                                  "contain whitespace"});
  CHECK_FALSE(any_contains(spaced.errors, "secret"));

  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "short";
  ConfigResult short_token = s.resolve();
  REQUIRE(short_token.ok());
  CHECK(any_contains(short_token.config.warnings, "shorter than 16 characters"));
}

TEST_CASE("token files and env files holding the token warn when group or others can read them") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
  std::string token = s.dir.write("token", "0123456789abcdef\n", 0644);
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN_FILE"] = token;
  ConfigResult file_result = s.resolve();
  REQUIRE(file_result.ok());
  CHECK(contains(file_result.config.warnings,
                 "token file " + token + " is readable by group or others; restrict it with chmod 600"));

  Setup t;
  t.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
  t.env_file("TELEMETRY_API_AUTH_TOKEN=0123456789abcdef\n", 0640);
  ConfigResult open_env = t.resolve();
  REQUIRE(open_env.ok());
  CHECK(contains(open_env.config.warnings, "env file .env holds TELEMETRY_API_AUTH_TOKEN and is readable by group "
                                           "or others; restrict it with chmod 600"));
  t.env_file("TELEMETRY_API_AUTH_TOKEN=0123456789abcdef\n", 0600);
  CHECK(t.resolve().config.warnings.empty());
}

TEST_CASE("clients send a configured token; check and metrics only with --url") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "client-token-0123456789";
  ConfigResult ingest = s.resolve(Command::kIngestBuffer);
  REQUIRE(ingest.ok());
  CHECK(ingest.config.auth_token == std::string("client-token-0123456789"));
  CHECK(ingest.config.warnings.empty());

  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN_FILE"] = "/also/set";  // ambiguous, but unused without --url
  CHECK(s.resolve(Command::kCheck).ok());
  CHECK_FALSE(s.resolve(Command::kCheck).config.auth_token.has_value());
  s.inputs.flags["TELEMETRY_API_URL"] = "http://127.0.0.1:9999";
  CHECK(s.resolve(Command::kCheck).errors.size() == 1);
  CHECK(s.resolve(Command::kMetrics).errors.size() == 1);
  s.inputs.environment.erase("TELEMETRY_API_AUTH_TOKEN_FILE");
  ConfigResult check = s.resolve(Command::kCheck);
  REQUIRE(check.ok());
  CHECK(check.config.auth_token == std::string("client-token-0123456789"));
  CHECK(check.config.api_url == "http://127.0.0.1:9999");
}

// ---- names that are not settings ----------------------------------------

TEST_CASE("unknown TELEMETRY_ names warn once each; recognised ones are debug notes") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_PROT"] = "8000";
  s.inputs.environment["TELEMETRY_DB_MAX_RETRIES"] = "3";
  s.inputs.environment["METRICS_API_TOKEN"] = "x";
  s.inputs.environment["PATH"] = "/usr/bin";
  s.env_file("TELEMETRY_API_PROT=1\nTELEMETRY_TYPO=2\nAGENT_OWNER=me\nOTHER_THING=1\n");
  ConfigResult result = s.resolve(Command::kMigrate);
  REQUIRE(result.ok());
  std::vector<std::string> warnings = result.config.warnings;
  std::sort(warnings.begin(), warnings.end());
  CHECK(warnings == std::vector<std::string>{"unknown setting TELEMETRY_API_PROT ignored",
                                             "unknown setting TELEMETRY_TYPO ignored"});
  CHECK(result.config.debug_notes.size() == 3);
  CHECK(any_contains(result.config.debug_notes, "TELEMETRY_DB_MAX_RETRIES (environment)"));
  CHECK(any_contains(result.config.debug_notes, "AGENT_OWNER (.env:3)"));
  CHECK(any_contains(result.config.debug_notes, "METRICS_API_TOKEN"));
}

// ---- logging settings ------------------------------------------------------

TEST_CASE("log level: TELEMETRY_LOG_LEVEL, else LOG_LEVEL, per source") {
  Setup s;
  s.inputs.environment["LOG_LEVEL"] = "error";
  ConfigResult plain = s.resolve(Command::kCheck);
  CHECK(plain.config.log_level == "error");
  CHECK(origin(plain.config, "LOG_LEVEL")->source == "env");

  s.inputs.environment["TELEMETRY_LOG_LEVEL"] = "debug";
  CHECK(s.resolve(Command::kCheck).config.log_level == "debug");  // same source: TELEMETRY_ wins

  s.inputs.environment.erase("TELEMETRY_LOG_LEVEL");
  s.env_file("TELEMETRY_LOG_LEVEL=critical\n");
  CHECK(s.resolve(Command::kCheck).config.log_level == "error");  // environment beats the env file

  s.inputs.environment["LOG_LEVEL"] = "loud";
  CHECK(s.resolve(Command::kCheck).errors ==
        std::vector<std::string>{"LOG_LEVEL=loud (environment): must be debug, info, warning, error or critical"});
}

// ---- defaults ---------------------------------------------------------------

TEST_CASE("default database path: XDG_DATA_HOME when absolute, else HOME, else an error") {
  Setup s;
  s.inputs.environment = {{"HOME", "/home/u"}, {"XDG_DATA_HOME", "/data/xdg"}};
  ConfigResult xdg = s.resolve(Command::kCheck);
  CHECK(xdg.config.db_path == "/data/xdg/telemetry/telemetry.sqlite");
  CHECK(xdg.config.lock_file == "/data/xdg/telemetry/telemetry.sqlite.lock");

  s.inputs.environment["XDG_DATA_HOME"] = "relative/xdg";
  CHECK(s.resolve(Command::kCheck).config.db_path == "/home/u/.local/share/telemetry/telemetry.sqlite");
  s.inputs.environment["XDG_DATA_HOME"] = "";
  CHECK(s.resolve(Command::kCheck).config.db_path == "/home/u/.local/share/telemetry/telemetry.sqlite");

  const std::string message = "cannot determine the default database path; set TELEMETRY_DB_PATH or --db";
  s.inputs.environment = {};
  CHECK(s.resolve(Command::kCheck).errors == std::vector<std::string>{message});
  s.inputs.environment = {{"HOME", ""}};
  CHECK(s.resolve(Command::kCheck).errors == std::vector<std::string>{message});

  s.inputs.flags["TELEMETRY_DB_PATH"] = "db/t.sqlite";
  ConfigResult flagged = s.resolve(Command::kCheck);
  REQUIRE(flagged.ok());
  CHECK(flagged.config.db_path == s.dir / "db/t.sqlite");
}

TEST_CASE("derived defaults: lock file, backup directory, buffer directory") {
  Setup s;
  s.inputs.environment["TELEMETRY_DB_PATH"] = "/srv/t/telemetry.sqlite";
  ConfigResult backup = s.resolve(Command::kBackup);
  REQUIRE(backup.ok());
  CHECK(backup.config.lock_file == "/srv/t/telemetry.sqlite.lock");
  CHECK(backup.config.backup_dir == "/srv/t/backups");
  CHECK(backup.config.buffer_dir == s.dir / "telemetry_buffer");

  s.inputs.environment["TELEMETRY_BACKUP_DIR"] = "./copies/../bk";
  CHECK(s.resolve(Command::kBackup).config.backup_dir == s.dir / "bk");
}

TEST_CASE("service URL: derived from host and port, or TELEMETRY_API_URL") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_HOST"] = "0.0.0.0";
  s.inputs.environment["TELEMETRY_API_PORT"] = "9000";
  CHECK(s.resolve(Command::kIngestBuffer).config.api_url == "http://127.0.0.1:9000");
  CHECK(s.resolve(Command::kServe).config.api_url == "http://127.0.0.1:9000");
  s.inputs.environment["TELEMETRY_API_HOST"] = "::";
  CHECK(s.resolve(Command::kIngestBuffer).config.api_url == "http://[::1]:9000");
  s.inputs.environment["TELEMETRY_API_HOST"] = "fe80::1";
  CHECK(s.resolve(Command::kIngestBuffer).config.api_url == "http://[fe80::1]:9000");

  s.inputs.environment["TELEMETRY_API_URL"] = "https://metrics.example.org/";
  ConfigResult given = s.resolve(Command::kIngestBuffer);
  REQUIRE(given.ok());
  CHECK(given.config.api_url == "https://metrics.example.org");

  s.inputs.environment["TELEMETRY_API_URL"] = "http://metrics.example.org/api/v1";
  CHECK(s.resolve(Command::kIngestBuffer).errors ==
        std::vector<std::string>{"TELEMETRY_API_URL=http://metrics.example.org/api/v1 (environment): must be an "
                                 "http:// or https:// URL with a host, an optional port and no path"});
  // serve listens on host/port; TELEMETRY_API_URL is not its setting.
  s.inputs.environment["TELEMETRY_API_HOST"] = "127.0.0.1";
  CHECK(s.resolve(Command::kServe).ok());
}

// ---- start-up report ---------------------------------------------------------

TEST_CASE("the report lists every setting the command uses, in order, token redacted") {
  Setup s;
  s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
  s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "very-secret-token-123";
  ConfigResult serve = s.resolve(Command::kServe);
  REQUIRE(serve.ok());
  std::vector<std::string> names;
  for (const auto& entry : serve.config.report) {
    names.push_back(entry.name);
    CHECK(entry.value.find("very-secret") == std::string::npos);
  }
  CHECK(names == std::vector<std::string>{
                     "TELEMETRY_DB_PATH", "TELEMETRY_LOCK_FILE", "TELEMETRY_DB_JOURNAL_MODE",
                     "TELEMETRY_DB_SYNCHRONOUS", "TELEMETRY_DB_BUSY_TIMEOUT_MS", "TELEMETRY_API_HOST",
                     "TELEMETRY_API_PORT", "TELEMETRY_API_WORKERS", "TELEMETRY_API_AUTH_ENABLED",
                     "TELEMETRY_RATE_LIMIT_ENABLED", "TELEMETRY_RATE_LIMIT_RPM", "TELEMETRY_HTTP_THREADS",
                     "TELEMETRY_HTTP_READ_TIMEOUT_SECONDS", "TELEMETRY_HTTP_KEEPALIVE_SECONDS",
                     "TELEMETRY_HTTP_MAX_CONNECTIONS", "TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
                     "TELEMETRY_HTTP_MAX_HEADER_BYTES", "TELEMETRY_RETENTION_DAYS", "TELEMETRY_METRICS_MAX_AGENTS",
                     "TELEMETRY_API_ALLOW_UNAUTHENTICATED", "TELEMETRY_MAX_BODY_BYTES", "TELEMETRY_BATCH_MAX",
                     "TELEMETRY_API_AUTH_TOKEN", "TELEMETRY_API_AUTH_TOKEN_FILE", "TELEMETRY_LOG_LEVEL",
                     "TELEMETRY_LOG_FORMAT"});
  const auto* token = origin(serve.config, "TELEMETRY_API_AUTH_TOKEN");
  CHECK(token->value == "***REDACTED***");
  CHECK(token->source == "env");

  ConfigResult migrate = s.resolve(Command::kMigrate);
  CHECK(origin(migrate.config, "TELEMETRY_API_PORT") == nullptr);
  CHECK(origin(migrate.config, "TELEMETRY_DB_JOURNAL_MODE") == nullptr);
  CHECK(origin(migrate.config, "TELEMETRY_DB_SYNCHRONOUS") != nullptr);
}

TEST_CASE("current_environment reads the process environment") {
  ::setenv("TELEMETRY_UTIL_TEST_CURRENT", "a=b", 1);
  auto environment = telemetry::current_environment();
  CHECK(environment.at("TELEMETRY_UTIL_TEST_CURRENT") == "a=b");
  ::unsetenv("TELEMETRY_UTIL_TEST_CURRENT");
  CHECK(telemetry::current_environment().count("TELEMETRY_UTIL_TEST_CURRENT") == 0);
}

TEST_CASE("serve refuses a non-loopback host with auth off unless allowed, then warns") {
  const std::string refused =
      " (not a loopback address) without authentication is refused; turn authentication on "
      "(TELEMETRY_API_AUTH_ENABLED=true and TELEMETRY_API_AUTH_TOKEN_FILE), listen on 127.0.0.1, or allow it "
      "explicitly with --allow-unauthenticated (TELEMETRY_API_ALLOW_UNAUTHENTICATED=true)";
  for (const std::string host : {"0.0.0.0", "::", "192.0.2.1", "fe80::1"}) {
    INFO(host);
    Setup s;
    s.inputs.environment["TELEMETRY_API_HOST"] = host;
    CHECK(s.resolve(Command::kServe).errors ==
          std::vector<std::string>{"TELEMETRY_API_HOST=" + host + " (environment): listening on " + host + refused});
    // Clients never listen: the same host is fine for ingest-buffer.
    CHECK(s.resolve(Command::kIngestBuffer).ok());
    s.inputs.flags["TELEMETRY_API_ALLOW_UNAUTHENTICATED"] = "true";
    ConfigResult allowed = s.resolve(Command::kServe);
    REQUIRE(allowed.ok());
    CHECK(allowed.config.allow_unauthenticated);
    CHECK(contains(allowed.config.warnings,
                   "listening on " + host + " (not a loopback address) without authentication, as "
                   "TELEMETRY_API_ALLOW_UNAUTHENTICATED allows: anyone who can reach the port can read and write runs"));
    s.inputs.flags.erase("TELEMETRY_API_ALLOW_UNAUTHENTICATED");
    s.inputs.environment["TELEMETRY_API_AUTH_ENABLED"] = "true";
    s.inputs.environment["TELEMETRY_API_AUTH_TOKEN"] = "a-token-long-enough-0123";
    ConfigResult with_auth = s.resolve(Command::kServe);
    CHECK(with_auth.ok());
    CHECK_FALSE(any_contains(with_auth.config.warnings, "without authentication"));
  }
  for (const std::string host : {"127.0.0.1", "127.9.8.7", "::1", "localhost", "[::1]"}) {
    INFO(host);
    Setup s;
    s.inputs.environment["TELEMETRY_API_HOST"] = host;
    ConfigResult result = s.resolve(Command::kServe);
    CHECK(result.ok());
    CHECK_FALSE(any_contains(result.config.warnings, "without authentication"));
  }
}
