// RateLimiter::decide, the sliding 60 s window of docs/reference/http-api.md §7, driven by a fake clock.
#include <catch2/catch.hpp>

#include <optional>

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

// A fake clock starting at t0, and the limiter under test made by limiter().
struct Clocked {
  const RateLimiter::Clock::time_point t0 = RateLimiter::Clock::time_point{} + 1000s;
  ServiceMetrics metrics;
  std::optional<RateLimiter> made;
  RateLimiter& limiter_of(int rpm, std::size_t max_addresses = RateLimiter::kMaxAddresses) {
    return made.emplace(limited_to(rpm), metrics, max_addresses);
  }
};

}  // namespace

TEST_CASE_METHOD(Clocked, "the first rpm requests are allowed with a decreasing remaining count", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(3);
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

TEST_CASE_METHOD(Clocked, "Retry-After is rounded up and at least 1", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(1);
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

TEST_CASE_METHOD(Clocked, "refused requests are not recorded", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(2);
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

TEST_CASE_METHOD(Clocked, "the window slides: budget comes back one request at a time", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(3);
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

TEST_CASE_METHOD(Clocked, "each peer has its own budget", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(1);
  CHECK(limiter.decide("127.0.0.1", t0).allowed);
  CHECK_FALSE(limiter.decide("127.0.0.1", t0 + 1s).allowed);
  CHECK(limiter.decide("127.0.0.2", t0 + 1s).allowed);
  CHECK(limiter.decide("::1", t0 + 1s).allowed);
  CHECK_FALSE(limiter.decide("127.0.0.2", t0 + 2s).allowed);
}

TEST_CASE_METHOD(Clocked, "a peer whose times all left the window starts afresh", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(2);
  REQUIRE(limiter.decide("p", t0).allowed);
  REQUIRE(limiter.decide("p", t0 + 1s).allowed);
  auto later = limiter.decide("p", t0 + 3600s);
  CHECK(later.allowed);
  CHECK(later.remaining == 1);
}

TEST_CASE_METHOD(Clocked, "IPv4-mapped IPv6 addresses count as the IPv4 address", "[rate_limit]") {
  CHECK(normalize_peer("::ffff:10.0.0.1") == "10.0.0.1");
  CHECK(normalize_peer("10.0.0.1") == "10.0.0.1");
  CHECK(normalize_peer("::1") == "::1");
  CHECK(normalize_peer("2001:db8::1") == "2001:db8::1");

  RateLimiter& limiter = limiter_of(1);
  CHECK(limiter.decide(normalize_peer("::ffff:10.0.0.1"), t0).allowed);
  CHECK_FALSE(limiter.decide(normalize_peer("10.0.0.1"), t0 + 1s).allowed);
}

TEST_CASE_METHOD(Clocked, "at most max_addresses are tracked; a new one evicts the least recently allowed",
          "[rate_limit]") {
  RateLimiter& limiter = limiter_of(1, /*max_addresses=*/3);
  REQUIRE(limiter.decide("a", t0).allowed);
  REQUIRE(limiter.decide("b", t0 + 1s).allowed);
  REQUIRE(limiter.decide("c", t0 + 2s).allowed);
  CHECK(limiter.tracked() == 3);
  // "a" was allowed longest ago: the fourth address takes its place.
  REQUIRE(limiter.decide("d", t0 + 3s).allowed);
  CHECK(limiter.tracked() == 3);
  CHECK(limiter.decide("a", t0 + 4s).allowed);  // forgotten: a full budget again (evicts "b")
  CHECK(limiter.decide("b", t0 + 5s).allowed);  // evicted in turn (evicts "c")
  CHECK_FALSE(limiter.decide("d", t0 + 6s).allowed);  // still tracked, still limited
  CHECK(limiter.tracked() == 3);
}

TEST_CASE_METHOD(Clocked, "a refused request does not make its address recently allowed", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(1, /*max_addresses=*/2);
  REQUIRE(limiter.decide("a", t0).allowed);
  REQUIRE(limiter.decide("b", t0 + 1s).allowed);
  REQUIRE_FALSE(limiter.decide("a", t0 + 2s).allowed);  // refused: "a" stays the oldest
  REQUIRE(limiter.decide("c", t0 + 3s).allowed);        // evicts "a", not "b"
  CHECK_FALSE(limiter.decide("b", t0 + 4s).allowed);
}

TEST_CASE_METHOD(Clocked, "addresses idle for a window are forgotten a few per request, without a scan",
          "[rate_limit]") {
  RateLimiter& limiter = limiter_of(5);
  for (int i = 0; i < 100; ++i) REQUIRE(limiter.decide("10.0.0." + std::to_string(i), t0).allowed);
  CHECK(limiter.tracked() == 100);
  // One request after the window: only a bounded number of stale entries go
  // (the work of one request does not depend on the size of the table)...
  REQUIRE(limiter.decide("10.1.0.0", t0 + 61s).allowed);
  const std::size_t after_one = limiter.tracked();
  CHECK(after_one < 100);
  CHECK(after_one > 90);
  // ...and the stale ones keep draining request by request.
  for (int i = 1; i < 40; ++i) REQUIRE(limiter.decide("10.1.0." + std::to_string(i), t0 + 61s).allowed);
  CHECK(limiter.tracked() == 40);  // the 40 live addresses only
}

TEST_CASE_METHOD(Clocked, "a clock reading older than one already seen counts as the latest", "[rate_limit]") {
  // Threads read the clock before the lock, so readings may arrive out of order.
  RateLimiter& limiter = limiter_of(2);
  REQUIRE(limiter.decide("p", t0 + 10s).allowed);
  REQUIRE(limiter.decide("p", t0 + 9s).allowed);  // recorded as t0 + 10 s
  auto refused = limiter.decide("p", t0 + 11s);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 59);
  CHECK(limiter.decide("p", t0 + 70s).allowed);  // both left together
  CHECK(limiter.decide("p", t0 + 70s).allowed);
}

TEST_CASE_METHOD(Clocked, "a ring that wraps and grows keeps the oldest time first", "[rate_limit]") {
  RateLimiter& limiter = limiter_of(4);
  // Two times, one leaves, two more: the ring wraps before it grows to four.
  REQUIRE(limiter.decide("p", t0).allowed);
  REQUIRE(limiter.decide("p", t0 + 10s).allowed);
  REQUIRE(limiter.decide("p", t0 + 60s).allowed);   // t0 leaves
  REQUIRE(limiter.decide("p", t0 + 61s).allowed);
  auto last = limiter.decide("p", t0 + 62s);
  REQUIRE(last.allowed);
  CHECK(last.remaining == 0);
  auto refused = limiter.decide("p", t0 + 63s);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 7);  // t0 + 10 s is the oldest: leaves at t0 + 70 s
  auto at70 = limiter.decide("p", t0 + 70s);
  CHECK(at70.allowed);
  CHECK(at70.remaining == 0);
  CHECK(limiter.decide("p", t0 + 71s).retry_after_seconds == 49);  // t0 + 60 s next
}
