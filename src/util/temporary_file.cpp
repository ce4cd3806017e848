#include "util/temporary_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/error.h"

namespace telemetry {

TemporaryFile::TemporaryFile(std::string path) : path_(std::move(path)) {
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(ErrorKind::kCannotCreate, fmt::format("cannot create {}: {}", path_, std::strerror(errno)));
  }
  ::close(fd);
}

TemporaryFile::~TemporaryFile() {
  if (!kept_) remove_with_sqlite_side_files(path_);
}

void remove_with_sqlite_side_files(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
}

}  // namespace telemetry
