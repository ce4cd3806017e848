#include "http/deadline_stream.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace telemetry::http {
namespace {

using std::chrono::microseconds;

// The numeric address and port of a socket end, as httplib reports them
// (getnameinfo with NI_NUMERICHOST: "127.0.0.1", "::1"); the rate limiter
// keys on this string.
void address_of(const sockaddr_storage& address, socklen_t length, std::string& ip, int& port) {
  if (address.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  } else if (address.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  } else {
    return;
  }
  char host[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) == 0) {
    ip = host;
  }
}

}  // namespace

StreamClock::time_point read_wait_end(StreamClock::time_point now,
                                      std::optional<StreamClock::time_point> deadline,
                                      microseconds per_read) {
  const StreamClock::time_point timeout_end = now + per_read;
  return deadline ? std::min(timeout_end, *deadline) : timeout_end;
}

int poll_timeout_ms(StreamClock::time_point now, StreamClock::time_point until) {
  if (until <= now) return 0;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
  return left > INT_MAX ? INT_MAX : static_cast<int>(left);
}

DeadlineStream::DeadlineStream(socket_t sock, microseconds read_timeout, microseconds write_timeout)
    : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

void DeadlineStream::set_read_deadline(StreamClock::time_point deadline) { deadline_ = deadline; }

bool DeadlineStream::poll_until(short events, StreamClock::time_point until) const {
  for (;;) {
    pollfd descriptor{sock_, events, 0};
    const int ready = ::poll(&descriptor, 1, poll_timeout_ms(StreamClock::now(), until));
    if (ready > 0) return true;  // also on POLLHUP/POLLERR: the next recv/send reports it
    if (ready < 0 && errno != EINTR) return false;
    if (ready == 0 && StreamClock::now() >= until) return false;
  }
}

bool DeadlineStream::wait_for_bytes(StreamClock::time_point until) const {
  return has_buffered() || poll_until(POLLIN, until);
}

bool DeadlineStream::wait_readable() const {
  const StreamClock::time_point now = StreamClock::now();
  if ((deadline_ && now >= *deadline_) || !poll_until(POLLIN, read_wait_end(now, deadline_, read_timeout_))) {
    read_failed_ = true;
    return false;
  }
  return true;
}

bool DeadlineStream::is_readable() const { return has_buffered() || wait_readable(); }

bool DeadlineStream::is_writable() const {
  if (!poll_until(POLLOUT, StreamClock::now() + write_timeout_)) return false;
  // As httplib's SocketStream: a peer that has hung up is not worth writing to.
  pollfd descriptor{sock_, POLLIN, 0};
  if (::poll(&descriptor, 1, 0) == 0) return true;
  char byte;
  return ::recv(sock_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

ssize_t DeadlineStream::read(char* ptr, std::size_t size) {
  if (size == 0) return 0;
  if (has_buffered()) {
    const std::size_t count = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, count);
    begin_ += count;
    return static_cast<ssize_t>(count);
  }
  // Try first, wait only when nothing is there: one system call per read in
  // the common case. The deadline is checked before each attempt.
  for (;;) {
    if (deadline_ && StreamClock::now() >= *deadline_) {
      read_failed_ = true;
      return -1;
    }
    // Large reads (bodies) go straight to the caller; small ones (the
    // library's byte-at-a-time line reader) fill the buffer.
    const bool direct = size >= buffer_.size();
    const ssize_t received =
        ::recv(sock_, direct ? ptr : buffer_.data(), direct ? size : buffer_.size(), MSG_DONTWAIT);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_readable()) return -1;
      continue;
    }
    if (received < 0) read_failed_ = true;
    if (received <= 0 || direct) return received;
    const std::size_t count = std::min(size, static_cast<std::size_t>(received));
    std::memcpy(ptr, buffer_.data(), count);
    begin_ = count;
    end_ = static_cast<std::size_t>(received);
    return static_cast<ssize_t>(count);
  }
}

ssize_t DeadlineStream::write(const char* ptr, std::size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t count = ::send(sock_, ptr + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (count >= 0) {
      sent += static_cast<std::size_t>(count);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // The write timeout bounds each wait for progress, not the whole response.
      if (!poll_until(POLLOUT, StreamClock::now() + write_timeout_)) return -1;
    } else if (errno != EINTR) {
      return -1;
    }
  }
  return static_cast<ssize_t>(size);
}

void DeadlineStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    address_of(address, length, ip, port);
  }
}

void DeadlineStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    address_of(address, length, ip, port);
  }
}

}  // namespace telemetry::http
