// RequestFramer: where a request ends in the byte stream, and the refusals
// the head alone decides (431, 413, 400), as the I/O thread applies them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "http/request_framing.h"

using telemetry::http::FramingLimits;
using telemetry::http::RequestFramer;
using State = RequestFramer::State;

namespace {

FramingLimits limits(std::size_t header = 1024, std::uint64_t body = 100) {
  FramingLimits l;
  l.max_header_bytes = header;
  l.max_body_bytes = body;
  return l;
}

}  // namespace

TEST_CASE("a request without a body ends at the blank line; what follows is the next request") {
  RequestFramer framer(limits());
  const std::string first = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK(framer.advance(first.substr(0, 20)) == State::kIncomplete);
  CHECK(framer.advance(first.substr(0, first.size() - 1)) == State::kIncomplete);
  CHECK(framer.advance(first + "GET / HTTP/1.1\r\n") == State::kComplete);
  CHECK(framer.request_size() == first.size());
}

TEST_CASE("a request line alone followed by the blank line is complete") {
  RequestFramer framer(limits());
  CHECK(framer.advance("GET / HTTP/1.1\r\n\r\n") == State::kComplete);
  CHECK(framer.request_size() == 18);
}

TEST_CASE("lines ending in a bare LF do not end the head") {
  RequestFramer framer(limits());
  CHECK(framer.advance("GET / HTTP/1.1\r\nA: b\n\n") == State::kIncomplete);
  CHECK(framer.advance("GET / HTTP/1.1\r\nA: b\n\r\n") == State::kComplete);
}

TEST_CASE("Content-Length bytes follow the head, read in any number of pieces") {
  RequestFramer framer(limits());
  const std::string head = "POST /r HTTP/1.1\r\ncontent-length:  5 \r\n\r\n";
  CHECK(framer.advance(head) == State::kIncomplete);
  CHECK(framer.head_complete());
  CHECK(framer.advance(head + "abcd") == State::kIncomplete);
  CHECK(framer.advance(head + "abcdeGET") == State::kComplete);
  CHECK(framer.request_size() == head.size() + 5);
  framer.reset();
  CHECK(!framer.head_complete());
  CHECK(framer.advance("GET") == State::kIncomplete);
}

TEST_CASE("a head over the header limit is 431, complete or not") {
  RequestFramer framer(limits(64));
  CHECK(framer.advance("GET / HTTP/1.1\r\nX: " + std::string(60, 'a')) == State::kRefused);
  CHECK(framer.refusal_status() == 431);
  CHECK(framer.refusal_detail() == "Request header fields too large: the limit is 64 bytes");
  RequestFramer whole(limits(40));
  CHECK(whole.advance("GET / HTTP/1.1\r\nX: " + std::string(30, 'a') + "\r\n\r\n") == State::kRefused);
  CHECK(whole.refusal_status() == 431);
  RequestFramer within(limits(64));
  CHECK(within.advance("GET / HTTP/1.1\r\nX: " + std::string(20, 'a')) == State::kIncomplete);
}

TEST_CASE("a Content-Length over the body limit is 413 as soon as the head is here") {
  RequestFramer framer(limits(1024, 100));
  CHECK(framer.advance("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n") == State::kRefused);
  CHECK(framer.refusal_status() == 413);
  CHECK(framer.refusal_detail() == "Request body too large: the limit is 100 bytes");
  RequestFramer huge(limits(1024, 100));
  CHECK(huge.advance("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n") == State::kRefused);
  CHECK(huge.refusal_status() == 413);
  RequestFramer at(limits(1024, 100));
  CHECK(at.advance("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n") == State::kIncomplete);
}

TEST_CASE("framing that cannot be trusted is 400") {
  for (const char* head : {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
                           "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                           "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                           "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"}) {
    INFO(head);
    RequestFramer framer(limits());
    CHECK(framer.advance(head) == State::kRefused);
    CHECK(framer.refusal_status() == 400);
  }
  RequestFramer same(limits());
  CHECK(same.advance("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx") == State::kComplete);
}

TEST_CASE("a chunked body ends at the last chunk and its blank line") {
  RequestFramer framer(limits());
  const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n";
  const std::string body = "4;ext=1\r\nabcd\r\nA\r\n0123456789\r\n0\r\n";
  std::string buffer = head;
  for (char c : body) {
    buffer += c;
    CHECK(framer.advance(buffer) == State::kIncomplete);
  }
  buffer += "\r\n";
  CHECK(framer.advance(buffer + "NEXT") == State::kComplete);
  CHECK(framer.request_size() == buffer.size());
}

TEST_CASE("chunked trailers are skipped up to the blank line") {
  RequestFramer framer(limits());
  const std::string request = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: 1\r\n\r\n";
  CHECK(framer.advance(request) == State::kComplete);
  CHECK(framer.request_size() == request.size());
}

TEST_CASE("chunk data added up over the body limit is 413 before it arrives") {
  RequestFramer framer(limits(1024, 10));
  std::string buffer = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n";
  CHECK(framer.advance(buffer) == State::kIncomplete);
  CHECK(framer.advance(buffer + "3\r\n") == State::kRefused);
  CHECK(framer.refusal_status() == 413);
  RequestFramer huge(limits(1024, 10));
  CHECK(huge.advance("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n") ==
        State::kRefused);
  CHECK(huge.refusal_status() == 413);
}

TEST_CASE("malformed chunks are 400") {
  for (const std::string& body : std::vector<std::string>{"zz\r\n", "4\r\nabcdXY", "\r\n", std::string(5000, '1')}) {
    RequestFramer framer(limits(1024, 1u << 30));
    const State state = framer.advance(std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") + body);
    INFO(body);
    CHECK(state == State::kRefused);
    CHECK(framer.refusal_status() == 400);
  }
}

TEST_CASE("Expect: 100-continue is seen once the head is complete") {
  RequestFramer framer(limits());
  CHECK(framer.advance("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n") ==
        State::kIncomplete);
  CHECK(framer.expects_continue());
  RequestFramer plain(limits());
  CHECK(plain.advance("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n") == State::kIncomplete);
  CHECK(!plain.expects_continue());
}
