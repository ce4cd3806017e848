#include "http/deadline_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "http/deadline_stream.h"

namespace telemetry::http {
namespace {

std::chrono::microseconds as_duration(time_t seconds, time_t microseconds) {
  return std::chrono::seconds(seconds) + std::chrono::microseconds(microseconds);
}

}  // namespace

bool DeadlineServer::process_and_close_socket(socket_t sock) {
  const bool ok = serve_connection(sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

bool DeadlineServer::serve_connection(socket_t sock) {
  const std::chrono::microseconds read_timeout = as_duration(read_timeout_sec_, read_timeout_usec_);
  DeadlineStream stream(sock, read_timeout, as_duration(write_timeout_sec_, write_timeout_usec_));
  bool ok = false;
  for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
    // Between requests (and before the first) a connection may stay silent
    // for the keep-alive timeout, as with the library's own loop.
    const auto idle_until = StreamClock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
    // At least one slice even when stopping: a request already here (or
    // pipelined, in the buffer) is served, as the last.
    bool ready = false;
    do {
      const auto slice_end =
          std::min(idle_until, StreamClock::now() + std::chrono::milliseconds(kStopCheckMilliseconds));
      ready = stream.wait_for_bytes(slice_end);
      // Stop at the keep-alive timeout, or on a poll error (it returned early).
      if (!ready && (slice_end >= idle_until || StreamClock::now() < slice_end)) break;
    } while (!ready && !stopping());
    if (!ready) break;

    // The request's first byte is here: all of it must arrive within the read timeout.
    stream.set_read_deadline(StreamClock::now() + read_timeout);
    const bool last = left == 1 || stopping();
    bool client_closes = false;
    ok = process_request(stream, last, client_closes, nullptr);
    // After a failed read the rest of that request may still be on its way
    // and would be taken for the next one: close instead.
    if (!ok || client_closes || last || stream.read_failed()) break;
  }
  return ok;
}

}  // namespace telemetry::http
