#include "db/backup/backup_owner.h"

#include <filesystem>

#include <fmt/format.h>

#include "db/backup/backup_name.h"

namespace telemetry::db::backup {
namespace fs = std::filesystem;

std::string database_identity(const std::string& db_path) {
  std::error_code error;
  fs::path absolute = fs::absolute(db_path, error);
  if (error) return fs::path(db_path).lexically_normal().string();
  fs::path resolved = fs::weakly_canonical(absolute, error);
  return (error ? absolute.lexically_normal() : resolved).string();
}

Belonging belonging_of(const std::string& file_name, const std::optional<VerifiedRecord>& record,
                       const std::string& db_path) {
  if (record && !record->source.empty()) {
    return record->source == database_identity(db_path) ? Belonging::kRecorded : Belonging::kOther;
  }
  auto parsed = parse_backup_file_name(file_name);
  if (!parsed) return Belonging::kUnknown;
  return parsed->stem == database_stem(db_path) ? Belonging::kByName : Belonging::kOther;
}

std::string describe_origin(const std::string& file_name, const std::optional<VerifiedRecord>& record) {
  if (record && !record->source.empty()) return record->source;
  auto parsed = parse_backup_file_name(file_name);
  if (!parsed) return "";
  return fmt::format("a database named {} (by the file name; its record names no source)", parsed->stem);
}

DatabaseBackups backups_of_database(const std::string& directory, const std::string& db_path) {
  DatabaseBackups result;
  for (BackupEntry& entry : list_backups(directory)) {
    const Belonging belonging = belonging_of(entry.name, entry.record, db_path);
    if (belonging == Belonging::kRecorded || belonging == Belonging::kByName) {
      result.backups.push_back(std::move(entry));
    } else {
      ++result.others;
    }
  }
  return result;
}

}  // namespace telemetry::db::backup
