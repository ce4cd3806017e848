#pragma once
// The one progress display of the long commands (migrate, prune,
// ingest-buffer, backup, backup restore): a line on standard error rewritten
// in place, "backup: 45% (230.1 MiB of 511.0 MiB)" or "prune: 120,000 runs".
//
// Drawn only when standard error is a terminal that can rewrite a line (not
// TERM=dumb); the label is bold unless NO_COLOR is set. finish() ends the line
// with a newline, so a summary printed afterwards never runs into it; call it
// before printing the result (the destructor calls it too).
#include <chrono>
#include <cstdint>
#include <string>

namespace telemetry {

class TerminalProgress {
 public:
  enum class Unit { kCount, kBytes };
  struct Style {
    bool enabled = false;  // a terminal that can rewrite a line
    bool color = false;    // bold label
  };
  // From isatty(stderr), TERM and NO_COLOR.
  static Style style_from_environment();

  // `noun` follows counts ("rows", "runs", "lines"). Nothing is drawn for a
  // job whose total stays below `min_total` (short jobs would only flash).
  TerminalProgress(std::string label, Unit unit, std::string noun = "", std::int64_t min_total = 0,
                   Style style = style_from_environment());
  ~TerminalProgress();
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  // `total` <= 0 when not known. Redrawn at most ten times a second.
  void update(std::int64_t done, std::int64_t total = 0);
  void set_label(std::string label) { label_ = std::move(label); }
  // Draws the last state and ends the line, if anything was drawn. Idempotent.
  void finish();

  // The text of one state, without the leading "\r" and erase (for tests).
  std::string render(std::int64_t done, std::int64_t total) const;

 private:
  void draw();

  std::string label_;
  Unit unit_;
  std::string noun_;
  std::int64_t min_total_;
  Style style_;
  std::int64_t done_ = 0, total_ = 0;
  bool drawn_ = false, pending_ = false;
  std::string last_text_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace telemetry
