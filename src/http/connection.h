#pragma once
// One client connection as the I/O thread sees it: a socket, the bytes of the
// request being received, the bytes of the response being sent, and the one
// deadline that applies in its current state. An idle connection owns no
// buffer memory (the strings are empty and released); no thread is ever
// tied to a connection.
#include <chrono>
#include <cstdint>
#include <string>

#include "http/request_framing.h"

namespace telemetry::http {

using Clock = std::chrono::steady_clock;

struct Connection {
  enum class State {
    kReading,     // waiting for (the rest of) a request
    kProcessing,  // with a worker, or its write with the writer; nothing is read meanwhile
    kWriting,     // sending the response
    kDraining,    // answered and shut down for writing; reading to EOF before close
  };

  Connection(int fd, std::uint64_t serial, FramingLimits limits) : fd(fd), serial(serial), framer(limits) {}

  int fd;
  std::uint64_t serial;  // tells this connection from a later one on the same fd
  std::string peer_ip;
  int peer_port = 0;
  std::string local_ip;
  int local_port = 0;

  State state = State::kReading;
  std::string in;   // bytes of the current request (and any pipelined after it)
  std::string out;  // response bytes not yet sent
  std::size_t out_sent = 0;
  RequestFramer framer;
  bool continue_sent = false;   // "100 Continue" already sent for this request
  bool close_after_write = false;
  bool peer_closed = false;     // read EOF: no more requests will come
  std::size_t requests = 0;     // taken to be answered so far
  Clock::time_point deadline{};  // of the current state; the timer heap holds it
  std::uint64_t timer_serial = 0;  // newest timer entry for this connection
  // Epoll interest, one-shot: an event disarms the socket until it is armed
  // again, so a socket whose request is being processed reports nothing.
  bool registered = false;         // in the epoll set (armed or not)
  std::uint32_t events = 0;        // armed interest; 0 when disarmed
};

}  // namespace telemetry::http
