#include "util/lock_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "util/error.h"

namespace telemetry {

namespace {

// Restarts after the file at the path was replaced between open and flock.
constexpr int kMaxRestarts = 3;
// current_lock_holder() takes a shared lock for an instant; an acquirer that
// collides with that probe tries again briefly before reporting "held".
constexpr int kBusyRetries = 5;
constexpr auto kBusyRetryPause = std::chrono::milliseconds(10);

std::string errno_text(int error) { return std::strerror(error); }

// The Python service's and our own lock file: pid, host, command, url lines.
LockHolder parse_holder(const std::string& content) {
  LockHolder holder;
  std::string* fields[] = {&holder.pid, &holder.host, &holder.command, &holder.url};
  size_t start = 0;
  for (std::string* field : fields) {
    if (start >= content.size()) break;
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    *field = content.substr(start, end - start);
    if (!field->empty() && field->back() == '\r') field->pop_back();
    start = end + 1;
  }
  return holder;
}

std::string read_all(int fd) {
  std::string content;
  char buffer[512];
  off_t offset = 0;
  while (content.size() < 64 * 1024) {  // a lock file is four short lines
    ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return content;
}

// The holder may have just created the file and not yet written it.
LockHolder read_holder(int fd) {
  std::string content = read_all(fd);
  for (int i = 0; i < kBusyRetries && content.empty(); ++i) {
    std::this_thread::sleep_for(kBusyRetryPause);
    content = read_all(fd);
  }
  return parse_holder(content);
}

bool try_lock(int fd, int operation) {
  for (;;) {
    if (::flock(fd, operation | LOCK_NB) == 0) return true;
    if (errno != EINTR) return false;
  }
}

// True when the fd still refers to the file at `path` (nobody replaced or removed it).
bool same_file(int fd, const std::string& path) {
  struct stat by_fd {}, by_path {};
  if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

[[noreturn]] void throw_held(const std::string& db_path, const std::string& lock_path, const LockHolder& holder) {
  std::string message = db_path + " is in use: " + lock_path + " is held by " + holder.describe_command();
  if (!holder.pid.empty()) message += " (PID " + holder.pid + " on " + holder.host + ")";
  throw Error(ErrorKind::kUnavailable, message);
}

// Missing directories are made 0700 (limited by the umask): the lock usually
// sits beside the database, whose directories docs/reference/configuration.md §4.1 wants private.
void create_parent_directory(const std::string& lock_path) {
  std::filesystem::path parent = std::filesystem::path(lock_path).parent_path();
  std::filesystem::path partial;
  for (const auto& part : parent) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) == 0 || errno == EEXIST) continue;
    throw Error(ErrorKind::kCannotCreate, "cannot create the directory " + partial.string() +
                                            " for the lock file " + lock_path + ": " + errno_text(errno));
  }
}

// A symlink or a hard link in the lock file's place would make the write of
// our PID overwrite (and truncate) whatever file it leads to.
[[noreturn]] void throw_not_a_plain_file(const std::string& lock_path, const std::string& what) {
  throw Error(ErrorKind::kCannotCreate, "lock file " + lock_path + " is " + what +
                                          "; refusing to write through it (remove it, or choose another "
                                          "path with --lock-file)");
}

void require_plain_file(int fd, const std::string& lock_path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    throw Error(ErrorKind::kCannotCreate, "cannot inspect lock file " + lock_path + ": " + errno_text(error));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    throw_not_a_plain_file(lock_path, "not a regular file");
  }
  if (info.st_nlink > 1) {
    ::close(fd);
    throw_not_a_plain_file(lock_path, "a hard link to another file (" + std::to_string(info.st_nlink) + " names)");
  }
}

// When the lock file belongs to someone else we may not be able to open it for
// writing; a read-only descriptor still tells whether it is held.
[[noreturn]] void explain_unopenable(int open_errno, const std::string& lock_path, const std::string& db_path) {
  if (open_errno == ELOOP) throw_not_a_plain_file(lock_path, "a symbolic link");
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    if (!try_lock(fd, LOCK_SH)) {
      LockHolder holder = read_holder(fd);
      ::close(fd);
      throw_held(db_path, lock_path, holder);
    }
    ::close(fd);
  }
  throw Error(ErrorKind::kCannotCreate, "cannot create lock file " + lock_path + ": " + errno_text(open_errno));
}

// Takes the exclusive lock, retrying briefly in case a holder probe has it shared.
bool lock_exclusive(int fd) {
  for (int i = 0;; ++i) {
    if (try_lock(fd, LOCK_EX)) return true;
    if (errno != EWOULDBLOCK || i >= kBusyRetries) return false;
    std::this_thread::sleep_for(kBusyRetryPause);
  }
}

}  // namespace

std::string LockHolder::describe_command() const { return command.empty() ? "another program" : command; }

std::unique_ptr<WriterLock> WriterLock::acquire(const std::string& lock_path, const std::string& db_path,
                                                const std::string& command, const std::string& url,
                                                FileSystem& files) {
  create_parent_directory(lock_path);
  for (int attempt = 0; attempt <= kMaxRestarts; ++attempt) {
    // O_NOFOLLOW: a symlink in the lock's place must not lead our write elsewhere;
    // O_NONBLOCK: a FIFO there must not hang the open (require_plain_file refuses it).
    int fd = files.open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0) explain_unopenable(errno, lock_path, db_path);
    require_plain_file(fd, lock_path);
    if (!lock_exclusive(fd)) {
      int lock_errno = errno;
      if (lock_errno == EWOULDBLOCK) {
        LockHolder holder = read_holder(fd);
        ::close(fd);
        throw_held(db_path, lock_path, holder);
      }
      ::close(fd);
      throw Error(ErrorKind::kCannotCreate, "cannot lock " + lock_path + ": " + errno_text(lock_errno));
    }
    // The previous holder deletes the path while still holding its lock, so
    // we may have locked a file that no longer has a name: start again.
    if (!same_file(fd, lock_path)) {
      ::close(fd);
      continue;
    }
    std::unique_ptr<WriterLock> lock(new WriterLock(fd, lock_path, command));
    lock->write_content(url);
    return lock;
  }
  throw Error(ErrorKind::kUnavailable,
              "cannot lock " + lock_path + ": the file was replaced " + std::to_string(kMaxRestarts + 1) +
                  " times while it was being locked");
}

WriterLock::WriterLock(int fd, std::string path, std::string command)
    : fd_(fd), path_(std::move(path)), command_(std::move(command)) {}

WriterLock::~WriterLock() {
  // Only remove the name if it is still ours (an operator may have deleted it
  // and another command taken a new file at the same path).
  if (same_file(fd_, path_)) ::unlink(path_.c_str());
  ::close(fd_);
}

void WriterLock::set_url(const std::string& url) { write_content(url); }

void WriterLock::write_content(const std::string& url) {
  std::string content = std::to_string(::getpid()) + "\n" + host_name() + "\n" + command_ + "\n" + url + "\n";
  // Overwrite first, then cut: a reader never sees an empty file mid-update.
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::pwrite(fd_, content.data() + done, content.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = n < 0 ? errno : EIO;
      throw Error(ErrorKind::kCannotCreate, "cannot write lock file " + path_ + ": " + errno_text(error));
    }
    done += static_cast<size_t>(n);
  }
  if (::ftruncate(fd_, static_cast<off_t>(content.size())) != 0)
    throw Error(ErrorKind::kCannotCreate, "cannot write lock file " + path_ + ": " + errno_text(errno));
}

std::optional<LockHolder> current_lock_holder(const std::string& lock_path) {
  int fd = ::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // no file: nobody holds it
  if (try_lock(fd, LOCK_SH)) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
    return std::nullopt;
  }
  if (errno != EWOULDBLOCK) {  // flock unsupported here: we cannot tell, so claim nothing
    ::close(fd);
    return std::nullopt;
  }
  LockHolder holder = read_holder(fd);
  ::close(fd);
  return holder;
}

}  // namespace telemetry
