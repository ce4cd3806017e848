#pragma once
// httplib::Server that serves each connection with a deadline per request.
//
// cpp-httplib 0.11 only bounds each read, so a client dripping a header line
// more often than the read timeout holds a pool thread for as long as it
// likes. This subclass replaces the library's per-connection loop (its
// private virtual process_and_close_socket) with one that gives every request
// the read timeout, counted from its first byte, to arrive whole; parsing,
// routing and responding stay the library's (process_request).
#include <httplib.h>

namespace telemetry::http {

class DeadlineServer : public httplib::Server {
 private:
  // How often a connection idle between requests checks whether the server
  // is stopping, so stop() does not wait a whole keep-alive timeout for it.
  static constexpr int kStopCheckMilliseconds = 100;

  bool process_and_close_socket(socket_t sock) override;
  bool serve_connection(socket_t sock);
  bool stopping() const { return svr_sock_ == INVALID_SOCKET; }
};

}  // namespace telemetry::http
