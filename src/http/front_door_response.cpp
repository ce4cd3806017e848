#include "http/front_door_response.h"

#include <fmt/format.h>

#include "http/responses.h"

namespace telemetry::http {
namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

}  // namespace

std::string front_door_response(int status, const std::string& detail) {
  const std::string body = dump_compact(ordered_json{{"detail", detail}});
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{}",
      status, reason_phrase(status), body.size(), status == 503 ? "Retry-After: 1\r\n" : "", body);
}

}  // namespace telemetry::http
