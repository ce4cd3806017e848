#pragma once
// The `<backup file>.verified` record (docs/reference/configuration.md §4.3): written only after the
// copy passed verification; `backup list` shows a backup without it as
// unverified and retention never deletes such a backup.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace telemetry::db::backup {

struct VerifiedRecord {
  std::string verified_at;                   // canonical UTC
  std::map<std::string, std::int64_t> tables;  // row count of each table
  std::string shape;                         // detect_shape id of the copy
  std::uint64_t bytes = 0;                   // size of the backup file when verified
};

std::string verified_record_path(const std::string& backup_path);

// Writes the record atomically (temporary file, fsync, rename, fsync of the directory).
void write_verified_record(const std::string& backup_path, const VerifiedRecord& record);

// The record, or nullopt when it is missing, unreadable, not the expected
// JSON, or names a size other than the backup's current size (the file
// changed after verification).
std::optional<VerifiedRecord> read_verified_record(const std::string& backup_path);

}  // namespace telemetry::db::backup
