#pragma once
// Read-only connections for GET routes and /metrics, handed out one per
// request so readers never share a connection and never block the writer.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/sqlite.h"

namespace telemetry::http {

class ReadPool {
 public:
  ReadPool(std::string path, int busy_timeout_ms) : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {}

  class Lease {
   public:
    Lease(ReadPool& pool, std::unique_ptr<db::Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    ~Lease() { pool_.give_back(std::move(connection_)); }
    db::Connection& operator*() { return *connection_; }
    db::Connection* operator->() { return connection_.get(); }

   private:
    ReadPool& pool_;
    std::unique_ptr<db::Connection> connection_;
  };

  Lease acquire();

 private:
  void give_back(std::unique_ptr<db::Connection> connection);
  std::string path_;
  int busy_timeout_ms_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<db::Connection>> idle_;
};

}  // namespace telemetry::http
