#pragma once
// One input of ingest-buffer from first byte to final name (docs/reference/buffer-files.md
// §12): read and classify every line, hand valid records to a
// RecordApplier (direct, dry-run or server mode), quarantine the rejected
// ones, then rename the input. Knows nothing of SQL or HTTP.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "buffer/input_discovery.h"
#include "buffer/line_classifier.h"
#include "buffer/merge_rule.h"
#include "util/error.h"

namespace telemetry::buffer {

// Where valid records go. Failures that stop the whole run (database I/O error
// or busy, service unreachable...) reach ingest_input() as util/error.h's Error,
// whose kind goes into the input's report.
class RecordApplier {
 public:
  virtual ~RecordApplier() = default;
  // Decides (and applies or queues) one record, in input order.
  virtual Outcome apply(ClassifiedLine& line) = 0;
  // Makes everything applied so far durable: COMMIT, or send what is queued.
  virtual void commit() = 0;
  // Drops what is not committed yet.
  virtual void abandon() = 0;
  // Inserts that turned out to be duplicates when committed (server mode: another
  // client stored the event meanwhile). Returns the count and resets it.
  virtual std::int64_t take_late_duplicates() { return 0; }
};

struct LineCounts {
  std::int64_t lines = 0, inserted = 0, updated = 0, duplicates = 0, rejected = 0, blank = 0, skipped = 0;
  void add(const LineCounts& other);
};

enum class InputState { kSynced, kKept, kLeft, kChanged, kDryRun };
// "synced", "kept", "left", "changed", "dry-run" (the JSON `state` values).
const char* state_name(InputState state);

struct InputReport {
  std::string path;
  LineCounts counts;
  InputState state = InputState::kLeft;
  std::optional<std::string> renamed_to;
  std::optional<std::string> rejected_file;
  std::optional<std::string> error;  // why the input was left (or changed)
  // What went wrong with this input, if anything: kInvalidInput for rejected
  // lines, kNotFound for an input that cannot be read, kBusy for a file that
  // changed, the applier's kind when it failed... The command maps it to an exit code.
  std::optional<ErrorKind> failure;
  bool stops_run = false;            // the applier failed: no further input is processed
  static constexpr std::size_t kShownRejections = 20;
  std::vector<std::pair<std::int64_t, std::string>> shown_rejections;  // first 20: line, reason
};

struct IngestOptions {
  ClassifyOptions classify;
  bool dry_run = false;
  std::size_t commit_every = 50000;                 // lines per transaction (§12)
  std::string stdin_quarantine = "stdin.rejected";  // where standard input's rejects go
  // Called every `progress_every` lines with the input's path and the lines read so far.
  std::function<void(const std::string&, std::int64_t)> progress;
  std::int64_t progress_every = 10000;
};

InputReport ingest_input(const InputSpec& input, RecordApplier& applier, const IngestOptions& options);

}  // namespace telemetry::buffer
