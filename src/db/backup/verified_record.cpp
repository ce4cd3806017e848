#include "db/backup/verified_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "db/backup/file_sync.h"
#include "util/command_error.h"
#include "util/exit_codes.h"

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

  const std::string final_path = verified_record_path(backup_path);
  const std::string temporary = final_path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw CommandError(exit_code::kCantCreate, fmt::format("cannot create {}: {}", temporary, std::strerror(errno)));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int write_error = errno;
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    ::unlink(temporary.c_str());
    throw CommandError(exit_code::kIoErr,
                       fmt::format("cannot write {}: {}", temporary, std::strerror(written ? errno : write_error)));
  }
  durable_rename(temporary, final_path);
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
