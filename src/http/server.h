#pragma once
// The HTTP service around one Writer: the front end (one I/O thread, see
// event_loop.h) and the request pipeline the library runs on worker threads
// (size limit, routing, auth, rate limit, body decoding; short writes run it on
// the I/O thread up to their hand-off, after_commit.h), request log and lifecycle.
#include <cstddef>
#include <memory>
#include <string>

#include "http/listen_socket.h"
#include "http/service.h"

namespace telemetry::http {

class EventLoop;
class RequestEngine;

class Server {
 public:
  // `listener` is already bound (ListenSocket::bind), so nothing was created
  // on disk before the port was ours.
  Server(ServiceContext& context, ListenSocket listener, std::size_t max_connections);
  ~Server();

  // Serves until stop() is called; returns after in-flight requests finished.
  void listen();
  // Safe from any thread (the signal thread calls it).
  void stop();
  // The base URL clients should use, e.g. http://127.0.0.1:8765.
  std::string base_url() const;

 private:
  void install_routes();
  ServiceContext& context_;
  std::unique_ptr<RequestEngine> server_;
  std::unique_ptr<EventLoop> loop_;
  int port_ = 0;
};

}  // namespace telemetry::http
