#pragma once
// The file operations that tests need to interleave with or fail, behind one
// interface (like ninja's DiskInterface). util/ sits below db/, so the writer
// lock takes this rather than db/storage_env.h; only open goes through it so
// far, because only the lock's open-then-flock race needs it
// (docs/architecture.md "Test seams").
#include <sys/types.h>

#include <string>

namespace telemetry {

class FileSystem {
 public:
  // open(2), retried on EINTR.
  static FileSystem& real();

  virtual ~FileSystem() = default;
  // A descriptor, or -1 with errno set, as open(2).
  virtual int open(const std::string& path, int flags, mode_t mode);
};

}  // namespace telemetry
