// telemetry check: a list of named checks, each ok / warn / fail with a
// reason, and an exit code a cron job or container health check can use
// (0 all ok, 1 warnings only, 65 corruption or wrong schema, 66 missing
// database, 69 service unreachable; docs/reference/configuration.md §7).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/exit_status.h"
#include "db/backup/database_files.h"
#include "db/backup/integrity.h"
#include "db/backup/schema_facts.h"
#include "db/database.h"
#include "db/migrations/canonical.h"
#include "db/outside_database.h"
#include "db/schema.h"
#include "db/shape.h"
#include "http/connect_failure.h"
#include "util/file_sync.h"
#include "util/format_numbers.h"
#include "util/lock_file.h"

namespace telemetry::cli {
namespace {
namespace fs = std::filesystem;
using nlohmann::ordered_json;
using namespace telemetry::db::backup;

enum class Status { kOk, kWarn, kFail };

struct CheckResult {
  std::string name;
  Status status = Status::kOk;
  std::string reason;
  int exit_code = 0;  // for kFail: what this failure means (docs/reference/configuration.md §7)
};

const char* status_word(Status status) {
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kWarn: return "warn";
    case Status::kFail: return "fail";
  }
  return "fail";
}

// docs/reference/configuration.md §7.2: when several conditions apply, the first of 70, 74, 73, 78,
// 69, 75, 66, 65, 1 wins.
int overall_exit_code(const std::vector<CheckResult>& checks) {
  static const int kPrecedence[] = {exit_code::kSoftware, exit_code::kIoErr,      exit_code::kCantCreate,
                                    exit_code::kConfig,   exit_code::kUnavailable, exit_code::kTempFail,
                                    exit_code::kNoInput,  exit_code::kDataErr};
  for (int code : kPrecedence) {
    for (const CheckResult& check : checks) {
      if (check.status == Status::kFail && check.exit_code == code) return code;
    }
  }
  for (const CheckResult& check : checks) {
    if (check.status == Status::kFail) return exit_code::kSoftware;  // a failure without a code is a bug
  }
  for (const CheckResult& check : checks) {
    if (check.status == Status::kWarn) return exit_code::kWarnings;
  }
  return exit_code::kOk;
}

CheckResult ok(std::string name, std::string reason) { return {std::move(name), Status::kOk, std::move(reason), 0}; }
CheckResult warn(std::string name, std::string reason) {
  return {std::move(name), Status::kWarn, std::move(reason), 0};
}
CheckResult fail(std::string name, std::string reason, int code) {
  return {std::move(name), Status::kFail, std::move(reason), code};
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// What /health said, when --url was given and the service answered (the names as sent).
struct Health {
  std::string journal_mode, synchronous, db_path;
};

// ---- the checks -----------------------------------------------------------

CheckResult check_database_file(const std::string& path, bool& usable) {
  usable = false;
  std::error_code error;
  if (!fs::exists(path, error)) return fail("database_file", fmt::format("{} does not exist", path), exit_code::kNoInput);
  if (!fs::is_regular_file(path, error)) {
    return fail("database_file", fmt::format("{} is not a regular file", path), exit_code::kNoInput);
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return fail("database_file", fmt::format("cannot read {}", path), exit_code::kNoInput);
  }
  const auto size = fs::file_size(path, error);
  if (size == 0) {
    return warn("database_file", fmt::format("{} is empty; 'telemetry serve' creates the schema in it", path));
  }
  if (!has_sqlite_header(path)) {
    return fail("database_file", fmt::format("{} is not a SQLite database", path), exit_code::kDataErr);
  }
  usable = true;
  return ok("database_file", fmt::format("{} is a SQLite database", path));
}

CheckResult check_lock(const std::string& lock_file, const std::optional<LockHolder>& holder) {
  if (!holder) return ok("lock", fmt::format("no writer holds {}", lock_file));
  std::string who = fmt::format("{} (PID {} on {})", holder->describe_command(), holder->pid, holder->host);
  if (holder->command == "serve") {
    return ok("lock", fmt::format("held by {}{}", who, holder->url.empty() ? "" : " at " + holder->url));
  }
  return warn("lock", fmt::format("held by {}: a writer other than 'telemetry serve' is working on the database", who));
}

// Read before the database is opened: opening may create or remove these files.
CheckResult check_leftovers(const std::string& path, const std::optional<LockHolder>& holder) {
  const SideFiles files = side_files(path);
  if (files.journal && files.journal_has_header && !holder) {
    return warn("leftovers", fmt::format("{}-journal ({}) holds an unfinished transaction from an interrupted "
                                         "writer; the next writer rolls it back. Do not delete it",
                                         path, human_bytes(files.journal_bytes)));
  }
  if (files.wal && files.wal_bytes > 0 && !holder) {
    return warn("leftovers", fmt::format("{}-wal ({}) was not checkpointed (the last writer did not stop "
                                         "cleanly); the next connection applies it. Do not delete it",
                                         path, human_bytes(files.wal_bytes)));
  }
  std::vector<std::string> present;
  if (files.wal) present.push_back(fmt::format("-wal ({})", human_bytes(files.wal_bytes)));
  if (files.shm) present.push_back("-shm");
  if (files.journal) present.push_back(fmt::format("-journal ({}, inactive)", human_bytes(files.journal_bytes)));
  if (present.empty()) return ok("leftovers", "no -wal, -shm or -journal files");
  return ok("leftovers", fmt::format("{} {}", join(present), holder ? "in use by the lock holder" : "(nothing pending)"));
}

CheckResult check_integrity_of(db::Connection& connection, bool quick) {
  const char* name = quick ? "quick_check" : "integrity_check";
  IntegrityResult result = check_integrity(connection, quick);
  if (result.ok) return ok("integrity", fmt::format("{}: ok", name));
  std::string reason = fmt::format("{}: {}", name, result.problems.front());
  if (result.problems.size() > 1) reason += fmt::format(" (and {} more problems)", result.problems.size() - 1);
  return fail("integrity", reason + "; restore a verified backup ('telemetry backup list')", exit_code::kDataErr);
}

CheckResult check_schema(db::Connection& connection, db::ShapeReport& shape) {
  shape = db::detect_shape(connection);
  if (shape.id == db::Shape::kEmpty) {
    return warn("schema", "no telemetry tables yet; 'telemetry serve' creates the v7 schema");
  }
  if (shape.id == db::Shape::kUnknown) {
    return fail("schema", fmt::format("unknown schema: {}", shape.details), exit_code::kDataErr);
  }
  if (shape.id != db::Shape::kV7) {
    return fail("schema",
                fmt::format("shape {}: run 'telemetry migrate' to convert it to v7", db::shape_name(shape.id)),
                exit_code::kDataErr);
  }
  if (!db::event_id_is_unique(connection)) {
    return fail("schema", "shape v7 but event_id is not unique; run 'telemetry migrate'", exit_code::kDataErr);
  }
  const std::vector<std::string> others = other_tables(connection);
  const std::string other_text = others.empty() ? "" : fmt::format("; other tables (left alone): {}", join(others));
  // docs/reference/schema.md §2.1. The recorded version (rule 7) is the schema_version check's.
  std::vector<std::string> index_problems, table_problems;
  const db::migrations::CanonicalReport report = db::migrations::check_canonical(connection);
  for (const db::migrations::CanonicalDifference& difference : report.differences) {
    if (difference.kind == db::migrations::CanonicalDifference::Kind::kVersion) continue;
    (difference.kind == db::migrations::CanonicalDifference::Kind::kIndex ? index_problems : table_problems)
        .push_back(difference.message);
  }
  if (!table_problems.empty()) {
    return fail("schema", fmt::format("shape v7 but not canonical: {}; run 'telemetry migrate' to rebuild it",
                                      join(table_problems)),
                exit_code::kDataErr);
  }
  if (!index_problems.empty()) {
    return warn("schema", fmt::format("shape v7, but {} canonical index{} missing or different ({}); serve works "
                                      "but queries are slower. Run 'telemetry migrate' to recreate them{}",
                                      index_problems.size(), index_problems.size() == 1 ? " is" : "es are",
                                      join(index_problems), other_text));
  }
  return ok("schema", fmt::format("canonical v7 schema (docs/reference/schema.md §2.1) with the {} indexes{}",
                                  db::migrations::canonical_indexes().size(), other_text));
}

CheckResult check_schema_version(db::Connection& connection, const db::ShapeReport& shape) {
  const int version = db::recorded_schema_version(connection);
  if (version == 7) return ok("schema_version", "recorded version 7");
  if (shape.id == db::Shape::kEmpty) return warn("schema_version", "no version recorded yet");
  return fail("schema_version",
              fmt::format("recorded version {}, expected 7; run 'telemetry migrate'", version), exit_code::kDataErr);
}

CheckResult check_journal_mode(const std::string& path, const std::optional<Health>& health) {
  if (health) {
    return ok("journal_mode", fmt::format("{} in force on the service's write connection", health->journal_mode));
  }
  if (header_says_wal(path)) return ok("journal_mode", "WAL (recorded in the file)");
  return ok("journal_mode",
            "a rollback journal (DELETE, TRUNCATE or PERSIST are chosen by each writing connection; "
            "TELEMETRY_DB_JOURNAL_MODE, default DELETE); use --url to read the service's");
}

CheckResult check_synchronous(const std::optional<Health>& health) {
  if (!health) {
    return ok("synchronous", "not recorded in the file: each writing connection applies TELEMETRY_DB_SYNCHRONOUS "
                             "(default FULL); use --url to read the service's");
  }
  const std::optional<Synchronous> level = parse_synchronous(health->synchronous);
  if (level == Synchronous::kOff) {
    return warn("synchronous", "OFF on the service's write connection: acknowledged writes can be lost on an "
                               "operating-system crash and the file can be corrupted");
  }
  if (level == Synchronous::kNormal && parse_journal_mode(health->journal_mode) == JournalMode::kWal) {
    return warn("synchronous", "NORMAL in WAL mode on the service's write connection: acknowledged writes can be "
                               "lost on power failure");
  }
  return ok("synchronous", fmt::format("{} in force on the service's write connection", health->synchronous));
}

CheckResult check_database_size(db::Connection& connection) {
  const PageFacts pages = page_facts(connection);
  const auto bytes = static_cast<std::uint64_t>(pages.page_count * pages.page_size);
  const auto free_bytes = static_cast<std::uint64_t>(pages.freelist_count * pages.page_size);
  return ok("database_size", fmt::format("{} ({} pages of {} bytes), {} in free pages{}", human_bytes(bytes),
                                         with_thousands(pages.page_count), pages.page_size, human_bytes(free_bytes),
                                         free_bytes > bytes / 4 && free_bytes > 0
                                             ? " (reclaimable with 'telemetry prune --vacuum')"
                                             : ""));
}

CheckResult check_disk_space(const std::string& db_path) {
  const std::string directory = fs::path(db_path).parent_path().string();
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return warn("disk_space", fmt::format("{} does not exist", directory));
  }
  const std::uint64_t available = available_bytes(directory);
  const std::uint64_t database = fs::exists(db_path, error) ? fs::file_size(db_path, error) : 0;
  const std::uint64_t wanted = database + 64ull * 1024 * 1024;
  if (available < wanted) {
    return warn("disk_space", fmt::format("{} available in {}: less than the database ({}) plus 64 MiB; a backup "
                                          "or VACUUM beside it would not fit and writes may soon fail",
                                          human_bytes(available), directory, human_bytes(database)));
  }
  return ok("disk_space", fmt::format("{} available in {}", human_bytes(available), directory));
}

// `db_given`: the database path was set (flag, environment or env file). When
// it was not, the caller checks the database /health names (`served_db_path`).
CheckResult check_service(const Config& config, bool db_given, std::optional<Health>& health,
                          std::string& served_db_path) {
  httplib::Client client(config.api_url);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  httplib::Headers headers;
  if (config.auth_token) headers.emplace("Authorization", "Bearer " + *config.auth_token);
  httplib::Result result = client.Get("/health", headers);
  if (!result) {
    return fail("service", fmt::format("{} is unreachable: {}", config.api_url,
                                       http::describe_failure(config.api_url, result.error(), 5)),
                exit_code::kUnavailable);
  }
  ordered_json body = ordered_json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return fail("service", fmt::format("{}/health answered {} without a JSON body", config.api_url, result->status),
                exit_code::kUnavailable);
  }
  auto text = [&body](const char* key) {
    return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
  };
  served_db_path = text("db_path");
  if (result->status != 200 || text("status") != "ok") {
    return fail("service", fmt::format("{}/health answered {}: writer {}{}", config.api_url, result->status,
                                       text("writer"), text("writer_error").empty() ? "" : ": " + text("writer_error")),
                exit_code::kUnavailable);
  }
  health = Health{text("journal_mode"), text("synchronous"), text("db_path")};
  if (db_given && health->db_path != config.db_path) {
    return warn("service", fmt::format("{} is healthy (version {}) but serves {}, not {}", config.api_url,
                                       text("version"), health->db_path, config.db_path));
  }
  return ok("service", fmt::format("{} is healthy (version {}, writer ok)", config.api_url, text("version")));
}

// The checks that need an open connection. SQLite errors met on the way
// become one failed check rather than an aborted report.
void check_open_database(const Config& config, bool quick, const std::optional<Health>& health,
                         std::vector<CheckResult>& checks) {
  std::string current = "database_open";
  try {
    // The database may come from anywhere: nothing stored in it runs (outside_database.h).
    auto connection = db::open_outside_database(config.db_path, db::Connection::Mode::kReadOnly,
                                                config.busy_timeout_ms);
    current = "integrity";
    checks.push_back(check_integrity_of(*connection, quick));
    current = "schema";
    db::ShapeReport shape;
    checks.push_back(check_schema(*connection, shape));
    current = "schema_version";
    checks.push_back(check_schema_version(*connection, shape));
    checks.push_back(check_journal_mode(config.db_path, health));
    checks.push_back(check_synchronous(health));
    current = "database_size";
    checks.push_back(check_database_size(*connection));
  } catch (const db::SqliteError& error) {
    // Corruption found while reading is a data error (65); busy is 75; the
    // rest (I/O, permissions) an I/O error (74).
    const int code = exit_code_for(error);
    checks.push_back(fail(current, fmt::format("reading {}: {}", config.db_path, error.what()),
                          code == exit_code::kDataErr || code == exit_code::kTempFail ? code : exit_code::kIoErr));
  }
}

// True when `name` was set by a flag, the environment or an env file.
bool setting_given(const Config& config, const std::string& name) {
  return std::any_of(config.report.begin(), config.report.end(),
                     [&name](const Config::Origin& origin) { return origin.name == name && origin.source != "default"; });
}

int check(const FlagValues& flags, bool quick, bool json) {
  Config config = load_config(flags, Command::kCheck);
  const bool call_service = flags.settings.count("TELEMETRY_API_URL") > 0;
  std::vector<CheckResult> checks;

  // The service first, so journal mode and synchronous can be the ones in force.
  std::optional<Health> health;
  std::optional<CheckResult> service;
  if (call_service) {
    const bool db_given = setting_given(config, "TELEMETRY_DB_PATH");
    std::string served_db_path;
    service = check_service(config, db_given, health, served_db_path);
    // Without --db the database to check is the one the service reports, not
    // the default path (its lock file beside it unless one was set).
    if (!db_given && !served_db_path.empty() && served_db_path != config.db_path) {
      config.db_path = served_db_path;
      if (!setting_given(config, "TELEMETRY_LOCK_FILE")) config.lock_file = served_db_path + ".lock";
      checks.push_back(ok("database_path", fmt::format("{} (reported by {}/health)", served_db_path, config.api_url)));
    }
  }

  bool usable = false;
  checks.push_back(check_database_file(config.db_path, usable));
  const std::optional<LockHolder> holder = current_lock_holder(config.lock_file);
  checks.push_back(check_lock(config.lock_file, holder));
  if (usable) {
    checks.push_back(check_leftovers(config.db_path, holder));
    check_open_database(config, quick, health, checks);
  }
  checks.push_back(check_disk_space(config.db_path));
  if (service) checks.push_back(*service);

  const int code = overall_exit_code(checks);
  const auto count = [&checks](Status status) {
    return std::count_if(checks.begin(), checks.end(), [status](const CheckResult& c) { return c.status == status; });
  };
  if (json) {
    ordered_json list = ordered_json::array();
    for (const CheckResult& c : checks) list.push_back({{"name", c.name}, {"status", status_word(c.status)}, {"reason", c.reason}});
    const char* overall = count(Status::kFail) ? "fail" : count(Status::kWarn) ? "warn" : "ok";
    std::cout << ordered_json{{"db_path", config.db_path}, {"status", overall}, {"exit_code", code}, {"checks", list}}.dump()
              << "\n";
    return code;
  }
  for (const CheckResult& c : checks) {
    std::cout << fmt::format("{:<5} {:<15} {}\n", status_word(c.status), c.name, c.reason);
  }
  std::cout << fmt::format("check: {} ok, {} warning{}, {} failed\n", count(Status::kOk), count(Status::kWarn),
                           count(Status::kWarn) == 1 ? "" : "s", count(Status::kFail));
  return code;
}

}  // namespace

void register_check(CLI::App& app, RunCommand& run) {
  struct CheckFlags {
    FlagValues values;
    bool quick = false;
    bool json = false;
  };
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* command = app.add_subcommand("check", "Check the database (and the running service) for problems");
  add_global_flags(*command, flags->values);
  add_database_options(*command, flags->values, kBusyTimeout);
  command->add_flag("--quick", flags->quick, "quick_check instead of the full integrity_check");
  add_setting(*command, flags->values, "--url", "TELEMETRY_API_URL", "also check the service's /health at this URL");
  command->add_flag("--json", flags->json, "print the report as JSON");
  command->callback([&run, flags] { run = [flags] { return check(flags->values, flags->quick, flags->json); }; });
}

}  // namespace telemetry::cli
