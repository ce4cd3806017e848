#include "db/backup/verified_record.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"

namespace telemetry::db::backup {

std::string verified_record_path(const std::string& backup_path) { return backup_path + ".verified"; }

void write_verified_record(const std::string& backup_path, const VerifiedRecord& record) {
  nlohmann::ordered_json json;
  json["verified_at"] = record.verified_at;
  json["tables"] = nlohmann::ordered_json::object();
  for (const auto& [table, rows] : record.tables) json["tables"][table] = rows;
  json["shape"] = record.shape;
  json["bytes"] = record.bytes;
  if (!record.source.empty()) json["source"] = record.source;
  const std::string text = json.dump() + "\n";

  write_file_atomically(verified_record_path(backup_path), text);
}

std::optional<VerifiedRecord> read_verified_record(const std::string& backup_path) {
  std::ifstream in(verified_record_path(backup_path));
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json["verified_at"].is_string() || !json["tables"].is_object() ||
      !json["bytes"].is_number_unsigned()) {
    return std::nullopt;
  }
  VerifiedRecord record;
  record.verified_at = json["verified_at"].get<std::string>();
  for (const auto& [table, rows] : json["tables"].items()) {
    if (!rows.is_number_integer()) return std::nullopt;
    record.tables[table] = rows.get<std::int64_t>();
  }
  if (json.contains("shape") && json["shape"].is_string()) record.shape = json["shape"].get<std::string>();
  record.bytes = json["bytes"].get<std::uint64_t>();
  if (json.contains("source") && json["source"].is_string()) record.source = json["source"].get<std::string>();
  std::error_code error;
  const auto size = std::filesystem::file_size(backup_path, error);
  if (error || size != record.bytes) return std::nullopt;
  return record;
}

}  // namespace telemetry::db::backup
