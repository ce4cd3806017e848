#pragma once
// Where one HTTP/1.1 request ends in a connection's byte stream, decided on
// the I/O thread before any handler sees the request: the head ends at the
// first blank line, then the body runs for Content-Length bytes or up to the
// chunked terminator. Refusals that the head alone allows (431, 413, 400)
// are decided as soon as the bytes that prove them are here.
//
// The framer keeps its place between calls, so a body arriving in many
// reads is scanned once; reset() before the next request on the connection.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace telemetry::http {

struct FramingLimits {
  std::size_t max_header_bytes = 65536;  // request line + headers + blank line
  std::uint64_t max_body_bytes = 16777216;  // Content-Length, or chunk data added up
};

class RequestFramer {
 public:
  enum class State { kIncomplete, kComplete, kRefused };

  explicit RequestFramer(FramingLimits limits) : limits_(limits) {}

  // Looks at the buffered bytes of the current request (they start at
  // buffer[0] and only grow between calls until reset()).
  State advance(std::string_view buffer);
  void reset();

  // kComplete: the request is buffer[0, request_size()); what follows belongs
  // to the next request (pipelining).
  std::size_t request_size() const { return request_size_; }
  // kRefused: the status to answer (400, 413, 431) and the detail text.
  int refusal_status() const { return refusal_status_; }
  const std::string& refusal_detail() const { return refusal_detail_; }
  // The head is complete and a body is still expected: a client that sent
  // "Expect: 100-continue" is waiting for the interim answer.
  bool head_complete() const { return head_size_ > 0; }
  bool expects_continue() const { return expects_continue_; }

 private:
  State refuse(int status, std::string detail);
  State parse_head(std::string_view head);
  State scan_chunks(std::string_view buffer);

  FramingLimits limits_;
  std::size_t head_size_ = 0;  // 0 until the blank line was found
  bool chunked_ = false;
  std::uint64_t content_length_ = 0;
  bool expects_continue_ = false;
  // Chunked bodies: where the next chunk-size line starts, decoded bytes so far.
  std::size_t chunk_cursor_ = 0;
  std::uint64_t chunk_bytes_ = 0;
  bool in_trailers_ = false;
  std::size_t request_size_ = 0;
  int refusal_status_ = 0;
  std::string refusal_detail_;
};

}  // namespace telemetry::http
