#include "db/migrations/pre_migrate_backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "util/command_error.h"
#include "util/exit_codes.h"

namespace telemetry::db::migrations {
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::int64_t> table_counts(Connection& connection) {
  std::map<std::string, std::int64_t> counts;
  Statement tables(connection, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'");
  while (tables.step()) {
    const std::string name = tables.column_text(0);
    counts[name] = connection.query_int("SELECT count(*) FROM main." + quote_identifier(name));
  }
  return counts;
}

void fsync_path(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int error = errno;
    if (fd >= 0) ::close(fd);
    throw CommandError(exit_code::kIoErr, fmt::format("cannot fsync {}: {}", path, std::strerror(error)));
  }
  ::close(fd);
}

void remove_quietly(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(path + suffix, ignored);
}

}  // namespace

std::string pre_migrate_backup_path(const std::string& db_path, std::time_t now) {
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &utc);
  const std::string base = db_path + ".pre-migrate-" + stamp;
  std::string candidate = base + ".sqlite";
  for (int n = 1; fs::exists(candidate); ++n) candidate = fmt::format("{}-{}.sqlite", base, n);
  return candidate;
}

void make_verified_backup(Connection& source, const std::string& destination) {
  const std::string temporary = destination + ".tmp";
  const std::map<std::string, std::int64_t> expected = table_counts(source);
  remove_quietly(temporary);
  try {
    {
      Connection copy(temporary, Connection::Mode::kReadWriteCreate, 30000);
      sqlite3_backup* backup = sqlite3_backup_init(copy.handle(), "main", source.handle(), "main");
      if (!backup) copy.throw_last_error("starting the backup");
      int rc = sqlite3_backup_step(backup, -1);
      sqlite3_backup_finish(backup);
      if (rc != SQLITE_DONE) copy.throw_last_error("copying the database");

      const std::string integrity = copy.query_text("PRAGMA integrity_check");
      if (integrity != "ok") {
        throw CommandError(exit_code::kIoErr,
                           fmt::format("backup {} failed verification: integrity_check: {}", destination, integrity));
      }
      const std::map<std::string, std::int64_t> found = table_counts(copy);
      if (found != expected) {
        throw CommandError(exit_code::kIoErr,
                           fmt::format("backup {} failed verification: row counts differ from the database", destination));
      }
    }
    fsync_path(temporary, false);
    if (std::rename(temporary.c_str(), destination.c_str()) != 0) {
      throw CommandError(exit_code::kCantCreate,
                         fmt::format("cannot rename {} to {}: {}", temporary, destination, std::strerror(errno)));
    }
    std::string directory = fs::path(destination).parent_path().string();
    fsync_path(directory.empty() ? "." : directory, true);
  } catch (const SqliteError& error) {
    remove_quietly(temporary);
    int code = error.code() == SQLITE_CANTOPEN || error.code() == SQLITE_FULL || error.code() == SQLITE_READONLY
                   ? exit_code::kCantCreate
                   : exit_code::kIoErr;
    throw CommandError(code, fmt::format("cannot create the backup {}: {}", destination, error.what()));
  } catch (const CommandError&) {
    remove_quietly(temporary);
    throw;
  }
}

}  // namespace telemetry::db::migrations
