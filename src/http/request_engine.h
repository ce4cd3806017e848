#pragma once
// cpp-httplib as a request processor without sockets: the front end hands it
// one complete request's bytes and gets the response's bytes back. The
// library still parses the request, routes it and builds the response (its
// Server::process_request, protected, is reached through this subclass); it
// never listens, accepts or touches a socket.
#include <functional>
#include <memory>
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

struct PendingAnswer;  // after_commit.h

struct EngineResponse {
  // Set when the request handed its write to the writer (after_commit.h):
  // there are no bytes yet; resume() gives them once the write finished.
  std::shared_ptr<PendingAnswer> handed_off;
  std::string bytes;
  // The connection must close after these bytes: the client asked for it,
  // the request could not be parsed, or close_after was set.
  bool close = false;
};

class RequestEngine : public httplib::Server {
 public:
  // Runs the request to its answer (a 500 that closes if something escapes
  // the library). With `committed` (the I/O thread), a write route hands its
  // write off instead of waiting for the COMMIT, and `committed` is called on
  // the writer thread when it has finished.
  EngineResponse handle(const CompleteRequest& request,
                        std::function<void(std::shared_ptr<PendingAnswer>)> committed = {});
  // The answer of a request that handed its write off, now that it finished.
  EngineResponse resume(PendingAnswer& answer);

 private:
  EngineResponse run(const CompleteRequest& request);
};

}  // namespace telemetry::http
