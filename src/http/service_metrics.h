#pragma once
// Counters behind GET /metrics (docs/reference/http-api.md §17.3) that the HTTP layer owns.
// The writer's own counters live in db::WriterCounters.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "util/histogram.h"

namespace telemetry::http {

enum class IngestRoute { kPost = 0, kBatch = 1 };
enum class IngestOutcome { kInserted = 0, kDuplicate = 1, kRejected = 2 };
enum class UpdateRoute { kPatch = 0, kAssociateCommit = 1 };
enum class UpdateOutcome { kUpdated = 0, kNotFound = 1, kRejected = 2 };

class ServiceMetrics {
 public:
  ServiceMetrics();

  void count_request(const std::string& route, const std::string& method, int code, double seconds);
  void count_ingest(IngestRoute route, IngestOutcome outcome, std::uint64_t n = 1);
  void count_update(UpdateRoute route, UpdateOutcome outcome);

  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> auth_failures{0};
  std::atomic<std::uint64_t> metadata_cache_hits{0};
  std::atomic<std::uint64_t> metadata_cache_misses{0};
  std::atomic<std::uint64_t> retention_deleted_runs{0};
  std::atomic<std::uint64_t> retention_passes{0};
  const double start_time_seconds;  // Unix time

  // Snapshots for rendering.
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests() const;
  std::map<std::string, Histogram::Snapshot> request_durations() const;
  std::uint64_t ingest(IngestRoute route, IngestOutcome outcome) const;
  std::uint64_t updates(UpdateRoute route, UpdateOutcome outcome) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, std::unique_ptr<Histogram>> durations_;
  std::array<std::array<std::atomic<std::uint64_t>, 3>, 2> ingest_{};
  std::array<std::array<std::atomic<std::uint64_t>, 3>, 2> updates_{};
};

}  // namespace telemetry::http
