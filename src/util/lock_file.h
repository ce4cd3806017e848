#pragma once
// The single-writer lock (docs/reference/configuration.md §5): flock on a file that records
// who holds it. The lock dies with the process, so kill -9 leaves nothing stale.
#include <memory>
#include <optional>
#include <string>

#include "util/file_system.h"

namespace telemetry {

struct LockHolder {
  std::string pid;
  std::string host;
  std::string command;  // "serve", "migrate", ... or "" when the file names none
  std::string url;      // serve's base URL, else ""
  // "serve", or "another program" for a file without a command line.
  std::string describe_command() const;
};

class WriterLock {
 public:
  // Takes the lock or throws Error: kUnavailable when held (message per docs/reference/configuration.md
  // 5 "Held elsewhere", naming db_path), kCannotCreate when the file cannot be created.
  // The lock file is opened through `files`; tests pass their own to act
  // between the open and the flock, a race that cannot be timed from outside.
  static std::unique_ptr<WriterLock> acquire(const std::string& lock_path,
                                             const std::string& db_path,
                                             const std::string& command,
                                             const std::string& url = "",
                                             FileSystem& files = FileSystem::real());
  ~WriterLock();  // deletes the path while still holding the lock, then closes
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Rewrites the content (serve learns its URL after binding).
  void set_url(const std::string& url);
  const std::string& path() const { return path_; }

 private:
  WriterLock(int fd, std::string path, std::string command);
  void write_content(const std::string& url);
  int fd_;
  std::string path_;
  std::string command_;
};

// Who holds the lock now, without taking it: nullopt when nobody does.
std::optional<LockHolder> current_lock_holder(const std::string& lock_path);

}  // namespace telemetry
