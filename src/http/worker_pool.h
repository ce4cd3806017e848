#pragma once
// The threads that run request handlers, off the I/O thread: a handler may
// wait for the writer's COMMIT or for a read query, and while it waits the
// I/O thread goes on serving every other connection. Several waiting at once
// is what lets the writer commit their writes as one group.
//
// A worker sends the response itself as far as the socket takes it without
// waiting (the I/O thread does not touch a connection while a worker has its
// request), so the client's answer does not wait for the I/O thread to wake;
// the I/O thread then sends any rest and goes back to reading. When nothing is
// left to do but read the next request, the completion hook arms the socket
// for reading itself and the I/O thread takes note at its next wake-up: a
// keep-alive request then costs no extra wake-up of the I/O thread.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "http/request_engine.h"

namespace telemetry::http {

struct Job {
  int fd = -1;
  std::uint64_t serial = 0;
  CompleteRequest request;
  // No request bytes wait behind this one: once the whole answer is sent,
  // reading the next request needs nothing from the I/O thread.
  bool nothing_buffered = false;
};

struct Completion {
  int fd = -1;
  std::uint64_t serial = 0;
  EngineResponse response;
  std::size_t sent = 0;  // bytes of the response the worker already sent
  bool nothing_buffered = false;
  // Set by the completion hook: the socket was armed for reading again.
  bool resumed_reading = false;

  bool fully_sent() const { return sent == response.bytes.size(); }
};

class WorkerPool {
 public:
  // `done` is called on a worker thread with each finished request.
  WorkerPool(RequestEngine& engine, std::size_t threads, std::function<void(Completion)> done);
  ~WorkerPool();  // stop()s

  void submit(Job job);
  // Runs what is queued, then joins the threads.
  void stop();

 private:
  void run();

  RequestEngine& engine_;
  std::function<void(Completion)> done_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace telemetry::http
