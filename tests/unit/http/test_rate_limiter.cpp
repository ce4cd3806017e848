// RateLimiter::decide, the sliding 60 s window of docs/reference/http-api.md §7, driven by a fake clock.
#include <catch2/catch.hpp>

#include "http/rate_limiter.h"

using telemetry::Config;
using telemetry::http::normalize_peer;
using telemetry::http::RateLimiter;
using telemetry::http::ServiceMetrics;
using namespace std::chrono_literals;

namespace {

Config limited_to(int rpm) {
  Config config;
  config.rate_limit_enabled = true;
  config.rate_limit_rpm = rpm;
  return config;
}

}  // namespace

TEST_CASE("the first rpm requests are allowed with a decreasing remaining count", "[rate_limit]") {
  Config config = limited_to(3);
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  auto first = limiter.decide("10.0.0.1", t0);
  CHECK(first.allowed);
  CHECK(first.remaining == 2);
  auto second = limiter.decide("10.0.0.1", t0 + 1s);
  CHECK(second.allowed);
  CHECK(second.remaining == 1);
  auto third = limiter.decide("10.0.0.1", t0 + 2s);
  CHECK(third.allowed);
  CHECK(third.remaining == 0);
  auto fourth = limiter.decide("10.0.0.1", t0 + 3s);
  CHECK_FALSE(fourth.allowed);
  // The oldest allowed time (t0) leaves the window at t0 + 60 s: 57 s from now.
  CHECK(fourth.retry_after_seconds == 57);
}

TEST_CASE("Retry-After is rounded up and at least 1", "[rate_limit]") {
  Config config = limited_to(1);
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  REQUIRE(limiter.decide("p", t0).allowed);
  auto refused = limiter.decide("p", t0 + 10500ms);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 50);  // 49.5 s rounded up
  auto almost = limiter.decide("p", t0 + 59999ms);
  CHECK_FALSE(almost.allowed);
  CHECK(almost.retry_after_seconds == 1);  // 1 ms left: at least 1
  auto at_edge = limiter.decide("p", t0 + 60s);
  CHECK(at_edge.allowed);  // t0 left the window exactly now
}

TEST_CASE("refused requests are not recorded", "[rate_limit]") {
  Config config = limited_to(2);
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  REQUIRE(limiter.decide("p", t0).allowed);
  REQUIRE(limiter.decide("p", t0 + 30s).allowed);
  for (int i = 0; i < 10; ++i) CHECK_FALSE(limiter.decide("p", t0 + 31s + std::chrono::seconds(i)).allowed);
  // Only t0 leaves at t0 + 60 s; had the refusals been recorded the budget would stay empty.
  auto after = limiter.decide("p", t0 + 61s);
  CHECK(after.allowed);
  CHECK(after.remaining == 0);
  auto refused = limiter.decide("p", t0 + 62s);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 28);  // t0 + 30 s leaves at t0 + 90 s
}

TEST_CASE("the window slides: budget comes back one request at a time", "[rate_limit]") {
  Config config = limited_to(3);
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  REQUIRE(limiter.decide("p", t0).allowed);
  REQUIRE(limiter.decide("p", t0 + 20s).allowed);
  REQUIRE(limiter.decide("p", t0 + 40s).allowed);
  CHECK_FALSE(limiter.decide("p", t0 + 59s).allowed);
  auto at60 = limiter.decide("p", t0 + 60s);
  CHECK(at60.allowed);
  CHECK(at60.remaining == 0);
  auto at70 = limiter.decide("p", t0 + 70s);
  CHECK_FALSE(at70.allowed);
  CHECK(at70.retry_after_seconds == 10);  // t0 + 20 s leaves at t0 + 80 s
}

TEST_CASE("each peer has its own budget", "[rate_limit]") {
  Config config = limited_to(1);
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  CHECK(limiter.decide("127.0.0.1", t0).allowed);
  CHECK_FALSE(limiter.decide("127.0.0.1", t0 + 1s).allowed);
  CHECK(limiter.decide("127.0.0.2", t0 + 1s).allowed);
  CHECK(limiter.decide("::1", t0 + 1s).allowed);
  CHECK_FALSE(limiter.decide("127.0.0.2", t0 + 2s).allowed);
}

TEST_CASE("a peer whose times all left the window starts afresh", "[rate_limit]") {
  Config config = limited_to(2);
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  REQUIRE(limiter.decide("p", t0).allowed);
  REQUIRE(limiter.decide("p", t0 + 1s).allowed);
  auto later = limiter.decide("p", t0 + 3600s);
  CHECK(later.allowed);
  CHECK(later.remaining == 1);
}

TEST_CASE("IPv4-mapped IPv6 addresses count as the IPv4 address", "[rate_limit]") {
  CHECK(normalize_peer("::ffff:10.0.0.1") == "10.0.0.1");
  CHECK(normalize_peer("10.0.0.1") == "10.0.0.1");
  CHECK(normalize_peer("::1") == "::1");
  CHECK(normalize_peer("2001:db8::1") == "2001:db8::1");

  Config config = limited_to(1);
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
  CHECK(limiter.decide(normalize_peer("::ffff:10.0.0.1"), t0).allowed);
  CHECK_FALSE(limiter.decide(normalize_peer("10.0.0.1"), t0 + 1s).allowed);
}
