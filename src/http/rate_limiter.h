#pragma once
// Optional per-IP sliding-window rate limit (docs/reference/http-api.md §7).
//
// Cost and memory: a request costs one hash lookup and O(1) list moves under
// the lock, whatever the number of addresses tracked (old entries are forgotten
// a few per request, not by a scan of the table). At most `max_addresses`
// addresses are tracked; when a new address arrives with the table full, the
// address whose last allowed request is the oldest is forgotten (it starts
// again with a full budget). Memory: about 200 bytes per address plus 8 bytes
// per request allowed in the last 60 s.
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <httplib.h>

#include "http/service_metrics.h"
#include "util/config.h"

namespace telemetry::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxAddresses = 100000;

  RateLimiter(const Config& config, ServiceMetrics& metrics,
              std::size_t max_addresses = kMaxAddresses);

  // True when allowed (X-RateLimit-* headers set); otherwise the 429 has been written.
  bool admit(const httplib::Request& request, httplib::Response& response);

  struct Decision {
    bool allowed;
    int remaining;          // after this request, when allowed
    int retry_after_seconds;  // when refused
  };
  // The rule itself, separate from HTTP so it can be tested with a fake clock.
  Decision decide(const std::string& peer, Clock::time_point now);

  // Addresses currently tracked (at most max_addresses).
  std::size_t tracked() const;

 private:
  // One address: the times of its allowed requests in the window, oldest
  // first, in a ring that grows as needed.
  struct Peer {
    std::string address;
    std::vector<Clock::time_point> ring;
    std::size_t head = 0;   // index of the oldest time
    std::size_t count = 0;  // times held
    Clock::time_point oldest() const { return ring[head]; }
    Clock::time_point newest() const { return ring[(head + count - 1) % ring.size()]; }
    void drop_oldest();
    void record(Clock::time_point now);
  };
  using PeerList = std::list<Peer>;

  void forget_stale(Clock::time_point now);
  PeerList::iterator find_or_add(const std::string& peer);

  bool enabled_;
  int limit_;
  std::size_t max_addresses_;
  ServiceMetrics& metrics_;
  mutable std::mutex mutex_;
  Clock::time_point latest_{};  // the clock as last seen, so times only go forward
  // Ordered by the time of the last allowed request, oldest first: the stale
  // and the evicted are always at the front.
  PeerList by_last_allowed_;
  std::unordered_map<std::string_view, PeerList::iterator> index_;  // views of Peer::address
};

// "::ffff:10.0.0.1" -> "10.0.0.1"
std::string normalize_peer(const std::string& address);

}  // namespace telemetry::http
