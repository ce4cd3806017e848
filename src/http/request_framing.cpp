#include "http/request_framing.h"

#include <fmt/format.h>

#include "util/ascii.h"

namespace telemetry::http {
namespace {

constexpr std::size_t kMaxChunkLine = 4096;  // chunk size plus extensions

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii::to_lower(a[i]) != ascii::to_lower(b[i])) return false;
  }
  return true;
}

}  // namespace

void RequestFramer::reset() {
  const FramingLimits limits = limits_;
  *this = RequestFramer(limits);
}

RequestFramer::State RequestFramer::refuse(int status, std::string detail) {
  refusal_status_ = status;
  refusal_detail_ = std::move(detail);
  return State::kRefused;
}

RequestFramer::State RequestFramer::advance(std::string_view buffer) {
  if (refusal_status_ != 0) return State::kRefused;
  if (request_size_ > 0) return State::kComplete;
  if (head_size_ == 0) {
    // The head ends with an empty line: "\r\n" right after a line's "\n".
    // The search starts at the request line's own "\n" so that a request
    // without headers ends there too. Lines ending in a bare "\n" are not
    // the end (the parser skips them as invalid header lines).
    const std::size_t first_newline = buffer.find('\n');
    const std::size_t end = first_newline == std::string_view::npos
                                ? std::string_view::npos
                                : buffer.find("\n\r\n", first_newline);
    const std::size_t head_size = end == std::string_view::npos ? 0 : end + 3;
    if ((head_size == 0 && buffer.size() > limits_.max_header_bytes) || head_size > limits_.max_header_bytes) {
      return refuse(431, fmt::format("Request header fields too large: the limit is {} bytes",
                                     limits_.max_header_bytes));
    }
    if (head_size == 0) return State::kIncomplete;
    head_size_ = head_size;
    const State head = parse_head(buffer.substr(0, head_size));
    if (head != State::kIncomplete) return head;
  }
  if (chunked_) return scan_chunks(buffer);
  if (buffer.size() - head_size_ < content_length_) return State::kIncomplete;
  request_size_ = head_size_ + static_cast<std::size_t>(content_length_);
  return State::kComplete;
}

// Reads the framing headers the way the request parser will: header lines
// end in "\r\n" (others are skipped), names compare without case, values are
// trimmed. Returns kIncomplete when a body is to follow.
RequestFramer::State RequestFramer::parse_head(std::string_view head) {
  bool has_length = false;
  bool has_transfer_encoding = false;
  std::size_t start = head.find('\n') + 1;  // past the request line
  while (start < head.size()) {
    const std::size_t end = head.find('\n', start);
    std::string_view line = head.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.back() != '\r') continue;
    line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = ascii::trim(line.substr(colon + 1));
    if (equals_ignoring_case(name, "Content-Length")) {
      std::uint64_t length = 0;
      if (value.empty()) return refuse(400, "Bad Request: invalid Content-Length");
      for (char c : value) {
        if (c < '0' || c > '9') return refuse(400, "Bad Request: invalid Content-Length");
        if (length > (UINT64_MAX - 9) / 10) {
          length = UINT64_MAX;
          break;
        }
        length = length * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (has_length && length != content_length_) {
        return refuse(400, "Bad Request: conflicting Content-Length headers");
      }
      has_length = true;
      content_length_ = length;
    } else if (equals_ignoring_case(name, "Transfer-Encoding")) {
      // Only "chunked" alone is understood; anything else leaves the body's
      // end unknown (RFC 9112 6.3), so the request cannot be framed.
      if (has_transfer_encoding || !equals_ignoring_case(value, "chunked")) {
        return refuse(400, "Bad Request: the only Transfer-Encoding accepted is chunked");
      }
      has_transfer_encoding = true;
      chunked_ = true;
    } else if (equals_ignoring_case(name, "Expect")) {
      expects_continue_ = equals_ignoring_case(value, "100-continue");
    }
  }
  if (has_length && has_transfer_encoding) {
    return refuse(400, "Bad Request: both Content-Length and Transfer-Encoding");
  }
  if (content_length_ > limits_.max_body_bytes) {
    return refuse(413, fmt::format("Request body too large: the limit is {} bytes", limits_.max_body_bytes));
  }
  return State::kIncomplete;
}

RequestFramer::State RequestFramer::scan_chunks(std::string_view buffer) {
  const std::string_view body = buffer.substr(head_size_);
  for (;;) {
    const std::size_t newline = body.find('\n', chunk_cursor_);
    if (newline == std::string_view::npos) {
      if (body.size() - chunk_cursor_ > kMaxChunkLine) return refuse(400, "Bad Request: chunk line too long");
      return State::kIncomplete;
    }
    if (newline - chunk_cursor_ > kMaxChunkLine) return refuse(400, "Bad Request: chunk line too long");
    const std::string_view line = body.substr(chunk_cursor_, newline - chunk_cursor_ + 1);
    if (in_trailers_) {
      chunk_cursor_ = newline + 1;
      if (line == "\r\n") {
        request_size_ = head_size_ + chunk_cursor_;
        return State::kComplete;
      }
      continue;
    }
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (char c : line) {
      const int value = ascii::hex_value(c);
      if (value < 0) break;
      if (size > (limits_.max_body_bytes >> 4)) {
        return refuse(413, fmt::format("Request body too large: the limit is {} bytes", limits_.max_body_bytes));
      }
      size = (size << 4) | static_cast<std::uint64_t>(value);
      ++digits;
    }
    if (digits == 0 || line.size() < digits + 2 || line[line.size() - 2] != '\r') {
      return refuse(400, "Bad Request: invalid chunk size line");
    }
    if (size > limits_.max_body_bytes - chunk_bytes_) {
      return refuse(413, fmt::format("Request body too large: the limit is {} bytes", limits_.max_body_bytes));
    }
    if (size == 0) {
      in_trailers_ = true;
      chunk_cursor_ = newline + 1;
      continue;
    }
    const std::size_t data_start = newline + 1;
    if (body.size() < data_start + size + 2) return State::kIncomplete;
    if (body.substr(data_start + size, 2) != "\r\n") return refuse(400, "Bad Request: chunk not followed by CRLF");
    chunk_bytes_ += size;
    chunk_cursor_ = data_start + size + 2;
  }
}

}  // namespace telemetry::http
