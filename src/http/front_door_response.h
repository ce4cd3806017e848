#pragma once
// Answers the front end writes itself, without the library: refusals decided
// from the bytes on the wire (400, 413, 431), connection limits (503) and the
// interim "100 Continue". Every one but the interim answer closes the connection.
#include <string>
#include <string_view>

namespace telemetry::http {

inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

// A complete HTTP/1.1 response with a {"detail": ...} JSON body and
// "Connection: close"; 503 also carries "Retry-After: 1".
std::string front_door_response(int status, const std::string& detail);

}  // namespace telemetry::http
