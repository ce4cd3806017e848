#pragma once
// The front end: exactly one thread does socket I/O for every connection
// (epoll, non-blocking sockets). It accepts, reads each request into its
// connection's buffer until the request is complete, hands complete requests
// to the worker pool, and writes the answers back without ever blocking on a
// slow reader. Short writes of one run are the exception: they run on the I/O thread up
// to the hand-off of their write to the writer, and are answered there once
// it has committed (after_commit.h), which saves a worker's wake-up each.
// A connection that is idle or still receiving its request costs a buffer and
// a timer entry, never a thread.
//
// Deadlines, one per connection at a time:
//  - before a request's first byte: the keep-alive timeout (closed quietly);
//  - from a request's first byte: the read timeout for the whole request
//    (answered 400 and closed when it passes);
//  - while an answer is being sent: the write timeout between two bits of progress;
//  - after an answer that closes: a short linger reading what the client still sends.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/after_commit.h"
#include "http/connection.h"
#include "http/listen_socket.h"
#include "http/request_engine.h"
#include "http/throttled_log.h"
#include "http/worker_pool.h"

namespace telemetry::http {

struct FrontDoorSettings {
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds keepalive{5};  // 0: one request per connection
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 0;  // 0: no cap
  FramingLimits limits;
  std::size_t workers = 16;
  // After this many requests a connection is answered "Connection: close"
  // (the figure the library's Keep-Alive header announces).
  std::size_t max_requests_per_connection = 1000;
  // Requests whose handlers never block: they answer at once or hand their
  // write off (after_commit.h). Those no larger than kMostBytesOnIoThread run
  // on the I/O thread, at most `workers` of them waiting for the writer at a
  // time; the rest go to the workers like any other request.
  std::function<bool(std::string_view method, std::string_view target)> hands_off_writes;
};

class EventLoop {
 public:
  EventLoop(ListenSocket listener, RequestEngine& engine, FrontDoorSettings settings);
  ~EventLoop();

  // Serves until stop(); returns once every request already received has
  // been answered (or its client stopped reading).
  void run();
  // Safe from any thread (the signal thread calls it).
  void stop();

 private:
  struct Timer {
    Clock::time_point when;
    int fd;
    std::uint64_t serial;
    std::uint64_t timer_serial;
    bool operator>(const Timer& other) const { return when > other.when; }
  };

  void accept_ready();
  void shed_after_descriptor_exhaustion(int error);
  void refuse_at_accept(int fd, const std::string& detail);
  void on_event(Connection& connection, std::uint32_t events);
  void read_from(Connection& connection);
  void frame(Connection& connection);
  void dispatch(Connection& connection);
  bool runs_on_io_thread(const CompleteRequest& request) const;
  void answer_here(Connection& connection, CompleteRequest request);
  void complete(Completion completion);  // on a worker or the writer thread
  void take_completions();
  void start_writing(Connection& connection, std::string bytes, bool close_after);
  void flush(Connection& connection);
  void after_response(Connection& connection);
  void start_reading_next(Connection& connection);
  void linger(Connection& connection);
  void refuse(Connection& connection, int status, const std::string& detail);
  void close(Connection& connection);
  void set_interest(Connection& connection, std::uint32_t events);
  Clock::duration idle_timeout() const;
  void arm(Connection& connection, Clock::time_point when);
  void disarm(Connection& connection);
  int next_wait_ms();
  void expire_timers();
  void on_timeout(Connection& connection);
  void begin_stop();

  ListenSocket listener_;
  RequestEngine& engine_;
  FrontDoorSettings settings_;
  int epoll_ = -1;
  int wake_ = -1;   // eventfd: completions are waiting, or stop() was called
  int spare_ = -1;  // a descriptor kept free to shed a connection when none is left
  bool accepting_ = true;
  Clock::time_point accept_paused_until_{};

  std::vector<std::unique_ptr<Connection>> connections_;  // indexed by fd
  std::size_t open_ = 0;
  std::size_t with_workers_ = 0;  // requests handed to workers, completions not yet taken
  std::size_t handed_off_ = 0;    // writes handed off by the I/O thread, not yet answered
  std::uint64_t next_serial_ = 0;
  std::uint64_t next_timer_serial_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::vector<char> read_buffer_;
  ThrottledLog throttled_;

  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;

  std::mutex completions_mutex_;
  std::vector<Completion> completions_;
  WorkerPool workers_;  // last: its threads stop before the rest goes
};

}  // namespace telemetry::http
