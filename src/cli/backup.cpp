// telemetry backup | backup list | backup restore FILE: verified online
// copies, their listing, and putting one back (docs/reference/configuration.md §4.3, §5, §7).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_error.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "db/backup/backup_owner.h"
#include "db/backup/catalog.h"
#include "db/backup/make_backup.h"
#include "db/backup/restore.h"
#include "util/format_numbers.h"
#include "util/lock_file.h"
#include "util/log.h"
#include "util/stop_signals.h"
#include "util/terminal_progress.h"

namespace telemetry::cli {
namespace {
namespace fs = std::filesystem;
using nlohmann::ordered_json;
using namespace telemetry::db::backup;

struct BackupFlags {
  FlagValues values;
  bool json = false;
  bool yes = false;
  bool other_db = false;  // restore: accept another database's backup
  std::string restore_file;
};

// Progress is drawn for files of 64 MiB and more; smaller ones take a moment.
constexpr std::int64_t kProgressMinBytes = 64ll * 1024 * 1024;

// Copying shows on `copying`, reading a whole file back (verification) on `reading`.
struct Progress {
  explicit Progress(const std::string& copy_label)
      : copying(copy_label, TerminalProgress::Unit::kBytes, "", kProgressMinBytes),
        reading("verifying", TerminalProgress::Unit::kBytes, "", kProgressMinBytes) {}
  void finish() {
    copying.finish();
    reading.finish();
  }
  TerminalProgress copying, reading;
};

db::backup::CopyControl copy_control(Progress& progress) {
  CopyControl control;
  control.progress = [&progress](std::int64_t done, std::int64_t total) { progress.copying.update(done, total); };
  control.read_progress = [&progress](std::int64_t done, std::int64_t total) {
    progress.copying.finish();  // the copy's line ends before verification's begins
    progress.reading.update(done, total);
  };
  control.interrupted = received_stop_signal;
  return control;
}

std::int64_t runs_in(const std::map<std::string, std::int64_t>& counts) {
  auto found = counts.find("agent_runs");
  return found == counts.end() ? 0 : found->second;
}

// ---- backup -------------------------------------------------------------

int make_backup_command(const BackupFlags& flags) {
  const Config config = load_config(flags.values, Command::kBackup);
  install_stop_signal_handlers();
  Progress progress("backup");

  BackupOptions options;
  options.db_path = config.db_path;
  options.backup_dir = config.backup_dir;
  options.synchronous = config.synchronous;
  options.busy_timeout_ms = config.busy_timeout_ms;
  options.limits = {config.backup_keep_days, config.backup_keep_last};
  options.started = std::chrono::system_clock::now();
  options.control = copy_control(progress);
  BackupOutcome outcome = make_backup(options);
  progress.finish();

  for (const std::string& warning : outcome.warnings) log::warning(warning);
  if (flags.json) {
    ordered_json removed = ordered_json::array();
    for (const RemovedBackup& old : outcome.removed) {
      removed.push_back({{"name", old.name}, {"time", format_utc_seconds(old.time)}});
    }
    ordered_json body{{"backup", outcome.path},
                      {"name", outcome.name},
                      {"time", format_utc_seconds(options.started)},
                      {"bytes", outcome.bytes},
                      {"shape", db::shape_name(outcome.source.shape)},
                      {"tables", outcome.source.row_counts},
                      {"verified", true},
                      {"copy_seconds", outcome.copy_seconds},
                      {"verify_seconds", outcome.verify_seconds},
                      {"removed", removed},
                      {"warnings", outcome.warnings}};
    std::cout << body.dump() << "\n";
    return exit_code::kOk;
  }
  std::cout << fmt::format("backup {}: {} runs, {}, verified (integrity_check ok, row counts match); "
                           "copied in {:.1f} s, verified in {:.1f} s\n",
                           outcome.path, with_thousands(runs_in(outcome.source.row_counts)),
                           human_bytes(outcome.bytes), outcome.copy_seconds, outcome.verify_seconds);
  for (const RemovedBackup& old : outcome.removed) {
    std::cout << fmt::format("removed old backup {} (made {})\n", old.name, format_utc_seconds(old.time));
  }
  return exit_code::kOk;
}

// ---- backup list ----------------------------------------------------------

int list_backups_command(const BackupFlags& flags) {
  const Config config = load_config(flags.values, Command::kBackup);
  // Only this database's backups (backup_owner.h): a shared folder may hold others'.
  const DatabaseBackups scoped = backups_of_database(config.backup_dir, config.db_path);
  const std::vector<BackupEntry>& backups = scoped.backups;
  const std::string database = database_identity(config.db_path);
  if (flags.json) {
    ordered_json list = ordered_json::array();
    for (const BackupEntry& entry : backups) {
      ordered_json item{{"name", entry.name}, {"path", entry.path}, {"time", format_utc_seconds(entry.time)},
                        {"bytes", entry.bytes}, {"verified", entry.record.has_value()}};
      item["rows"] = entry.record ? ordered_json(runs_in(entry.record->tables)) : ordered_json(nullptr);
      item["tables"] = entry.record ? ordered_json(entry.record->tables) : ordered_json(nullptr);
      item["verified_at"] = entry.record ? ordered_json(entry.record->verified_at) : ordered_json(nullptr);
      item["source"] = entry.record && !entry.record->source.empty() ? ordered_json(entry.record->source)
                                                                     : ordered_json(nullptr);
      list.push_back(item);
    }
    std::cout << ordered_json{{"directory", config.backup_dir},
                              {"database", database},
                              {"backups", list},
                              {"other_databases_backups", scoped.others}}
                     .dump()
              << "\n";
    return exit_code::kOk;
  }
  if (!backups.empty()) {
    std::cout << fmt::format("{:<21} {:<40} {:>10} {:>12}  {}\n", "TIME", "NAME", "SIZE", "RUNS", "STATE");
  }
  for (const BackupEntry& entry : backups) {
    std::cout << fmt::format("{:<21} {:<40} {:>10} {:>12}  {}\n", format_utc_seconds(entry.time), entry.name,
                             human_bytes(entry.bytes),
                             entry.record ? with_thousands(runs_in(entry.record->tables)) : std::string("-"),
                             entry.record ? "verified" : "unverified");
  }
  std::cout << fmt::format("{} backup{} of {} in {}\n", backups.size(), backups.size() == 1 ? "" : "s", database,
                           config.backup_dir);
  if (scoped.others > 0) {
    std::cout << fmt::format("({} backup{} of other databases in that folder not shown)\n", scoped.others,
                             scoped.others == 1 ? "" : "s");
  }
  return exit_code::kOk;
}

// ---- backup restore -----------------------------------------------------

// A bare file name that is not in the working directory may name a backup in
// the backup directory (what `backup list` shows).
std::string locate_restore_file(const std::string& given, const Config& config) {
  std::error_code error;
  if (fs::exists(given, error) || fs::path(given).has_parent_path()) return fs::absolute(given).string();
  fs::path in_backups = fs::path(config.backup_dir) / given;
  return fs::exists(in_backups, error) ? in_backups.string() : fs::absolute(given).string();
}

// Refuses another database's backup unless --other-db is given (backup_owner.h).
// Returns whose backup it is when it is another database's, else "".
std::string require_own_backup(const std::string& file, const std::string& db_path, bool other_db) {
  const std::string name = fs::path(file).filename().string();
  const std::optional<VerifiedRecord> record = read_verified_record(file);
  if (belonging_of(name, record, db_path) != Belonging::kOther) return "";
  const std::string origin = describe_origin(name, record);
  if (!other_db) {
    throw CommandError(exit_code::kUsage,
                       fmt::format("restore file {} is a backup of {}, not of {}; pass --other-db to restore it "
                                   "into {} anyway",
                                   file, origin, database_identity(db_path), db_path));
  }
  return origin;
}

bool confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes";
}

int restore_command(const BackupFlags& flags) {
  const Config config = load_config(flags.values, Command::kBackupRestore);
  const bool interactive = ::isatty(STDIN_FILENO) == 1;
  if (!flags.yes && !interactive) {
    throw CommandError(exit_code::kUsage,
                       "backup restore replaces the database: pass --yes when standard input is not a terminal\n"
                       "Run 'telemetry backup restore --help' for usage.");
  }
  install_stop_signal_handlers();
  auto lock = WriterLock::acquire(config.lock_file, config.db_path, "backup-restore");

  const std::string file = locate_restore_file(flags.restore_file, config);
  Progress checking("checking");
  checking.reading.set_label("checking " + fs::path(file).filename().string());
  CopyControl inspect_control = copy_control(checking);
  const std::string origin = require_own_backup(file, config.db_path, flags.other_db);
  RestoreSource source = inspect_restore_file(file, config.busy_timeout_ms, inspect_control);
  checking.finish();

  if (!flags.yes) {
    std::error_code error;
    const bool exists = fs::exists(config.db_path, error);
    const std::string question = fmt::format(
        "Replace {} with {} ({}, {} runs, integrity_check ok{})?{}", config.db_path, file, db::shape_name(source.shape),
        with_thousands(runs_in(source.row_counts)), origin.empty() ? "" : ", a backup of " + origin,
        exists ? " The current database is kept as a safety copy beside it." : "");
    if (!confirm(question)) {
      std::cerr << "telemetry: restore cancelled; nothing was changed\n";
      return exit_code::kOk;
    }
  }

  Progress progress("restore");
  RestoreOptions options;
  options.db_path = config.db_path;
  options.journal_mode = config.journal_mode;
  options.synchronous = config.synchronous;
  options.busy_timeout_ms = config.busy_timeout_ms;
  options.now = std::chrono::system_clock::now();
  options.control = copy_control(progress);
  RestoreOutcome outcome = restore_database(options, source);
  progress.finish();

  const std::string undo =
      outcome.safety_copy
          ? fmt::format("telemetry backup restore {} --db {} --yes", *outcome.safety_copy, config.db_path)
          : "";
  const bool servable = source.shape == db::Shape::kV7 || source.shape == db::Shape::kEmpty;
  if (flags.json) {
    ordered_json body{{"db_path", config.db_path},
                      {"restored_from", file},
                      {"backup_of", origin.empty() ? ordered_json(nullptr) : ordered_json(origin)},
                      {"shape", db::shape_name(source.shape)},
                      {"tables", source.row_counts},
                      {"journal_mode", journal_mode_name(outcome.journal_mode)},
                      {"safety_copy", outcome.safety_copy ? ordered_json(*outcome.safety_copy) : ordered_json(nullptr)},
                      {"undo", outcome.safety_copy ? ordered_json(undo) : ordered_json(nullptr)}};
    std::cout << body.dump() << "\n";
    return exit_code::kOk;
  }
  std::cout << fmt::format("restored {} from {}: {} runs, shape {}, journal mode {}\n", config.db_path, file,
                           with_thousands(runs_in(source.row_counts)), db::shape_name(source.shape),
                           journal_mode_name(outcome.journal_mode));
  if (!origin.empty()) std::cout << fmt::format("note: that file is a backup of {}\n", origin);
  if (outcome.safety_copy) {
    std::cout << fmt::format("the previous database is kept as {}\nto undo: {}\n", *outcome.safety_copy, undo);
  } else {
    std::cout << "there was no database before, so no safety copy was kept\n";
  }
  if (!servable) {
    std::cout << fmt::format("note: the {} schema cannot be served; run 'telemetry migrate --db {}' first\n",
                             db::shape_name(source.shape), config.db_path);
  }
  return exit_code::kOk;
}

}  // namespace

void register_backup(CLI::App& app, RunCommand& run) {
  auto flags = std::make_shared<BackupFlags>();
  auto list_flags = std::make_shared<BackupFlags>();
  auto restore_flags = std::make_shared<BackupFlags>();

  CLI::App* backup = app.add_subcommand("backup", "Make a verified online copy of the database (safe while serving)");
  backup->require_subcommand(0, 1);
  add_global_flags(*backup, flags->values);
  add_setting(*backup, flags->values, "--dir", "TELEMETRY_BACKUP_DIR", "backup folder (default: backups beside the database)");
  add_setting(*backup, flags->values, "--keep-days", "TELEMETRY_BACKUP_KEEP_DAYS", "delete verified backups older than N days");
  add_setting(*backup, flags->values, "--keep-last", "TELEMETRY_BACKUP_KEEP_LAST", "always keep the N newest verified backups");
  add_database_options(*backup, flags->values, kSynchronous | kBusyTimeout);
  backup->add_flag("--json", flags->json, "print the result as JSON");

  CLI::App* list = backup->add_subcommand("list", "Show the backups with time, size, rows and verification state");
  add_global_flags(*list, list_flags->values);
  add_setting(*list, list_flags->values, "--dir", "TELEMETRY_BACKUP_DIR", "backup folder (default: backups beside the database)");
  list->add_flag("--json", list_flags->json, "print the list as JSON");

  CLI::App* restore = backup->add_subcommand(
      "restore", "Replace the database with a verified backup (refused while a server runs)");
  add_global_flags(*restore, restore_flags->values);
  restore->add_option("FILE", restore_flags->restore_file, "backup file (a bare name is also looked up in the backup folder)")
      ->required();
  add_setting(*restore, restore_flags->values, "--dir", "TELEMETRY_BACKUP_DIR", "backup folder for bare names");
  add_database_options(*restore, restore_flags->values, kJournalMode | kSynchronous | kBusyTimeout);
  restore->add_flag("--other-db", restore_flags->other_db,
                    "restore a backup that belongs to another database (refused without it)");
  restore->add_flag("--yes", restore_flags->yes, "do not ask for confirmation (required when not on a terminal)");
  restore->add_flag("--json", restore_flags->json, "print the result as JSON");

  list->callback([&run, list_flags] { run = [list_flags] { return list_backups_command(*list_flags); }; });
  restore->callback([&run, restore_flags] { run = [restore_flags] { return restore_command(*restore_flags); }; });
  // CLI11 runs the parent's callback after a chosen child's: only act alone.
  backup->callback([&run, flags, list, restore] {
    if (list->parsed() || restore->parsed()) return;
    run = [flags] { return make_backup_command(*flags); };
  });
}

}  // namespace telemetry::cli
