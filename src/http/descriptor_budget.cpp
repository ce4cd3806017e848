#include "http/descriptor_budget.h"

#include <sys/resource.h>

namespace telemetry::http {

std::size_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? static_cast<std::size_t>(1) << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t reserved_descriptors(std::size_t workers) {
  // 64: standard streams, the lock file, the writer's database, journal, WAL
  // and shared-memory files, a backup's source and destination, the listener,
  // epoll, eventfd, the spare kept for shedding, and headroom for SQLite's
  // temporary files. Each worker may hold a read connection (database, WAL,
  // shared memory) and open a journal: 4 each.
  return 64 + 4 * workers;
}

std::size_t default_max_connections(std::size_t open_file_limit, std::size_t workers) {
  const std::size_t reserve = reserved_descriptors(workers);
  return open_file_limit > reserve ? open_file_limit - reserve : 1;
}

}  // namespace telemetry::http
