#pragma once
// Why a request to a service got no answer, in words a person can act on.
#include <string>

namespace httplib {
enum class Error;
}

namespace telemetry::http {

// "connection refused (nothing listens on 127.0.0.1 port 8765)", "timed out
// after 5 s connecting to 10.0.0.1 port 80", "the host name x does not
// resolve: ...", "the connection closed before the answer ...". httplib
// reports refused, timed out and unresolved alike as Error::Connection, so a
// connection failure is told apart by resolving and connecting once more.
// `connect_timeout_seconds` bounds the diagnosing connect, as it bounded the request's.
std::string describe_failure(const std::string& base_url, httplib::Error error, int connect_timeout_seconds);

}  // namespace telemetry::http
