#include "http/responses.h"

namespace telemetry::http {

std::string dump_compact(const ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void send_json(httplib::Response& response, int status, const ordered_json& body) {
  response.status = status;
  response.set_content(dump_compact(body), "application/json");
}

void send_detail(httplib::Response& response, int status, const std::string& message) {
  send_json(response, status, ordered_json{{"detail", message}});
}

void send_validation_errors(httplib::Response& response, const FieldErrors& errors) {
  send_json(response, 422, validation_error_body(errors));
}

const char* default_detail(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    default: return "Error";
  }
}

}  // namespace telemetry::http
