#include "util/file_system.h"

#include <fcntl.h>

#include <cerrno>

namespace telemetry {

FileSystem& FileSystem::real() {
  static FileSystem file_system;
  return file_system;
}

int FileSystem::open(const std::string& path, int flags, mode_t mode) {
  for (;;) {
    const int fd = ::open(path.c_str(), flags, mode);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

}  // namespace telemetry
