// DeadlineStream: the per-request read deadline that sheds dripping-slowloris
// clients, and the buffering the library's byte-at-a-time line reader needs.
// Timing checks are one-sided or generous (the CI machine is shared): they
// show which limit cut a read, never how fast it was.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <string>
#include <thread>
#include <vector>

#include "http/deadline_stream.h"

using telemetry::http::DeadlineStream;
using telemetry::http::poll_timeout_ms;
using telemetry::http::read_wait_end;
using telemetry::http::StreamClock;
using namespace std::chrono_literals;

namespace {

// Two connected sockets; closes both at the end of the test.
struct SocketPair {
  int server = -1;
  int client = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    server = fds[0];
    client = fds[1];
  }
  ~SocketPair() {
    ::close(server);
    ::close(client);
  }
  void send(const std::string& bytes) const {
    REQUIRE(::send(client, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  }
  // True when the kernel holds no unread bytes for the server end.
  bool kernel_buffer_empty() const {
    char byte;
    return ::recv(server, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN;
  }
};

std::string read_exactly(DeadlineStream& stream, std::size_t count) {
  std::string out;
  char byte;
  while (out.size() < count && stream.read(&byte, 1) == 1) out += byte;
  return out;
}

double seconds_since(StreamClock::time_point start) {
  return std::chrono::duration<double>(StreamClock::now() - start).count();
}

}  // namespace

TEST_CASE("a read waits the per-read timeout, cut to the request deadline", "[deadline]") {
  const auto now = StreamClock::time_point{} + 1000s;
  CHECK(read_wait_end(now, std::nullopt, 30s) == now + 30s);
  CHECK(read_wait_end(now, now + 60s, 30s) == now + 30s);
  CHECK(read_wait_end(now, now + 2s, 30s) == now + 2s);
  CHECK(read_wait_end(now, now - 1s, 30s) == now - 1s);  // already passed: no wait
}

TEST_CASE("poll timeouts round up to whole milliseconds and never go negative", "[deadline]") {
  const auto now = StreamClock::time_point{} + 1000s;
  CHECK(poll_timeout_ms(now, now + 3ms) == 3);
  CHECK(poll_timeout_ms(now, now + 1us) == 1);  // not 0: that would spin until the deadline
  CHECK(poll_timeout_ms(now, now + 1500us) == 2);
  CHECK(poll_timeout_ms(now, now) == 0);
  CHECK(poll_timeout_ms(now, now - 5s) == 0);
  CHECK(poll_timeout_ms(now, now + std::chrono::hours(24 * 365 * 100)) == INT_MAX);
}

TEST_CASE("small reads are served from one buffered receive", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  const std::string request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  pair.send(request);
  char byte;
  REQUIRE(stream.read(&byte, 1) == 1);
  CHECK(byte == 'G');
  // The first one-byte read pulled everything the kernel had into the stream.
  CHECK(pair.kernel_buffer_empty());
  CHECK(read_exactly(stream, request.size() - 1) == request.substr(1));
  CHECK_FALSE(stream.read_failed());
}

TEST_CASE("a read larger than the buffer goes straight to the caller", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  pair.send("0123456789");
  std::vector<char> big(2 * DeadlineStream::kBufferSize);
  REQUIRE(stream.read(big.data(), big.size()) == 10);
  CHECK(std::string(big.data(), 10) == "0123456789");
}

TEST_CASE("a read returns 0 at end of stream", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  pair.send("a");
  ::shutdown(pair.client, SHUT_WR);
  CHECK(read_exactly(stream, 2) == "a");
  char byte;
  CHECK(stream.read(&byte, 1) == 0);
}

TEST_CASE("without a deadline a silent peer fails a read after the per-read timeout", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 200ms, 5s);
  const auto start = StreamClock::now();
  char byte;
  CHECK(stream.read(&byte, 1) == -1);
  CHECK(seconds_since(start) >= 0.19);
  CHECK(stream.read_failed());
}

TEST_CASE("a silent peer fails a read at the request deadline, before the per-read timeout", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 30s, 5s);
  const auto start = StreamClock::now();
  stream.set_read_deadline(start + 200ms);
  char byte;
  CHECK(stream.read(&byte, 1) == -1);
  const double waited = seconds_since(start);
  CHECK(waited >= 0.19);
  CHECK(waited < 25);  // the 30 s per-read timeout did not cut it
  CHECK(stream.read_failed());
}

TEST_CASE("a peer dripping a byte well within the per-read timeout is cut at the deadline", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    // One byte every 20 ms for up to 20 s: each read waits far less than 5 s.
    for (int i = 0; i < 1000 && !stop; ++i) {
      if (::send(pair.client, "x", 1, MSG_NOSIGNAL) != 1) return;
      std::this_thread::sleep_for(20ms);
    }
  });
  const auto start = StreamClock::now();
  stream.set_read_deadline(start + 300ms);
  std::size_t received = 0;
  char byte;
  while (stream.read(&byte, 1) == 1) ++received;
  const double waited = seconds_since(start);
  stop = true;
  dripper.join();
  CHECK(received > 0);
  CHECK(waited >= 0.29);
  CHECK(waited < 15);  // well before the dripper gives up
  CHECK(stream.read_failed());
}

TEST_CASE("bytes already buffered are served after the deadline, the socket is not read", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  pair.send("abc");
  char byte;
  REQUIRE(stream.read(&byte, 1) == 1);
  stream.set_read_deadline(StreamClock::now() - 1s);
  CHECK(read_exactly(stream, 2) == "bc");
  CHECK_FALSE(stream.read_failed());
  pair.send("d");  // on the socket, but the request's time is up
  CHECK(stream.read(&byte, 1) == -1);
  CHECK(stream.read_failed());
}

TEST_CASE("a new deadline starts the next request afresh", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  stream.set_read_deadline(StreamClock::now() - 1s);
  stream.set_read_deadline(StreamClock::now() + 5s);
  pair.send("z");
  char byte;
  CHECK(stream.read(&byte, 1) == 1);
  CHECK(byte == 'z');
  CHECK_FALSE(stream.read_failed());
}

TEST_CASE("waiting for the next request sees buffered bytes and gives up at its limit", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  const auto start = StreamClock::now();
  CHECK_FALSE(stream.wait_for_bytes(start + 100ms));
  CHECK(seconds_since(start) >= 0.09);
  CHECK_FALSE(stream.read_failed());  // an idle wait is not a failed read
  pair.send("ab");
  CHECK(stream.wait_for_bytes(StreamClock::now() + 5s));
  char byte;
  REQUIRE(stream.read(&byte, 1) == 1);
  CHECK(pair.kernel_buffer_empty());
  CHECK(stream.wait_for_bytes(StreamClock::now()));  // "b" is buffered: no wait
}

TEST_CASE("a write sends everything however the peer paces its reads", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  const std::string body(4 * 1024 * 1024, 'w');  // far more than the socket buffers
  std::string received;
  std::thread reader([&] {
    char chunk[65536];
    ssize_t n;
    while ((n = ::recv(pair.client, chunk, sizeof chunk, 0)) > 0) received.append(chunk, static_cast<std::size_t>(n));
  });
  CHECK(stream.write(body) == static_cast<ssize_t>(body.size()));
  ::shutdown(pair.server, SHUT_WR);
  reader.join();
  CHECK(received == body);
}

TEST_CASE("the request deadline does not cut the response", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  stream.set_read_deadline(StreamClock::now() - 1s);  // e.g. a slow handler used up the time
  const std::string response = "HTTP/1.1 201 Created\r\n\r\n";
  CHECK(stream.write(response) == static_cast<ssize_t>(response.size()));
  char reply[64];
  REQUIRE(::recv(pair.client, reply, sizeof reply, 0) == static_cast<ssize_t>(response.size()));
  CHECK(std::string(reply, response.size()) == response);
}

TEST_CASE("a write fails when the peer takes nothing for the write timeout", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 200ms);
  const std::string body(16 * 1024 * 1024, 'w');
  const auto start = StreamClock::now();
  CHECK(stream.write(body) == -1);
  CHECK(seconds_since(start) >= 0.19);
}

TEST_CASE("a write to a peer that has gone fails instead of raising SIGPIPE", "[deadline]") {
  SocketPair pair;
  DeadlineStream stream(pair.server, 5s, 5s);
  ::close(pair.client);
  pair.client = -1;
  CHECK(stream.write("hello") == -1);  // EPIPE; a SIGPIPE would kill this test
}

TEST_CASE("the peer and local addresses are reported numerically, as the rate limiter expects", "[deadline]") {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  const int accepted = ::accept(listener, nullptr, nullptr);
  REQUIRE(accepted >= 0);
  sockaddr_in client_address{};
  length = sizeof client_address;
  REQUIRE(::getsockname(client, reinterpret_cast<sockaddr*>(&client_address), &length) == 0);

  DeadlineStream stream(accepted, 5s, 5s);
  std::string ip;
  int port = 0;
  stream.get_remote_ip_and_port(ip, port);
  CHECK(ip == "127.0.0.1");
  CHECK(port == ntohs(client_address.sin_port));
  stream.get_local_ip_and_port(ip, port);
  CHECK(ip == "127.0.0.1");
  CHECK(port == ntohs(address.sin_port));
  CHECK(stream.socket() == accepted);
  ::close(accepted);
  ::close(client);
  ::close(listener);
}
