#include "util/terminal_progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "util/format_numbers.h"

namespace telemetry {

TerminalProgress::Style TerminalProgress::style_from_environment() {
  const char* term = std::getenv("TERM");
  const char* no_color = std::getenv("NO_COLOR");
  Style style;
  // A dumb terminal cannot erase a line.
  style.enabled = ::isatty(STDERR_FILENO) == 1 && !(term && std::strcmp(term, "dumb") == 0);
  style.color = style.enabled && !(no_color && *no_color);  // no-color.org: set and not empty
  return style;
}

TerminalProgress::TerminalProgress(std::string label, Unit unit, std::string noun, std::int64_t min_total,
                                   Style style)
    : label_(std::move(label)), unit_(unit), noun_(std::move(noun)), min_total_(min_total), style_(style) {}

TerminalProgress::~TerminalProgress() { finish(); }

std::string TerminalProgress::render(std::int64_t done, std::int64_t total) const {
  const auto amount = [this](std::int64_t n) {
    return unit_ == Unit::kBytes ? human_bytes(static_cast<std::uint64_t>(n < 0 ? 0 : n)) : with_thousands(n);
  };
  const std::string label = style_.color ? "\033[1m" + label_ + "\033[0m" : label_;
  const std::string noun = unit_ == Unit::kCount && !noun_.empty() ? " " + noun_ : "";
  if (total <= 0) return fmt::format("{}: {}{}", label, amount(done), noun);
  const std::int64_t percent = done >= total ? 100 : 100 * done / total;
  return fmt::format("{}: {:3}% ({} of {}{})", label, percent, amount(done), amount(total), noun);
}

void TerminalProgress::update(std::int64_t done, std::int64_t total) {
  if (!style_.enabled) return;
  done_ = done;
  total_ = total;
  pending_ = true;
  if (total > 0 ? total < min_total_ : done < min_total_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw();
}

void TerminalProgress::draw() {
  const std::string text = render(done_, total_);
  pending_ = false;
  if (drawn_ && text == last_text_) return;
  // \r and erase-to-end: a shorter line leaves nothing of the longer one behind.
  std::fputs(("\r\033[K" + text).c_str(), stderr);
  std::fflush(stderr);
  last_text_ = text;
  drawn_ = true;
}

void TerminalProgress::finish() {
  if (!drawn_) return;
  if (pending_) draw();
  std::fputs("\n", stderr);
  std::fflush(stderr);
  drawn_ = false;
  pending_ = false;
}

}  // namespace telemetry
