#include "http/service_metrics.h"

#include <chrono>

namespace telemetry::http {

ServiceMetrics::ServiceMetrics()
    : start_time_seconds(std::chrono::duration<double>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count()) {}

void ServiceMetrics::count_request(const std::string& route, const std::string& method, int code,
                                   double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, method, code}];
  auto& histogram = durations_[route];
  if (!histogram) histogram = std::make_unique<Histogram>(commit_duration_buckets());
  histogram->observe(seconds);
}

void ServiceMetrics::count_ingest(IngestRoute route, IngestOutcome outcome, std::uint64_t n) {
  ingest_[static_cast<int>(route)][static_cast<int>(outcome)] += n;
}

void ServiceMetrics::count_update(UpdateRoute route, UpdateOutcome outcome) {
  ++updates_[static_cast<int>(route)][static_cast<int>(outcome)];
}

std::map<std::tuple<std::string, std::string, int>, std::uint64_t> ServiceMetrics::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::map<std::string, Histogram::Snapshot> ServiceMetrics::request_durations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, Histogram::Snapshot> out;
  for (const auto& [route, histogram] : durations_) out[route] = histogram->snapshot();
  return out;
}

std::uint64_t ServiceMetrics::ingest(IngestRoute route, IngestOutcome outcome) const {
  return ingest_[static_cast<int>(route)][static_cast<int>(outcome)].load();
}

std::uint64_t ServiceMetrics::updates(UpdateRoute route, UpdateOutcome outcome) const {
  return updates_[static_cast<int>(route)][static_cast<int>(outcome)].load();
}

}  // namespace telemetry::http
