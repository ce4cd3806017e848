#include "db/backup/terminal_progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "db/backup/format_numbers.h"

namespace telemetry::db::backup {

TerminalProgress::TerminalProgress(std::string label, std::uint64_t expected_bytes)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1 && expected_bytes >= 64ull * 1024 * 1024) {}

TerminalProgress::~TerminalProgress() {
  if (enabled_ && last_percent_ >= 0) std::fputs("\n", stderr);
}

void TerminalProgress::update(std::int64_t done_bytes, std::int64_t total_bytes) {
  if (!enabled_ || total_bytes <= 0) return;
  const int percent = static_cast<int>(100 * done_bytes / total_bytes);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  std::fputs(fmt::format("\r{}: {:3}% ({} of {})", label_, percent,
                         human_bytes(static_cast<std::uint64_t>(done_bytes)),
                         human_bytes(static_cast<std::uint64_t>(total_bytes)))
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

}  // namespace telemetry::db::backup
