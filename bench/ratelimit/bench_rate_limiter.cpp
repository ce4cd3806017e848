// bench_rate_limiter: the cost of one RateLimiter::decide() call (the work the
// rate limit adds to a request) with 1, 20,000 and 100,000 client addresses
// tracked. Each address is first seen once; then every call is timed on a
// fake clock advancing 1 us per call (so every address stays in the window):
//   known   addresses already tracked, round-robin (the common case);
//   new     an address never seen (at 100,000 the table is full: each one
//           evicts the least recently allowed).
// Reported: nanoseconds per call, median of --rounds rounds.
//   bench_rate_limiter [--rounds 5] [--calls 20000] [--largest 100000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "http/rate_limiter.h"

using telemetry::Config;
using telemetry::http::RateLimiter;
using telemetry::http::ServiceMetrics;

namespace {

std::string address(long i) {
  return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255);
}

struct Result {
  double known_ns;
  double new_ns;
};

Result one_round(long addresses, long calls) {
  Config config;
  config.rate_limit_enabled = true;
  config.rate_limit_rpm = 1000000;  // every call is allowed and recorded
  ServiceMetrics metrics;
  RateLimiter limiter(config, metrics);
  auto now = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  const auto tick = std::chrono::microseconds(1);
  std::vector<std::string> known;
  for (long i = 0; i < addresses; ++i) known.push_back(address(i));
  for (const std::string& peer : known) limiter.decide(peer, now += tick);
  std::vector<std::string> fresh;
  for (long i = 0; i < calls; ++i) fresh.push_back(address(addresses + i) + "x");

  using Wall = std::chrono::steady_clock;
  auto start = Wall::now();
  for (long i = 0; i < calls; ++i) limiter.decide(known[static_cast<std::size_t>(i % addresses)], now += tick);
  const double known_ns = std::chrono::duration<double, std::nano>(Wall::now() - start).count() / calls;
  start = Wall::now();
  for (long i = 0; i < calls; ++i) limiter.decide(fresh[static_cast<std::size_t>(i)], now += tick);
  const double new_ns = std::chrono::duration<double, std::nano>(Wall::now() - start).count() / calls;
  return {known_ns, new_ns};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  long calls = 20000;
  long largest = 100000;  // --largest 20000 skips the 100,000 case (for a slow limiter)
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--largest") == 0) largest = std::atol(argv[i + 1]);
  }
  std::printf("%10s %14s %14s   (ns per decide(), median of %d rounds of %ld calls)\n", "addresses",
              "known", "new", rounds, calls);
  for (long addresses : {1L, 20000L, 100000L}) {
    if (addresses > largest) break;
    std::vector<double> known, fresh;
    for (int r = 0; r < rounds; ++r) {
      const Result result = one_round(addresses, calls);
      known.push_back(result.known_ns);
      fresh.push_back(result.new_ns);
    }
    std::printf("%10ld %14.0f %14.0f\n", addresses, median(known), median(fresh));
  }
  return 0;
}
