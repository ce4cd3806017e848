#include "http/listen_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "util/error.h"

namespace telemetry::http {
namespace {

std::string address_text(const std::string& host, int port) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

[[noreturn]] void refuse(const std::string& host, int port, int error) {
  const std::string address = address_text(host, port);
  if (error == EADDRINUSE) {
    throw Error(ErrorKind::kUnavailable,
                fmt::format("cannot listen on {}: the address is already in use (another process, "
                            "perhaps another telemetry serve, is listening there)",
                            address));
  }
  throw Error(ErrorKind::kUnavailable, fmt::format("cannot bind to {}: {}", address, std::strerror(error)));
}

}  // namespace

ListenSocket ListenSocket::bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (status != 0) {
    throw Error(ErrorKind::kUnavailable,
                fmt::format("cannot bind to {}: {}", address_text(host, port), ::gai_strerror(status)));
  }
  int error = EADDRNOTAVAIL;
  ListenSocket socket;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            address->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    // SO_REUSEADDR only lets a restart bind past connections in TIME_WAIT;
    // on Linux it never shares a port that someone is listening on.
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    // "::" serves IPv4 clients too, as the library's socket did.
    const int off = 0;
    if (address->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    if (::bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      socket.fd_ = fd;
      break;
    }
    error = errno;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (socket.fd_ < 0) refuse(host, port, error);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(socket.fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  socket.port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(bound).sin6_port)
                                             : ntohs(reinterpret_cast<sockaddr_in&>(bound).sin_port);
  return socket;
}

ListenSocket::ListenSocket(ListenSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), port_(other.port_) {}

ListenSocket& ListenSocket::operator=(ListenSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    port_ = other.port_;
  }
  return *this;
}

ListenSocket::~ListenSocket() { close(); }

void ListenSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace telemetry::http
