#include "db/backup/database_files.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace telemetry::db::backup {
namespace {

template <std::size_t N>
bool read_prefix(const std::string& path, std::array<unsigned char, N>& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.read(reinterpret_cast<char*>(bytes.data()), N);
  return static_cast<std::size_t>(in.gcount()) == N;
}

}  // namespace

bool has_sqlite_header(const std::string& path) {
  std::array<unsigned char, 16> bytes{};
  return read_prefix(path, bytes) && std::memcmp(bytes.data(), "SQLite format 3\0", 16) == 0;
}

bool header_says_wal(const std::string& path) {
  std::array<unsigned char, 20> bytes{};
  return read_prefix(path, bytes) && bytes[18] == 2 && bytes[19] == 2;
}

SideFiles side_files(const std::string& db_path) {
  namespace fs = std::filesystem;
  SideFiles files;
  std::error_code error;
  if (fs::exists(db_path + "-wal", error)) {
    files.wal = true;
    files.wal_bytes = fs::file_size(db_path + "-wal", error);
  }
  files.shm = fs::exists(db_path + "-shm", error);
  if (fs::exists(db_path + "-journal", error)) {
    files.journal = true;
    files.journal_bytes = fs::file_size(db_path + "-journal", error);
    static const unsigned char kMagic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
    std::array<unsigned char, 8> bytes{};
    files.journal_has_header = read_prefix(db_path + "-journal", bytes) && std::memcmp(bytes.data(), kMagic, 8) == 0;
  }
  return files;
}

}  // namespace telemetry::db::backup
