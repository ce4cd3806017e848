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

void MetadataCache::put(nlohmann::ordered_json value) {
  std::lock_guard<std::mutex> lock(mutex_);
  value_ = std::move(value);
  computed_at_ = std::chrono::steady_clock::now();
}

void MetadataCache::invalidate() {
  std::lock_guard<std::mutex> lock(mutex_);
  value_.reset();
}

}  // namespace telemetry::http
