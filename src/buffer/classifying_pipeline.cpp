#include "buffer/classifying_pipeline.h"

#include <optional>

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

// Batches are classified one at a time, in input order, each on every worker,
// and handed out once classified: the batch the applying thread needs next is
// never slowed down by later ones (with every read batch classifying at once,
// the applying thread waited 1.5 s of a 10 s run for its next batch). The next
// batch is read while the previous one is classified.
void ClassifyingPipeline::read_batches() {
  std::optional<std::size_t> classifying;  // slot of the batch on the workers, not yet handed out
  for (;;) {
    std::size_t slot;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const std::size_t unpublished = classifying ? 1 : 0;
      changed_.wait(lock, [&] {
        return stopping_ || read_count_ + unpublished - released_count_ < kBatchesInFlight;
      });
      if (stopping_) return;
      slot = (read_count_ + unpublished) % kBatchesInFlight;
    }
    // This slot is neither handed out nor being classified: it was released.
    ClassifyingBatch& batch = ring_[slot];
    const LineReader::Status status = batch.read(reader_);
    if (classifying) {
      ring_[*classifying].wait_quietly();
      publish(LineReader::Status::kLine);
    }
    batch.start_classifying(options_);
    classifying = slot;
    if (status != LineReader::Status::kLine) {
      batch.wait_quietly();
      publish(status);
      return;
    }
  }
}

void ClassifyingPipeline::publish(LineReader::Status status) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++read_count_;
    if (status != LineReader::Status::kLine) {
      reader_done_ = true;
      final_status_ = status;
    }
  }
  changed_.notify_all();
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
