#pragma once
// The service's own retention (TELEMETRY_RETENTION_DAYS, docs/reference/configuration.md §4.2): a
// pass 60 s after start and then every 3600 s deletes the runs whose
// created_at is before the canonical UTC form of now - N days, 10,000 rows at
// a time. Each batch is one db::Writer operation, so deletions go through the
// single writer between other writes instead of opening a second writer.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "db/writer.h"
#include "http/service.h"
#include "http/service_metrics.h"

namespace telemetry::http {

// The documented schedule by default; unit tests (tests/unit/http/test_retention.cpp)
// pass a short one, and a clock, to the scheduler instead of waiting an hour.
struct RetentionTiming {
  std::chrono::milliseconds first_delay{60000};
  std::chrono::milliseconds interval{3600000};
  std::int64_t batch_size = 10000;
};

class RetentionScheduler {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  RetentionScheduler(db::Writer& writer, ServiceMetrics& metrics, MetadataCache& metadata_cache, int retention_days,
                     RetentionTiming timing = {}, Clock now = std::chrono::system_clock::now);
  ~RetentionScheduler();  // stop()s

  void start();
  // Wakes the thread and joins it. A pass in progress stops before its next
  // batch, so shutdown waits for at most one batch already handed to the writer.
  void stop();

  // One pass, on the calling thread: batches until one deletes fewer rows than
  // the batch size, the writer refuses work, or stop() was called. Returns the
  // rows deleted. Logs the pass and counts it in the metrics.
  std::int64_t run_pass();

 private:
  void run();
  bool stopping() const;

  db::Writer& writer_;
  ServiceMetrics& metrics_;
  MetadataCache& metadata_cache_;
  const int retention_days_;
  const RetentionTiming timing_;
  const Clock now_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace telemetry::http
