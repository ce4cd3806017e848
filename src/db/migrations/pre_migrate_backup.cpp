#include "db/migrations/pre_migrate_backup.h"

#include <filesystem>

#include <fmt/format.h>

#include "db/backup/verified_copy.h"
#include "util/error.h"
#include "util/temporary_file.h"

namespace telemetry::db::migrations {
namespace fs = std::filesystem;

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
  // A temporary file left by an interrupted earlier run is ours to replace.
  const std::string temporary_path = destination + ".tmp";
  remove_with_sqlite_side_files(temporary_path);
  try {
    TemporaryFile temporary(temporary_path);
    backup::make_verified_copy(source, temporary, destination, backup::VerifiedCopyOptions{});
  } catch (const Error& error) {
    throw Error(error.kind(), fmt::format("cannot create the backup {}: {}", destination, error.what()));
  }
}

}  // namespace telemetry::db::migrations
