#pragma once
// cpp-httplib as a request processor without sockets: the front end hands it
// one complete request's bytes and gets the response's bytes back. The
// library still parses the request, routes it and builds the response (its
// Server::process_request, protected, is reached through this subclass); it
// never listens, accepts or touches a socket.
#include <string>

#include <httplib.h>

namespace telemetry::http {

// One request framed by the front end, with what the library asks the stream.
struct CompleteRequest {
  std::string bytes;  // exactly one request: head and body
  std::string remote_ip;
  int remote_port = 0;
  std::string local_ip;
  int local_port = 0;
  bool close_after = false;   // answer with "Connection: close"
  bool continue_sent = false;  // the front end already sent "100 Continue"
};

struct EngineResponse {
  std::string bytes;
  // The connection must close after these bytes: the client asked for it,
  // the request could not be parsed, or close_after was set.
  bool close = false;
};

class RequestEngine : public httplib::Server {
 public:
  EngineResponse handle(const CompleteRequest& request);
};

}  // namespace telemetry::http
