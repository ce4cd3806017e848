#pragma once
// Optional per-IP sliding-window rate limit (docs/reference/http-api.md §7).
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include <httplib.h>

#include "http/service_metrics.h"
#include "util/config.h"

namespace telemetry::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(const Config& config, ServiceMetrics& metrics);

  // True when allowed (X-RateLimit-* headers set); otherwise the 429 has been written.
  bool admit(const httplib::Request& request, httplib::Response& response);

  struct Decision {
    bool allowed;
    int remaining;          // after this request, when allowed
    int retry_after_seconds;  // when refused
  };
  // The rule itself, separate from HTTP so it can be tested with a fake clock.
  Decision decide(const std::string& peer, Clock::time_point now);

 private:
  bool enabled_;
  int limit_;
  ServiceMetrics& metrics_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> allowed_;
};

// "::ffff:10.0.0.1" -> "10.0.0.1"
std::string normalize_peer(const std::string& address);

}  // namespace telemetry::http
