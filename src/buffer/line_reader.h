#pragma once
// Splits an input (a buffer file or standard input) into lines as
// docs/reference/buffer-files.md §9 reads them: '\n' ends a line, a BOM at the very
// start is skipped, a last line without '\n' is still a line. Reads in large
// chunks so that a 1,000,000-line file costs few system calls.
#include <cstdint>
#include <string>

namespace telemetry::buffer {

struct RawLine {
  std::int64_t number = 0;   // 1-based, counting every line
  std::string bytes;         // without the terminating '\n' (a '\r' before it is kept)
  bool terminated = false;   // false only for a last line that has no '\n'
};

class LineReader {
 public:
  enum class Status { kLine, kEnd, kError };

  // Reads from `fd`, which the caller keeps open (and closes).
  explicit LineReader(int fd);

  // kLine: `line` holds the next line. kEnd: the input is exhausted.
  // kError: read(2) failed; error() says why.
  Status next(RawLine& line);
  const std::string& error() const { return error_; }
  std::int64_t bytes_read() const { return bytes_read_; }

 private:
  // Appends one chunk to buffer_; false at end of input or on error.
  bool fill();

  int fd_;
  std::string buffer_;
  std::size_t position_ = 0;
  bool at_end_ = false;
  bool started_ = false;
  std::int64_t line_number_ = 0;
  std::int64_t bytes_read_ = 0;
  std::string error_;
};

}  // namespace telemetry::buffer
