#pragma once
// An input's lines, read on a thread of their own in batches, each batch
// classified on all worker threads, one batch after the other, and handed out
// in input order once classified. Reading (a copy of every byte) and
// classifying (JSON parsing and validation) so stay off the thread that
// applies records, which is what limits a large ingest.
//
// Invariant: at most kBatchesInFlight batches exist between being read and
// being released, so memory stays bounded however large the input is.
#include <array>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "buffer/classifying_batch.h"
#include "buffer/line_classifier.h"
#include "buffer/line_reader.h"

namespace telemetry::buffer {

class ClassifyingPipeline {
 public:
  static constexpr std::size_t kBatchesInFlight = 4;

  // Starts reading `fd` (kept open by the caller until this object is gone).
  ClassifyingPipeline(int fd, const ClassifyOptions& options);
  // Stops reading and waits for the reader and the workers.
  ~ClassifyingPipeline();
  ClassifyingPipeline(const ClassifyingPipeline&) = delete;
  ClassifyingPipeline& operator=(const ClassifyingPipeline&) = delete;

  // The next batch in input order, classified; nullptr once the input ended or
  // reading failed. Call release() when done with it, before the next next().
  ClassifyingBatch* next();
  void release();

  // Reading stopped on an error (the batches before it were handed out).
  bool read_failed();
  std::string read_error();

 private:
  void read_batches();
  // Hands out the next batch (classified); `status` is the reader's last.
  void publish(LineReader::Status status);

  LineReader reader_;
  const ClassifyOptions& options_;
  std::array<ClassifyingBatch, kBatchesInFlight> ring_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t read_count_ = 0;      // batches read and classified so far (guarded by mutex_)
  std::size_t released_count_ = 0;  // batches released so far (guarded by mutex_)
  bool reader_done_ = false;        // end of input or error (guarded by mutex_)
  bool stopping_ = false;           // the destructor runs (guarded by mutex_)
  LineReader::Status final_status_ = LineReader::Status::kLine;
  std::thread reader_thread_;        // last: starts once everything above exists
};

}  // namespace telemetry::buffer
