#include "http/event_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "http/front_door_response.h"
#include "util/log.h"

namespace telemetry::http {
namespace {

constexpr std::uint64_t kListenerTag = UINT64_MAX;
constexpr std::uint64_t kWakeTag = UINT64_MAX - 1;
constexpr std::size_t kReadChunk = 65536;
constexpr int kReadsPerEvent = 16;      // then the next connection's turn
constexpr int kAcceptsPerEvent = 256;   // likewise for a burst of new connections
constexpr auto kLinger = std::chrono::seconds(2);
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
// Larger requests (a batch, a run with a long error text) go to a worker:
// decoding and validating them would hold up every other connection.
constexpr std::size_t kMostBytesOnIoThread = 65536;

void address_of(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
    // "::ffff:127.0.0.1" (an IPv4 client of a dual-stack socket) as 127.0.0.1.
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) ::inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof text);
  }
  ip = text;
}

[[noreturn]] void system_failure(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

// Empty and without its allocation, so an idle connection holds no buffer.
void release(std::string& buffer) { std::string().swap(buffer); }

}  // namespace

EventLoop::EventLoop(ListenSocket listener, RequestEngine& engine, FrontDoorSettings settings)
    : listener_(std::move(listener)),
      engine_(engine),
      settings_(std::move(settings)),
      read_buffer_(kReadChunk),
      workers_(engine, settings.workers, [this](Completion completion) { complete(std::move(completion)); }) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) system_failure("epoll_create1");
  wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_ < 0) system_failure("eventfd");
  spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kListenerTag;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_.fd(), &event) != 0) system_failure("epoll_ctl");
  event.data.u64 = kWakeTag;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event) != 0) system_failure("epoll_ctl");
}

EventLoop::~EventLoop() {
  workers_.stop();
  for (auto& connection : connections_) {
    if (connection) ::close(connection->fd);
  }
  if (spare_ >= 0) ::close(spare_);
  ::close(wake_);
  ::close(epoll_);
}

// On a worker thread (an answer) or the writer thread (a handed-off write that
// finished): queue it and wake the I/O thread.
void EventLoop::complete(Completion completion) {
  {
    std::lock_guard<std::mutex> lock(completions_mutex_);
    completions_.push_back(std::move(completion));
  }
  const std::uint64_t one = 1;
  // The counter saturating is harmless: the I/O thread is awake anyway.
  [[maybe_unused]] const ssize_t written = ::write(wake_, &one, sizeof one);
}

void EventLoop::stop() {
  stop_requested_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_, &one, sizeof one);
}

void EventLoop::run() {
  std::vector<epoll_event> events(512);
  for (;;) {
    if (stop_requested_ && !stopping_) begin_stop();
    if (stopping_ && open_ == 0 && handed_off_ == 0) break;
    if (!accepting_ && !stopping_ && Clock::now() >= accept_paused_until_) {
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = kListenerTag;
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_.fd(), &event);
      accepting_ = true;
    }
    const int ready = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), next_wait_ms());
    if (ready < 0 && errno != EINTR) system_failure("epoll_wait");
    bool woken = false;
    for (int i = 0; i < ready; ++i) {
      const std::uint64_t tag = events[i].data.u64;
      if (tag == kListenerTag) {
        if (!stopping_) accept_ready();
      } else if (tag == kWakeTag) {
        std::uint64_t count = 0;
        [[maybe_unused]] const ssize_t got = ::read(wake_, &count, sizeof count);
        woken = true;
      } else {
        const auto fd = static_cast<std::size_t>(tag);
        if (fd >= connections_.size() || !connections_[fd]) continue;
        Connection& connection = *connections_[fd];
        const std::uint64_t serial = connection.serial;
        connection.events = 0;  // one-shot: the event disarmed it
        on_event(connection, events[i].events);
        // Still waiting for bytes: listen again (a closed connection is gone).
        if (connections_[fd] && connections_[fd]->serial == serial &&
            (connection.state == Connection::State::kReading || connection.state == Connection::State::kDraining)) {
          set_interest(connection, EPOLLIN);
        }
      }
    }
    // After the eventfd was read: whatever is queued after this point wakes
    // the next epoll_wait. Nothing can be queued while no worker has a request
    // and no write is handed off, so that case takes no lock.
    if (woken && (with_workers_ > 0 || handed_off_ > 0)) take_completions();
    expire_timers();
  }
}

// ---- accepting ----------------------------------------------------------

void EventLoop::accept_ready() {
  for (int i = 0; i < kAcceptsPerEvent; ++i) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(listener_.fd(), reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EMFILE || errno == ENFILE) {
        shed_after_descriptor_exhaustion(errno);
        return;
      }
      throttled_.warning("accept failed", {{"error", std::strerror(errno)}});
      return;
    }
    std::string ip;
    int port = 0;
    address_of(address, ip, port);
    if (open_ >= settings_.max_connections) {
      throttled_.warning("connection refused: the most open connections are open",
                         {{"limit", std::to_string(settings_.max_connections)},
                          {"setting", "TELEMETRY_HTTP_MAX_CONNECTIONS"}, {"peer", ip}});
      refuse_at_accept(fd, "Too many open connections; retry later");
      continue;
    }
    if (settings_.max_connections_per_address > 0 &&
        per_address_[ip] >= settings_.max_connections_per_address) {
      throttled_.warning("connection refused: its address has the most connections allowed",
                         {{"limit", std::to_string(settings_.max_connections_per_address)},
                          {"setting", "TELEMETRY_HTTP_MAX_CONNECTIONS_PER_ADDRESS"}, {"peer", ip}});
      refuse_at_accept(fd, "Too many open connections from this address; retry later");
      continue;
    }
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (static_cast<std::size_t>(fd) >= connections_.size()) connections_.resize(static_cast<std::size_t>(fd) + 1);
    auto connection = std::make_unique<Connection>(fd, ++next_serial_, settings_.limits);
    connection->peer_ip = std::move(ip);
    connection->peer_port = port;
    sockaddr_storage local{};
    socklen_t local_length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) == 0) {
      address_of(local, connection->local_ip, connection->local_port);
    }
    if (settings_.max_connections_per_address > 0) ++per_address_[connection->peer_ip];
    Connection& added = *connection;
    connections_[static_cast<std::size_t>(fd)] = std::move(connection);
    ++open_;
    set_interest(added, EPOLLIN);
    arm(added, Clock::now() + idle_timeout());
  }
}

// No descriptor left to accept with: the pending connection would make the
// listener report "readable" forever. Give up the spare descriptor to accept
// and close it (the client sees the connection close at once), or, when even
// that fails, stop accepting for a moment.
void EventLoop::shed_after_descriptor_exhaustion(int error) {
  throttled_.warning("connection shed: no file descriptor left to accept it",
                     {{"error", std::strerror(error)}, {"open_connections", std::to_string(open_)},
                      {"setting", "TELEMETRY_HTTP_MAX_CONNECTIONS"}});
  if (spare_ >= 0) {
    ::close(spare_);
    spare_ = -1;
    const int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) ::close(fd);
    spare_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) return;
  }
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_.fd(), nullptr);
  accepting_ = false;
  accept_paused_until_ = Clock::now() + kAcceptPause;
}

// Over a connection limit: a 503 the client can read, then the close. The
// answer fits a fresh socket's send buffer, so the send does not block.
void EventLoop::refuse_at_accept(int fd, const std::string& detail) {
  const std::string response = front_door_response(503, detail);
  [[maybe_unused]] const ssize_t sent = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

// ---- reading and framing -------------------------------------------------

void EventLoop::on_event(Connection& connection, std::uint32_t events) {
  switch (connection.state) {
    case Connection::State::kReading:
    case Connection::State::kDraining:
      read_from(connection);
      break;
    case Connection::State::kWriting:
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) flush(connection);
      break;
    case Connection::State::kProcessing:
      break;  // not registered with epoll while a worker has its request
  }
}

void EventLoop::read_from(Connection& connection) {
  for (int i = 0; i < kReadsPerEvent; ++i) {
    const ssize_t received = ::recv(connection.fd, read_buffer_.data(), read_buffer_.size(), 0);
    if (received > 0) {
      if (connection.state == Connection::State::kDraining) continue;  // read only to be discarded
      if (connection.in.empty()) arm(connection, Clock::now() + settings_.read_timeout);  // a request's first byte
      connection.in.append(read_buffer_.data(), static_cast<std::size_t>(received));
      if (static_cast<std::size_t>(received) < read_buffer_.size()) break;  // the socket is empty for now
      continue;
    }
    if (received == 0) {
      connection.peer_closed = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    close(connection);  // reset by the peer, or another error: nothing to answer
    return;
  }
  if (connection.state == Connection::State::kDraining) {
    if (connection.peer_closed) close(connection);
    return;
  }
  frame(connection);
}

void EventLoop::frame(Connection& connection) {
  // Empty lines before a request line are ignored (RFC 9112 2.2), e.g. the
  // CRLF some clients send after a body.
  std::size_t blank = 0;
  while (blank + 1 < connection.in.size() && connection.in[blank] == '\r' && connection.in[blank + 1] == '\n') {
    blank += 2;
  }
  if (blank > 0) connection.in.erase(0, blank);
  if (connection.in.empty()) {
    if (connection.peer_closed) {
      close(connection);
    } else if (blank > 0) {
      release(connection.in);
      arm(connection, Clock::now() + idle_timeout());  // only empty lines: still between requests
    }
    return;
  }
  switch (connection.framer.advance(connection.in)) {
    case RequestFramer::State::kComplete:
      dispatch(connection);
      return;
    case RequestFramer::State::kRefused:
      if (connection.framer.refusal_status() == 431) {
        throttled_.warning("request refused: its header is over the limit",
                           {{"limit", std::to_string(settings_.limits.max_header_bytes)},
                            {"setting", "TELEMETRY_HTTP_MAX_HEADER_BYTES"}, {"peer", connection.peer_ip}});
      }
      refuse(connection, connection.framer.refusal_status(), connection.framer.refusal_detail());
      return;
    case RequestFramer::State::kIncomplete:
      break;
  }
  if (connection.peer_closed) {
    close(connection);  // half a request and no more to come
    return;
  }
  if (connection.framer.expects_continue() && connection.framer.head_complete() && !connection.continue_sent) {
    // A tiny write to a socket with nothing queued: it fits, or the client
    // is not waiting for it anyway (it sends the body after a pause).
    [[maybe_unused]] const ssize_t sent = ::send(connection.fd, kContinueResponse.data(), kContinueResponse.size(),
                                                 MSG_NOSIGNAL | MSG_DONTWAIT);
    connection.continue_sent = true;
  }
}

void EventLoop::dispatch(Connection& connection) {
  const std::size_t size = connection.framer.request_size();
  Job job;
  job.fd = connection.fd;
  job.serial = connection.serial;
  if (size == connection.in.size()) {
    job.request.bytes = std::move(connection.in);
    release(connection.in);
  } else {
    job.request.bytes.assign(connection.in, 0, size);
    connection.in.erase(0, size);  // the next, pipelined request
  }
  job.request.remote_ip = connection.peer_ip;
  job.request.remote_port = connection.peer_port;
  job.request.local_ip = connection.local_ip;
  job.request.local_port = connection.local_port;
  job.request.close_after = stopping_ || connection.peer_closed || settings_.keepalive.count() == 0 ||
                            ++connection.requests >= settings_.max_requests_per_connection;
  job.request.continue_sent = connection.continue_sent;
  connection.state = Connection::State::kProcessing;
  set_interest(connection, 0);
  disarm(connection);
  if (handed_off_ < settings_.workers && runs_on_io_thread(job.request)) {
    answer_here(connection, std::move(job.request));
    return;
  }
  ++with_workers_;
  workers_.submit(std::move(job));
}

bool EventLoop::runs_on_io_thread(const CompleteRequest& request) const {
  if (!settings_.hands_off_writes || request.bytes.size() > kMostBytesOnIoThread) return false;
  // The request line, "METHOD SP target SP version"; the framer has seen it whole.
  const std::string_view bytes(request.bytes);
  const std::size_t method_end = bytes.find(' ');
  if (method_end == std::string_view::npos) return false;
  const std::size_t target_end = bytes.find(' ', method_end + 1);
  if (target_end == std::string_view::npos) return false;
  return settings_.hands_off_writes(bytes.substr(0, method_end),
                                    bytes.substr(method_end + 1, target_end - method_end - 1));
}

void EventLoop::answer_here(Connection& connection, CompleteRequest request) {
  const int fd = connection.fd;
  const std::uint64_t serial = connection.serial;
  EngineResponse response = engine_.handle(request, [this, fd, serial](std::shared_ptr<PendingAnswer> answer) {
    EngineResponse finished;
    finished.handed_off = std::move(answer);
    complete(Completion{fd, serial, std::move(finished)});
  });
  if (response.handed_off) {
    response.handed_off->request = std::move(request);
    ++handed_off_;
    return;  // answered by take_completions()
  }
  start_writing(connection, std::move(response.bytes), response.close || stopping_);
}

// ---- answering -------------------------------------------------------------

void EventLoop::take_completions() {
  std::vector<Completion> done;
  {
    std::lock_guard<std::mutex> lock(completions_mutex_);
    done.swap(completions_);
  }
  for (Completion& completion : done) {
    EngineResponse& response = completion.response;
    if (response.handed_off) {
      --handed_off_;
    } else {
      --with_workers_;
    }
    const auto fd = static_cast<std::size_t>(completion.fd);
    if (fd >= connections_.size() || !connections_[fd] || connections_[fd]->serial != completion.serial) continue;
    if (response.handed_off) response = engine_.resume(*response.handed_off);
    start_writing(*connections_[fd], std::move(response.bytes), response.close || stopping_);
  }
}

void EventLoop::start_writing(Connection& connection, std::string bytes, bool close_after) {
  connection.state = Connection::State::kWriting;
  connection.out = std::move(bytes);
  connection.out_sent = 0;
  connection.close_after_write = close_after;
  flush(connection);
}

void EventLoop::flush(Connection& connection) {
  while (connection.out_sent < connection.out.size()) {
    const ssize_t sent = ::send(connection.fd, connection.out.data() + connection.out_sent,
                                connection.out.size() - connection.out_sent, MSG_NOSIGNAL);
    if (sent > 0) {
      connection.out_sent += static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The client reads slowly: wait for room, at most the write timeout
      // between two bits of progress.
      set_interest(connection, EPOLLOUT);
      arm(connection, Clock::now() + settings_.write_timeout);
      return;
    }
    close(connection);  // the client went away
    return;
  }
  release(connection.out);
  connection.out_sent = 0;
  after_response(connection);
}

void EventLoop::after_response(Connection& connection) {
  if (connection.close_after_write) {
    linger(connection);
    return;
  }
  start_reading_next(connection);
}

void EventLoop::start_reading_next(Connection& connection) {
  connection.state = Connection::State::kReading;
  connection.framer.reset();
  connection.continue_sent = false;
  set_interest(connection, EPOLLIN);
  // A pipelined request already here starts its deadline now.
  arm(connection, Clock::now() + (connection.in.empty() ? idle_timeout() : settings_.read_timeout));
  frame(connection);
}

// Closing at once with request bytes unread would make the kernel reset the
// connection, and a reset can destroy the answer before the client reads it.
// So: no more writes, read and drop what the client still sends until it
// closes too, for a short while at most.
void EventLoop::linger(Connection& connection) {
  if (connection.peer_closed) {
    close(connection);
    return;
  }
  ::shutdown(connection.fd, SHUT_WR);
  connection.state = Connection::State::kDraining;
  release(connection.in);
  set_interest(connection, EPOLLIN);
  arm(connection, Clock::now() + std::min<Clock::duration>(kLinger, settings_.read_timeout));
}

void EventLoop::refuse(Connection& connection, int status, const std::string& detail) {
  release(connection.in);
  set_interest(connection, 0);
  start_writing(connection, front_door_response(status, detail), true);
}

void EventLoop::close(Connection& connection) {
  const int fd = connection.fd;
  if (settings_.max_connections_per_address > 0) {
    auto it = per_address_.find(connection.peer_ip);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  }
  ::close(fd);  // also removes it from the epoll set
  connections_[static_cast<std::size_t>(fd)].reset();
  --open_;
}

void EventLoop::set_interest(Connection& connection, std::uint32_t events) {
  if (connection.events == events) return;  // also: disarmed by its last event and 0 wanted
  if (events == 0) {
    // Armed and no interest wanted: out of the set, since epoll reports a
    // hang-up even to a descriptor that asked for nothing.
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, connection.fd, nullptr);
    connection.registered = false;
  } else {
    epoll_event event{};
    event.events = events | EPOLLONESHOT;
    event.data.u64 = static_cast<std::uint64_t>(connection.fd);
    ::epoll_ctl(epoll_, connection.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, connection.fd, &event);
    connection.registered = true;
  }
  connection.events = events;
}

// ---- deadlines ---------------------------------------------------------------

// Before its first request a connection may stay silent as long as between
// two requests; with keep-alive off, for the read timeout.
Clock::duration EventLoop::idle_timeout() const {
  return settings_.keepalive.count() > 0 ? settings_.keepalive : settings_.read_timeout;
}

void EventLoop::arm(Connection& connection, Clock::time_point when) {
  connection.deadline = when;
  connection.timer_serial = ++next_timer_serial_;
  timers_.push(Timer{when, connection.fd, connection.serial, connection.timer_serial});
}

void EventLoop::disarm(Connection& connection) { connection.timer_serial = ++next_timer_serial_; }

int EventLoop::next_wait_ms() {
  // Entries of closed connections or replaced deadlines are dropped lazily.
  while (!timers_.empty()) {
    const Timer& top = timers_.top();
    const auto fd = static_cast<std::size_t>(top.fd);
    const bool live = fd < connections_.size() && connections_[fd] && connections_[fd]->serial == top.serial &&
                      connections_[fd]->timer_serial == top.timer_serial;
    if (live) break;
    timers_.pop();
  }
  Clock::time_point until = Clock::time_point::max();
  if (!timers_.empty()) until = timers_.top().when;
  if (!accepting_ && !stopping_) until = std::min(until, accept_paused_until_);
  if (until == Clock::time_point::max()) return -1;
  const auto now = Clock::now();
  if (until <= now) return 0;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
  return left > INT_MAX ? INT_MAX : static_cast<int>(left);
}

void EventLoop::expire_timers() {
  const auto now = Clock::now();
  while (!timers_.empty() && timers_.top().when <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    const auto fd = static_cast<std::size_t>(timer.fd);
    if (fd >= connections_.size() || !connections_[fd]) continue;
    Connection& connection = *connections_[fd];
    if (connection.serial != timer.serial || connection.timer_serial != timer.timer_serial) continue;
    on_timeout(connection);
  }
}

void EventLoop::on_timeout(Connection& connection) {
  switch (connection.state) {
    case Connection::State::kReading:
      if (connection.in.empty()) {
        close(connection);  // idle past the keep-alive timeout
        return;
      }
      throttled_.warning("request cut: it did not arrive whole within the read timeout",
                         {{"limit_seconds", std::to_string(settings_.read_timeout.count())},
                          {"setting", "TELEMETRY_HTTP_READ_TIMEOUT_SECONDS"}, {"peer", connection.peer_ip}});
      refuse(connection, 400,
             fmt::format("Bad Request: the request did not arrive whole within {} s", settings_.read_timeout.count()));
      return;
    case Connection::State::kWriting:  // the client stopped reading its answer
    case Connection::State::kDraining:
      close(connection);
      return;
    case Connection::State::kProcessing:
      return;  // no deadline while a worker has the request
  }
}

// ---- stopping ------------------------------------------------------------------

// Stop accepting; close every connection that has no request with a worker
// and nothing left to send; the others are answered with "Connection: close".
void EventLoop::begin_stop() {
  stopping_ = true;
  if (accepting_) ::epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_.fd(), nullptr);
  accepting_ = false;
  listener_.close();
  for (auto& slot : connections_) {
    if (!slot) continue;
    Connection& connection = *slot;
    if (connection.state == Connection::State::kReading) {
      close(connection);
    } else if (connection.state == Connection::State::kWriting) {
      connection.close_after_write = true;
    }
  }
}

}  // namespace telemetry::http
