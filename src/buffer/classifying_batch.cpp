#include "buffer/classifying_batch.h"

#include <algorithm>
#include <thread>

namespace telemetry::buffer {
namespace {

constexpr std::size_t kLinesPerWorkerMin = 256;

std::size_t worker_count() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(cores == 0 ? 1 : cores, 1, 8);
}

}  // namespace

LineReader::Status ClassifyingBatch::read(LineReader& reader) {
  raw.resize(kLines);  // keeps the strings' capacity from the previous batch
  std::size_t count = 0;
  LineReader::Status status = LineReader::Status::kLine;
  while (count < kLines) {
    status = reader.next(raw[count]);
    if (status != LineReader::Status::kLine) break;
    ++count;
  }
  raw.resize(count);
  return status;
}

void ClassifyingBatch::start_classifying(const ClassifyOptions& options) {
  // Not cleared: each worker overwrites its slots, so the previous batch's
  // records are freed on the workers rather than on the applying thread.
  classified.resize(raw.size());
  workers_.clear();
  if (raw.empty()) return;
  // A small input is not worth a thread: classify it here.
  if (raw.size() < kLinesPerWorkerMin) {
    for (std::size_t i = 0; i < raw.size(); ++i) classified[i] = classify_line(raw[i].bytes, raw[i].terminated, options);
    return;
  }
  const std::size_t threads = std::min(worker_count(), raw.size() / kLinesPerWorkerMin);
  const std::size_t per_thread = (raw.size() + threads - 1) / threads;
  for (std::size_t begin = 0; begin < raw.size(); begin += per_thread) {
    const std::size_t end = std::min(raw.size(), begin + per_thread);
    workers_.push_back(std::async(std::launch::async, [this, begin, end, &options] {
      for (std::size_t i = begin; i < end; ++i) {
        classified[i] = classify_line(raw[i].bytes, raw[i].terminated, options);
      }
    }));
  }
}

void ClassifyingBatch::wait_quietly() {
  for (std::future<void>& worker : workers_) worker.wait();
}

void ClassifyingBatch::wait() {
  for (std::future<void>& worker : workers_) worker.get();
  workers_.clear();
}

}  // namespace telemetry::buffer
