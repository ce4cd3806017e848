#pragma once
// The HTTP service around one Writer: listener, request pipeline (size limit,
// routing, auth, rate limit, body decoding), request log and lifecycle.
#include <functional>
#include <memory>
#include <string>

#include "http/service.h"

namespace httplib { class Server; }

namespace telemetry::http {

class Server {
 public:
  explicit Server(ServiceContext& context);
  ~Server();

  // Binds host:port (port 0: the system chooses). Throws CommandError 69 when
  // the address is in use or cannot be bound. Returns the bound port.
  int bind();
  // Serves until stop() is called; returns after in-flight requests finished.
  void listen();
  // Safe from any thread (the signal thread calls it).
  void stop();
  // The base URL clients should use, e.g. http://127.0.0.1:8765.
  std::string base_url() const;

 private:
  void install_routes();
  ServiceContext& context_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
};

}  // namespace telemetry::http
