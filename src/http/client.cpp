#include "http/client.h"

#include <httplib.h>

#include <thread>

#include <fmt/format.h>

#include "http/connect_failure.h"
#include "util/error.h"

namespace telemetry::http {
namespace {

const char* method_name(int method) {
  static const char* const kNames[] = {"GET", "POST", "PATCH"};
  return kNames[method];
}

// The `detail` of an error body, or the body itself when it has none.
std::string detail_of(const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("detail")) {
    const auto& detail = parsed["detail"];
    return detail.is_string() ? detail.get<std::string>() : detail.dump();
  }
  return body;
}

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// Answers after which the same request may simply be sent again (docs/reference/buffer-files.md §13).
bool is_transient(int status, const std::string& detail) {
  if (status == 429 || status == 507) return true;
  return status == 503 && (starts_with(detail, "Database busy") || starts_with(detail, "Write queue full"));
}

std::optional<int> retry_after_seconds(const httplib::Response& response) {
  if (!response.has_header("Retry-After")) return std::nullopt;
  const std::string value = response.get_header_value("Retry-After");
  if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoi(value);
}

}  // namespace

std::string encode_path_segment(const std::string& segment) {
  std::string out;
  for (unsigned char c : segment) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

ApiClient::ApiClient(ClientSettings settings) : settings_(std::move(settings)) {
  if (!settings_.sleep) settings_.sleep = [](std::chrono::seconds s) { std::this_thread::sleep_for(s); };
  client_ = std::make_unique<httplib::Client>(settings_.base_url);
  client_->set_connection_timeout(settings_.timeout_seconds, 0);
  client_->set_read_timeout(settings_.timeout_seconds, 0);
  client_->set_write_timeout(settings_.timeout_seconds, 0);
  client_->set_keep_alive(true);
  // Headers and body go out as two writes; without this, Nagle holds the body
  // back until the service's delayed ACK on a reused connection (about 40-80 ms).
  client_->set_tcp_nodelay(true);
  if (settings_.token) client_->set_bearer_token_auth(*settings_.token);
}

ApiClient::~ApiClient() = default;

ApiResponse ApiClient::send(Method method, const std::string& target, const std::string& body, bool pass_through) {
  const char* name = method_name(static_cast<int>(method));
  std::string last_problem;
  bool connection_failure = false;
  for (int attempt = 0;; ++attempt) {
    httplib::Headers headers{{"Accept", "application/json"}};
    httplib::Result result = method == Method::kGet    ? client_->Get(target, headers)
                             : method == Method::kPost ? client_->Post(target, headers, body, "application/json")
                                                       : client_->Patch(target, headers, body, "application/json");
    std::optional<int> wait;
    if (!result) {
      connection_failure = true;
      last_problem = fmt::format("cannot reach the service at {}: {}", settings_.base_url,
                                 describe_failure(settings_.base_url, result.error(), settings_.timeout_seconds));
    } else {
      const httplib::Response& response = result.value();
      const int status = response.status;
      if (pass_through || (status >= 200 && status < 300) || status == 404 || status == 413) {
        return ApiResponse{status, response.body};
      }
      const std::string detail = detail_of(response.body);
      if (status == 401) {
        throw Error(ErrorKind::kConfig,
                           "the service requires a token; set TELEMETRY_API_AUTH_TOKEN or TELEMETRY_API_AUTH_TOKEN_FILE"
                           " (" + detail + ")");
      }
      if (status == 422) {
        throw Error(ErrorKind::kInvalidInput,
                           fmt::format("the service refused {} {} (422): {}", name, target, detail));
      }
      if (!is_transient(status, detail)) {
        const ErrorKind kind = status >= 500 ? ErrorKind::kUnavailable : ErrorKind::kInternal;
        throw Error(kind, fmt::format("the service answered {} {} with {}: {}", name, target, status, detail));
      }
      connection_failure = false;
      last_problem = fmt::format("the service kept answering {} {} with {}: {}", name, target, status, detail);
      wait = retry_after_seconds(response);
    }
    if (attempt >= settings_.max_retries) break;
    settings_.sleep(std::chrono::seconds(wait.value_or(1 << attempt)));
  }
  throw Error(connection_failure ? ErrorKind::kUnavailable : ErrorKind::kBusy, last_problem);
}

std::optional<nlohmann::json> ApiClient::get_run(const std::string& event_id) {
  const std::string target = "/api/v1/runs/" + encode_path_segment(event_id);
  ApiResponse response = send(Method::kGet, target, "");
  if (response.status == 404) return std::nullopt;
  if (response.status == 413) {
    throw Error(ErrorKind::kInternal, fmt::format("the service answered GET {} with 413", target));
  }
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (!parsed.is_object()) {
    throw Error(ErrorKind::kUnavailable, fmt::format("GET {}: the answer is not a run record", target));
  }
  return parsed;
}

std::int64_t ApiClient::post_chunk(const std::vector<nlohmann::ordered_json>& items, std::size_t begin,
                                   std::size_t end) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (std::size_t i = begin; i < end; ++i) array.push_back(items[i]);
  ApiResponse response = send(Method::kPost, "/api/v1/runs/batch", array.dump());
  if (response.status == 413) {
    if (end - begin == 1) {
      throw Error(ErrorKind::kInvalidInput,
                         "the service refused a single run as too large (413): " + detail_of(response.body));
    }
    const std::size_t middle = begin + (end - begin) / 2;
    return post_chunk(items, begin, middle) + post_chunk(items, middle, end);
  }
  if (response.status == 404) {
    throw Error(ErrorKind::kUnavailable, "the service has no batch route (404); is this a telemetry service?");
  }
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("duplicates") || !parsed["duplicates"].is_number_integer()) {
    throw Error(ErrorKind::kUnavailable, "POST /api/v1/runs/batch: unexpected answer: " + response.body);
  }
  return parsed["duplicates"].get<std::int64_t>();
}

std::int64_t ApiClient::post_batch(const std::vector<nlohmann::ordered_json>& items) {
  if (items.empty()) return 0;
  return post_chunk(items, 0, items.size());
}

void ApiClient::patch_run(const std::string& event_id, const nlohmann::ordered_json& body) {
  const std::string target = "/api/v1/runs/" + encode_path_segment(event_id);
  ApiResponse response = send(Method::kPatch, target, body.dump());
  if (response.status == 404) {
    throw Error(ErrorKind::kUnavailable,
                       fmt::format("PATCH {}: the run was deleted from the service meanwhile", target));
  }
  if (response.status == 413) {
    throw Error(ErrorKind::kInvalidInput, fmt::format("the service refused PATCH {} as too large (413)", target));
  }
}

ApiResponse ApiClient::get(const std::string& target) { return send(Method::kGet, target, "", /*pass_through=*/true); }

ApiResponse ApiClient::post(const std::string& target, const std::string& body) {
  return send(Method::kPost, target, body, /*pass_through=*/true);
}

ApiResponse ApiClient::patch(const std::string& target, const std::string& body) {
  return send(Method::kPatch, target, body, /*pass_through=*/true);
}

}  // namespace telemetry::http
