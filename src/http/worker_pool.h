#pragma once
// The threads that run request handlers, off the I/O thread: a handler may
// wait for the writer's COMMIT or for a read query, and while it waits the
// I/O thread goes on serving every other connection. Several waiting at once
// is what lets the writer commit their writes as one group.
//
// Workers never touch a socket: a finished request's response bytes go back to
// the I/O thread, which sends them (the one thread doing socket I/O).
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
};

// A request's answer for the I/O thread: its bytes, or (response.handed_off)
// a write that has finished and whose answer is still to be built (resume()).
struct Completion {
  int fd = -1;
  std::uint64_t serial = 0;
  EngineResponse response;
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
