#include "util/file_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "util/error.h"
#include "util/format_numbers.h"

namespace telemetry {
namespace {

void fsync_path(const std::string& path, int flags, const char* what) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    throw Error(ErrorKind::kIo, fmt::format("cannot open {} {} to sync it: {}", what, path, std::strerror(errno)));
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    throw Error(ErrorKind::kIo, fmt::format("fsync of {} {} failed: {}", what, path, std::strerror(error)));
  }
  ::close(fd);
}

}  // namespace

void fsync_file(const std::string& path) { fsync_path(path, O_RDONLY, "file"); }

void fsync_directory(const std::string& directory) {
  fsync_path(directory.empty() ? "." : directory, O_RDONLY | O_DIRECTORY, "directory");
}

void durable_rename(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw Error(ErrorKind::kIo, fmt::format("cannot rename {} to {}: {}", from, to, std::strerror(errno)));
  }
  fsync_directory(std::filesystem::path(to).parent_path().string());
}

std::uint64_t available_bytes(const std::string& directory) {
  struct statvfs info {};
  if (::statvfs(directory.c_str(), &info) != 0) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot read the free space of {}: {}", directory, std::strerror(errno)));
  }
  return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
}

void require_free_space(const std::string& directory, std::uint64_t needed, const std::string& purpose) {
  // The copy can be a little larger than the page count says (journal, the
  // .verified record), and a filesystem filled to the last byte helps nobody.
  const std::uint64_t margin = needed / 20 + 1024 * 1024;
  const std::uint64_t available = available_bytes(directory);
  if (available < needed + margin) {
    throw Error(ErrorKind::kDiskFull,
                fmt::format("not enough free space in {} to {}: needs about {}, {} available", directory,
                            purpose, human_bytes(needed + margin), human_bytes(available)));
  }
}

}  // namespace telemetry
