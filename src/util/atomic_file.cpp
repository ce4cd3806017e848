#include "util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/error.h"
#include "util/file_sync.h"

namespace telemetry {
namespace {

[[noreturn]] void throw_system_error(ErrorKind kind, const char* what, const std::string& path) {
  throw Error(kind, fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), temporary_(path_ + ".tmp") {
  if (::unlink(temporary_.c_str()) != 0 && errno != ENOENT) {
    throw_system_error(ErrorKind::kCannotCreate, "cannot remove the stale", temporary_);
  }
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) throw_system_error(ErrorKind::kCannotCreate, "cannot create", temporary_);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temporary_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd_, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) throw_system_error(ErrorKind::kIo, "cannot write", temporary_);
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
}

void AtomicFile::commit() {
  if (::fsync(fd_) != 0) throw_system_error(ErrorKind::kIo, "cannot fsync", temporary_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw_system_error(ErrorKind::kIo, "cannot close", temporary_);
  durable_rename(temporary_, path_);
  committed_ = true;
}

void write_file_atomically(const std::string& path, std::string_view content) {
  AtomicFile file(path);
  file.write(content);
  file.commit();
}

}  // namespace telemetry
