#include "http/rate_limiter.h"

#include <algorithm>

#include <fmt/format.h>

#include "http/responses.h"

namespace telemetry::http {
namespace {
constexpr auto kWindow = std::chrono::seconds(60);
// Stale addresses forgotten per request: more than the one a request can add,
// so the table drains, and few enough that no single request pays for many.
constexpr int kForgetPerRequest = 4;
}  // namespace

std::string normalize_peer(const std::string& address) {
  const std::string mapped = "::ffff:";
  if (address.rfind(mapped, 0) == 0 && address.find('.') != std::string::npos) {
    return address.substr(mapped.size());
  }
  return address;
}

void RateLimiter::Peer::drop_oldest() {
  head = (head + 1) % ring.size();
  --count;
}

void RateLimiter::Peer::record(Clock::time_point now) {
  if (count == ring.size()) {
    // Full: unroll the ring so the oldest is first, then let the vector grow.
    std::rotate(ring.begin(), ring.begin() + static_cast<std::ptrdiff_t>(head), ring.end());
    head = 0;
    ring.push_back(now);
  } else {
    ring[(head + count) % ring.size()] = now;
  }
  ++count;
}

RateLimiter::RateLimiter(const Config& config, ServiceMetrics& metrics, std::size_t max_addresses)
    : enabled_(config.rate_limit_enabled),
      limit_(config.rate_limit_rpm),
      max_addresses_(std::max<std::size_t>(1, max_addresses)),
      metrics_(metrics) {
  // Buckets for the whole cap up front: no rehash of a large table inside a request.
  if (enabled_) index_.reserve(max_addresses_);
}

std::size_t RateLimiter::tracked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return index_.size();
}

void RateLimiter::forget_stale(Clock::time_point now) {
  for (int i = 0; i < kForgetPerRequest && !by_last_allowed_.empty(); ++i) {
    const Peer& front = by_last_allowed_.front();
    if (front.count > 0 && now - front.newest() < kWindow) return;
    index_.erase(front.address);
    by_last_allowed_.pop_front();
  }
}

RateLimiter::PeerList::iterator RateLimiter::find_or_add(const std::string& peer) {
  if (auto found = index_.find(peer); found != index_.end()) return found->second;
  if (index_.size() >= max_addresses_) {
    index_.erase(by_last_allowed_.front().address);
    by_last_allowed_.pop_front();
  }
  by_last_allowed_.push_back(Peer{peer, {}, 0, 0});
  auto added = std::prev(by_last_allowed_.end());
  index_.emplace(added->address, added);
  return added;
}

RateLimiter::Decision RateLimiter::decide(const std::string& peer, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Threads read the clock before taking the lock; keeping the latest reading
  // keeps every peer's times, and the list, in order.
  now = std::max(now, latest_);
  latest_ = now;
  forget_stale(now);
  auto entry = find_or_add(peer);
  Peer& times = *entry;
  while (times.count > 0 && now - times.oldest() >= kWindow) times.drop_oldest();
  if (static_cast<int>(times.count) < limit_) {
    times.record(now);
    by_last_allowed_.splice(by_last_allowed_.end(), by_last_allowed_, entry);
    return {true, limit_ - static_cast<int>(times.count), 0};
  }
  const auto wait = kWindow - (now - times.oldest());
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
