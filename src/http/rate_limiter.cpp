#include "http/rate_limiter.h"

#include <fmt/format.h>

#include "http/responses.h"

namespace telemetry::http {
namespace {
constexpr auto kWindow = std::chrono::seconds(60);
}

std::string normalize_peer(const std::string& address) {
  const std::string mapped = "::ffff:";
  if (address.rfind(mapped, 0) == 0 && address.find('.') != std::string::npos) {
    return address.substr(mapped.size());
  }
  return address;
}

RateLimiter::RateLimiter(const Config& config, ServiceMetrics& metrics)
    : enabled_(config.rate_limit_enabled), limit_(config.rate_limit_rpm), metrics_(metrics) {}

RateLimiter::Decision RateLimiter::decide(const std::string& peer, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Forget times that left the window, and peers with none left.
  for (auto it = allowed_.begin(); it != allowed_.end();) {
    auto& times = it->second;
    while (!times.empty() && now - times.front() >= kWindow) times.pop_front();
    it = times.empty() ? allowed_.erase(it) : std::next(it);
  }
  auto& times = allowed_[peer];
  if (static_cast<int>(times.size()) < limit_) {
    times.push_back(now);
    return {true, limit_ - static_cast<int>(times.size()), 0};
  }
  const auto wait = kWindow - (now - times.front());
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(wait).count();
  int seconds = static_cast<int>((micros + 999999) / 1000000);
  return {false, 0, std::max(1, seconds)};
}

bool RateLimiter::admit(const httplib::Request& request, httplib::Response& response) {
  if (!enabled_) return true;
  Decision decision = decide(normalize_peer(request.remote_addr), Clock::now());
  response.set_header("X-RateLimit-Limit", std::to_string(limit_));
  if (decision.allowed) {
    response.set_header("X-RateLimit-Remaining", std::to_string(decision.remaining));
    return true;
  }
  metrics_.rate_limited.fetch_add(1);
  response.set_header("X-RateLimit-Remaining", "0");
  response.set_header("Retry-After", std::to_string(decision.retry_after_seconds));
  send_detail(response, 429, fmt::format("Rate limit exceeded. Max {} requests per minute.", limit_));
  return false;
}

}  // namespace telemetry::http
