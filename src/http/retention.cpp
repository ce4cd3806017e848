#include "http/retention.h"

#include <string>

#include "core/timestamp.h"
#include "util/log.h"

namespace telemetry::http {

RetentionScheduler::RetentionScheduler(db::Writer& writer, ServiceMetrics& metrics, MetadataCache& metadata_cache,
                                       int retention_days, RetentionTiming timing, Clock now)
    : writer_(writer),
      metrics_(metrics),
      metadata_cache_(metadata_cache),
      retention_days_(retention_days),
      timing_(timing),
      now_(std::move(now)) {}

RetentionScheduler::~RetentionScheduler() { stop(); }

void RetentionScheduler::start() { thread_ = std::thread([this] { run(); }); }

void RetentionScheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RetentionScheduler::stopping() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

void RetentionScheduler::run() {
  auto delay = timing_.first_delay;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return;
    }
    run_pass();
    delay = timing_.interval;
  }
}

std::int64_t RetentionScheduler::run_pass() {
  const auto started = std::chrono::steady_clock::now();
  const std::string cutoff = canonical_utc(now_() - std::chrono::hours(24) * retention_days_);
  std::int64_t deleted = 0, batches = 0;
  for (;;) {
    if (stopping()) {
      log::info("retention pass stopped by shutdown", {{"deleted", std::to_string(deleted)}, {"cutoff", cutoff}});
      return deleted;
    }
    std::int64_t batch_deleted = 0;
    const db::WriteResult result = writer_.submit([&](db::RunStore& store) {
      batch_deleted = store.delete_created_before(cutoff, timing_.batch_size);
    });
    if (!result.ok()) {
      if (result.status != db::WriteStatus::kShuttingDown) {
        log::warning("retention pass ended early: the writer refused a batch; the next pass retries",
                     {{"error", result.message}, {"deleted", std::to_string(deleted)}, {"cutoff", cutoff}});
      }
      return deleted;
    }
    ++batches;
    deleted += batch_deleted;
    metrics_.retention_deleted_runs.fetch_add(static_cast<std::uint64_t>(batch_deleted));
    // The batch is committed now; the metadata cache may name agents it removed.
    if (batch_deleted > 0) metadata_cache_.invalidate();
    if (batch_deleted < timing_.batch_size) break;
  }
  metrics_.retention_passes.fetch_add(1);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  log::info("retention pass", {{"deleted", std::to_string(deleted)},
                               {"batches", std::to_string(batches)},
                               {"cutoff", cutoff},
                               {"retention_days", std::to_string(retention_days_)},
                               {"duration_ms", std::to_string(ms.count())}});
  return deleted;
}

}  // namespace telemetry::http
