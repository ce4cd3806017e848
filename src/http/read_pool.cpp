#include "http/read_pool.h"

#include "db/database.h"

namespace telemetry::http {

ReadPool::Lease ReadPool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection));
    }
  }
  return Lease(*this, db::open_read_only(path_, busy_timeout_ms_));
}

void ReadPool::give_back(std::unique_ptr<db::Connection> connection) {
  if (!connection) return;
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace telemetry::http
