#include "buffer/classifying_pipeline.h"

namespace telemetry::buffer {

ClassifyingPipeline::ClassifyingPipeline(int fd, const ClassifyOptions& options)
    : reader_(fd), options_(options), reader_thread_([this] { read_batches(); }) {}

ClassifyingPipeline::~ClassifyingPipeline() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  reader_thread_.join();
  // Workers still classifying are waited for by the batches' destructors
  // (std::async futures), after this body.
}

void ClassifyingPipeline::read_batches() {
  for (;;) {
    std::size_t slot;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || read_count_ - released_count_ < kBatchesInFlight; });
      if (stopping_) return;
      slot = read_count_ % kBatchesInFlight;
    }
    // This slot is neither handed out nor being classified: it was released.
    ClassifyingBatch& batch = ring_[slot];
    const LineReader::Status status = batch.read(reader_);
    batch.start_classifying(options_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++read_count_;
      if (status != LineReader::Status::kLine) {
        reader_done_ = true;
        final_status_ = status;
      }
    }
    changed_.notify_all();
    if (status != LineReader::Status::kLine) return;
  }
}

ClassifyingBatch* ClassifyingPipeline::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return read_count_ > released_count_ || reader_done_; });
  if (read_count_ == released_count_) return nullptr;
  if (reader_done_ && final_status_ == LineReader::Status::kError) return nullptr;
  ClassifyingBatch& batch = ring_[released_count_ % kBatchesInFlight];
  lock.unlock();
  batch.wait();
  return &batch;
}

void ClassifyingPipeline::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++released_count_;
  }
  changed_.notify_all();
}

bool ClassifyingPipeline::read_failed() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reader_done_ && final_status_ == LineReader::Status::kError;
}

std::string ClassifyingPipeline::read_error() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reader_done_ ? reader_.error() : std::string();
}

}  // namespace telemetry::buffer
