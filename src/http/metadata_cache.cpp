#include "http/service.h"

namespace telemetry::http {

namespace {
constexpr auto kLifetime = std::chrono::seconds(300);
}

std::optional<nlohmann::ordered_json> MetadataCache::get() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!value_ || std::chrono::steady_clock::now() - computed_at_ > kLifetime) return std::nullopt;
  return value_;
}

std::uint64_t MetadataCache::generation() {
  std::lock_guard<std::mutex> lock(mutex_);
  return generation_;
}

void MetadataCache::put(nlohmann::ordered_json value, std::uint64_t generation_at_read) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (generation_at_read != generation_) return;  // a write committed while we read
  value_ = std::move(value);
  computed_at_ = std::chrono::steady_clock::now();
}

void MetadataCache::invalidate() {
  std::lock_guard<std::mutex> lock(mutex_);
  value_.reset();
  ++generation_;
}

}  // namespace telemetry::http
