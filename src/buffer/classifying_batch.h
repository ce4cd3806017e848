#pragma once
// A batch of raw lines classified on worker threads. JSON parsing and run
// validation are most of ingest's work and independent per line, so they run
// in parallel while the previous batch is applied in order (docs/reference/buffer-files.md §11 needs
// input order only when records are applied, not when they are parsed).
#include <future>
#include <vector>

#include "buffer/line_classifier.h"
#include "buffer/line_reader.h"

namespace telemetry::buffer {

class ClassifyingBatch {
 public:
  static constexpr std::size_t kLines = 2048;

  // Reads up to kLines lines. Returns the reader's last status: kLine when
  // more may follow, kEnd or kError when the input stopped.
  LineReader::Status read(LineReader& reader);
  // Starts classifying `raw` into `classified` on worker threads.
  void start_classifying(const ClassifyOptions& options);
  // Waits for the workers; rethrows what a worker threw.
  void wait();
  // Blocks until the workers are done, leaving what they threw to wait().
  void wait_quietly();

  std::vector<RawLine> raw;
  std::vector<ClassifiedLine> classified;

 private:
  std::vector<std::future<void>> workers_;
};

}  // namespace telemetry::buffer
