#include "http/request_engine.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "http/after_commit.h"
#include "http/front_door_response.h"
#include "http/responses.h"
#include "util/log.h"

namespace telemetry::http {
namespace {

// The request's bytes in, the response's bytes out.
class MemoryStream final : public httplib::Stream {
 public:
  MemoryStream(const CompleteRequest& request, std::string& out) : request_(request), out_(out) {}

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }

  ssize_t read(char* ptr, std::size_t size) override {
    const std::size_t count = std::min(size, request_.bytes.size() - offset_);
    if (count == 1) {
      *ptr = request_.bytes[offset_];  // the line reader asks one byte at a time
    } else if (count > 0) {
      std::memcpy(ptr, request_.bytes.data() + offset_, count);
    }
    offset_ += count;
    return static_cast<ssize_t>(count);
  }

  ssize_t write(const char* ptr, std::size_t size) override {
    // The library answers "Expect: 100-continue" only once the body is read,
    // which here means it is already whole: the front end sent the interim
    // answer when it was due, or the client did not wait for it.
    if (out_.empty() && std::string_view(ptr, size) == kContinueResponse) return static_cast<ssize_t>(size);
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  using httplib::Stream::write;

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = request_.remote_ip;
    port = request_.remote_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = request_.local_ip;
    port = request_.local_port;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  const CompleteRequest& request_;
  std::string& out_;
  std::size_t offset_ = 0;
};

}  // namespace

EngineResponse RequestEngine::handle(const CompleteRequest& request,
                                     std::function<void(std::shared_ptr<PendingAnswer>)> committed) {
  if (!committed) return run(request);
  HandOffScope scope(std::move(committed));
  EngineResponse response = run(request);
  if (auto answer = scope.handed_off()) {
    response.bytes.clear();  // what the library wrote for the unanswered request
    response.handed_off = std::move(answer);
  }
  return response;
}

EngineResponse RequestEngine::resume(PendingAnswer& answer) {
  ResumeScope scope(answer);
  return run(answer.request);
}

EngineResponse RequestEngine::run(const CompleteRequest& request) {
  EngineResponse response;
  try {
    MemoryStream stream(request, response.bytes);
    bool client_closes = false;
    bool parsed = false;
    const bool written = process_request(stream, request.close_after, client_closes,
                                         [&parsed](httplib::Request&) { parsed = true; });
    // A request the library could not parse (400, 414) closes the connection:
    // what follows it in the stream cannot be trusted to start a request.
    response.close = request.close_after || client_closes || !parsed || !written;
  } catch (const std::exception& error) {
    // Handlers' own exceptions are answered by the library's exception
    // handler; this is what escaped the library itself (out of memory...).
    log::error("request processing failed", {{"peer", request.remote_ip}, {"error", error.what()}});
    response.bytes = front_door_response(500, default_detail(500));
    response.close = true;
  }
  return response;
}

}  // namespace telemetry::http
