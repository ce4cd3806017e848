#pragma once
// The listening socket, bound by us rather than by cpp-httplib: the library
// sets SO_REUSEPORT, which lets a second process bind the same port and take
// half of the connections. Here a port that anyone (another telemetry serve
// included) is listening on is refused.
#include <string>

namespace telemetry::http {

class ListenSocket {
 public:
  // Binds host:port (port 0: the system chooses) and listens. Throws
  // Error kUnavailable naming the address when it is in use or cannot be bound.
  static ListenSocket bind(const std::string& host, int port);

  ListenSocket() = default;
  ListenSocket(ListenSocket&& other) noexcept;
  ListenSocket& operator=(ListenSocket&& other) noexcept;
  ListenSocket(const ListenSocket&) = delete;
  ListenSocket& operator=(const ListenSocket&) = delete;
  ~ListenSocket();

  int fd() const { return fd_; }
  int port() const { return port_; }
  void close();

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace telemetry::http
