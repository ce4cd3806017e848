#pragma once
// A file created exclusively (mode 0600) that is deleted, with the journal
// files SQLite may have put beside it, unless keep() is called.
#include <string>

namespace telemetry {

class TemporaryFile {
 public:
  // Throws Error kCannotCreate naming the path when it cannot be created.
  explicit TemporaryFile(std::string path);
  ~TemporaryFile();
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  const std::string& path() const { return path_; }
  // After a rename: nothing left to delete.
  void keep() { kept_ = true; }

 private:
  std::string path_;
  bool kept_ = false;
};

// Deletes `path` and the journal files SQLite may have put beside it
// (-journal, -wal, -shm); missing ones are fine.
void remove_with_sqlite_side_files(const std::string& path);

}  // namespace telemetry
