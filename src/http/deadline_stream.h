#pragma once
// One connection's socket as an httplib::Stream whose reads obey a deadline
// for the whole request, not just a timeout per read.
//
// cpp-httplib 0.11 waits at most the read timeout for *each* read, so a client
// that drips one header line more often than that keeps its thread forever
// (the "dripping slowloris"). Here every read waits at most the read timeout
// and never past the current request's deadline; once the deadline has passed
// reads fail, the library answers 400 and the connection is closed.
//
// Reads are buffered like httplib's own SocketStream: the library reads
// request and header lines one byte at a time. The buffer lives as long as the
// connection, so bytes of a pipelined next request are kept, not dropped.
// Writes are not bound by the request deadline: a response may take as long
// as the client keeps accepting bytes, with at most the write timeout between
// two bits of progress.
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <httplib.h>

namespace telemetry::http {

using StreamClock = std::chrono::steady_clock;

// When one wait for request bytes must give up: after the per-read timeout,
// or at the request deadline if that comes first.
StreamClock::time_point read_wait_end(StreamClock::time_point now,
                                      std::optional<StreamClock::time_point> deadline,
                                      std::chrono::microseconds per_read);

// poll()'s timeout for waiting from `now` until `until`: whole milliseconds
// rounded up (so a wait never ends just short of `until` and spins), 0 when
// `until` has passed, capped at INT_MAX.
int poll_timeout_ms(StreamClock::time_point now, StreamClock::time_point until);

class DeadlineStream final : public httplib::Stream {
 public:
  static constexpr std::size_t kBufferSize = 4096;

  // Does not own `sock`: the caller closes it after the stream is gone.
  DeadlineStream(socket_t sock, std::chrono::microseconds read_timeout,
                 std::chrono::microseconds write_timeout);

  // Starts a request: from now on reads from the socket fail once `deadline`
  // has passed. Bytes already buffered are still served (they arrived).
  void set_read_deadline(StreamClock::time_point deadline);

  // True once a read failed (timeout, deadline, error): the connection is out
  // of step with the client's request stream and must not serve another request.
  bool read_failed() const { return read_failed_; }

  // Waits until request bytes are available (buffered or on the socket) or
  // `until` passes. For the wait between requests; does not mark a failure.
  bool wait_for_bytes(StreamClock::time_point until) const;

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, std::size_t size) override;
  // Writes all of `size` bytes or fails (-1): the library treats a short
  // count as success in places, which would truncate a response silently.
  ssize_t write(const char* ptr, std::size_t size) override;
  using httplib::Stream::write;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

 private:
  bool has_buffered() const { return begin_ < end_; }
  // Waits for the socket to be readable within the timeout and deadline;
  // marks read_failed_ when it is not.
  bool wait_readable() const;
  bool poll_until(short events, StreamClock::time_point until) const;

  socket_t sock_;
  std::chrono::microseconds read_timeout_;
  std::chrono::microseconds write_timeout_;
  std::optional<StreamClock::time_point> deadline_;
  mutable bool read_failed_ = false;  // set by is_readable(), which is const in httplib::Stream
  std::array<char, kBufferSize> buffer_{};
  std::size_t begin_ = 0;  // unread bytes are buffer_[begin_, end_)
  std::size_t end_ = 0;
};

}  // namespace telemetry::http
