#pragma once
// A Prometheus-style cumulative histogram with fixed bucket bounds. Thread-safe.
#include <cstdint>
#include <mutex>
#include <vector>

namespace telemetry {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size(), 0) {}

  void observe(double value) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      if (value <= bounds_[i]) ++counts_[i];
    }
    sum_ += value;
    ++count_;
  }

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, already cumulative
    double sum = 0;
    std::uint64_t count = 0;
  };

  Snapshot snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return {bounds_, counts_, sum_, count_};
  }

 private:
  mutable std::mutex mutex_;
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // cumulative: observe() bumps every bucket >= value
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// Buckets of docs/reference/http-api.md §17.3.
inline std::vector<double> commit_duration_buckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}
inline std::vector<double> commit_operation_buckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};
}

}  // namespace telemetry
