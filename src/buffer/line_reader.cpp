#include "buffer/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace telemetry::buffer {
namespace {

constexpr std::size_t kChunkBytes = 1 << 18;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

LineReader::LineReader(int fd) : fd_(fd) {}

bool LineReader::fill() {
  if (at_end_) return false;
  // Drop what has been consumed so the buffer holds at most one partial line plus a chunk.
  if (position_ > 0) {
    buffer_.erase(0, position_);
    position_ = 0;
  }
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkBytes);
  ssize_t got;
  do {
    got = ::read(fd_, buffer_.data() + old_size, kChunkBytes);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    error_ = std::strerror(errno);
    buffer_.resize(old_size);
    at_end_ = true;
    return false;
  }
  buffer_.resize(old_size + static_cast<std::size_t>(got));
  bytes_read_ += got;
  if (got == 0) at_end_ = true;
  return got > 0;
}

LineReader::Status LineReader::next(RawLine& line) {
  if (!started_) {
    started_ = true;
    while (buffer_.size() < kBom.size() && fill()) {
    }
    if (!error_.empty()) return Status::kError;
    if (std::string_view(buffer_).substr(0, kBom.size()) == kBom) position_ = kBom.size();
  }
  std::size_t search_from = position_;
  for (;;) {
    const std::size_t newline = buffer_.find('\n', search_from);
    if (newline != std::string::npos) {
      line.bytes.assign(buffer_, position_, newline - position_);
      line.terminated = true;
      line.number = ++line_number_;
      position_ = newline + 1;
      return Status::kLine;
    }
    const std::size_t scanned = buffer_.size() - position_;
    if (!fill()) break;
    search_from = position_ + scanned;  // fill() moved the unread part to the front
  }
  if (!error_.empty()) return Status::kError;
  if (position_ < buffer_.size()) {
    line.bytes.assign(buffer_, position_, std::string::npos);
    line.terminated = false;
    line.number = ++line_number_;
    position_ = buffer_.size();
    return Status::kLine;
  }
  return Status::kEnd;
}

}  // namespace telemetry::buffer
