#pragma once
// Facts about a database file read without SQLite, so that `check` can report
// them before opening it (opening may itself create or remove -wal/-shm files).
#include <cstdint>
#include <string>

namespace telemetry::db::backup {

// The 16-byte magic "SQLite format 3\0" at offset 0.
bool has_sqlite_header(const std::string& path);
// File format bytes 18/19 equal 2: the database is in WAL mode (persistent).
bool header_says_wal(const std::string& path);

struct SideFiles {
  bool wal = false;
  std::uint64_t wal_bytes = 0;
  bool shm = false;
  bool journal = false;
  std::uint64_t journal_bytes = 0;
  // The journal starts with the rollback-journal magic: it holds a transaction
  // that was not finished (a "hot" journal if no process holds the database).
  bool journal_has_header = false;
};

SideFiles side_files(const std::string& db_path);

}  // namespace telemetry::db::backup
