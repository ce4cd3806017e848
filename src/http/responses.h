#pragma once
// Building the response bodies every route shares (docs/reference/http-api.md §5): compact
// JSON with UTF-8 left unescaped, and the {"detail": ...} error forms.
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/field_error.h"

namespace telemetry::http {

using ordered_json = nlohmann::ordered_json;

// Compact JSON, UTF-8 as is; invalid UTF-8 in strings is replaced, never thrown.
std::string dump_compact(const ordered_json& value);

void send_json(httplib::Response& response, int status, const ordered_json& body);
// {"detail":"<message>"}
void send_detail(httplib::Response& response, int status, const std::string& message);
// 422 {"detail":[...]}
void send_validation_errors(httplib::Response& response, const FieldErrors& errors);

// The default reason texts for library-produced errors (400, 404, 413, 414, 416...).
const char* default_detail(int status);

}  // namespace telemetry::http
