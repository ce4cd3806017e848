#include "http/connect_failure.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <httplib.h>

namespace telemetry::http {
namespace {

struct Endpoint {
  std::string host, port;
};

// http(s)://host[:port] as normalise_service_url leaves it (IPv6 in brackets).
Endpoint endpoint_of(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  const bool https = url.compare(0, 5, "https") == 0;
  std::string authority = scheme_end == std::string::npos ? url : url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  Endpoint endpoint{authority, https ? "443" : "80"};
  const std::size_t bracket = authority.find(']');
  const std::size_t colon = authority.rfind(':');
  if (!authority.empty() && authority[0] == '[') {
    endpoint.host = authority.substr(1, bracket - 1);
    if (colon != std::string::npos && colon > bracket) endpoint.port = authority.substr(colon + 1);
  } else if (colon != std::string::npos) {
    endpoint.host = authority.substr(0, colon);
    endpoint.port = authority.substr(colon + 1);
  }
  return endpoint;
}

// One non-blocking connect: 0 when it connects, else the errno (ETIMEDOUT after the timeout).
int try_connect(const addrinfo& address, int timeout_seconds) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address.ai_protocol);
  if (fd < 0) return errno;
  int error = 0;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd waiting{fd, POLLOUT, 0};
      const int ready = ::poll(&waiting, 1, timeout_seconds * 1000);
      socklen_t length = sizeof error;
      if (ready == 0) error = ETIMEDOUT;
      else if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    }
  }
  ::close(fd);
  return error;
}

std::string diagnose_connection(const Endpoint& endpoint, int timeout_seconds) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const int status = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &addresses);
  if (status != 0) {
    return fmt::format("the host name {} does not resolve: {}", endpoint.host,
                       status == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(status));
  }
  int error = 0;
  for (addrinfo* address = addresses; address; address = address->ai_next) {
    if ((error = try_connect(*address, timeout_seconds)) == 0) break;
  }
  ::freeaddrinfo(addresses);
  const std::string where = fmt::format("{} port {}", endpoint.host, endpoint.port);
  switch (error) {
    case 0: return fmt::format("could not connect to {} (it accepts connections again now)", where);
    case ECONNREFUSED: return fmt::format("connection refused: nothing listens on {}", where);
    case ETIMEDOUT: return fmt::format("timed out after {} s connecting to {}", timeout_seconds, where);
    default: return fmt::format("cannot connect to {}: {}", where, std::strerror(error));
  }
}

}  // namespace

std::string describe_failure(const std::string& base_url, httplib::Error error, int timeout_seconds) {
  switch (error) {
    case httplib::Error::Connection: return diagnose_connection(endpoint_of(base_url), timeout_seconds);
    case httplib::Error::Read:
      return "no answer: the connection closed, or the service did not answer in time";
    case httplib::Error::Write: return "the connection closed while the request was being sent";
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification: return "the TLS connection failed (" + httplib::to_string(error) + ")";
    default: return httplib::to_string(error);
  }
}

}  // namespace telemetry::http
