#pragma once
// "backup: 45% (230.1 MiB of 511.0 MiB)" on standard error, rewritten in place,
// only when standard error is a terminal and the job is large enough to wait for.
#include <cstdint>
#include <string>

namespace telemetry::db::backup {

class TerminalProgress {
 public:
  // Shown only when stderr is a terminal and `expected_bytes` >= 64 MiB.
  TerminalProgress(std::string label, std::uint64_t expected_bytes);
  ~TerminalProgress();  // ends the line if one was drawn
  void update(std::int64_t done_bytes, std::int64_t total_bytes);

 private:
  std::string label_;
  bool enabled_ = false;
  int last_percent_ = -1;
};

}  // namespace telemetry::db::backup
