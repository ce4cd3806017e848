#pragma once
// A small client of the telemetry HTTP API for the commands that talk to a
// running service (ingest-buffer server mode, metrics --url). Retries and
// failures follow docs/reference/buffer-files.md §13: transient answers are retried
// with backoff, everything else becomes an Error (util/error.h) of the kind
// that names it: unreachable or misbehaving service kUnavailable, still busy
// after the retries kBusy, a refused token kConfig, a refused record kInvalidInput.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Client;
}

namespace telemetry::http {

struct ClientSettings {
  std::string base_url;               // http(s)://host[:port], no path
  std::optional<std::string> token;   // sent as Authorization: Bearer <token>
  int timeout_seconds = 30;
  int max_retries = 5;                // per request, after the first attempt
  // How the client waits between attempts (tests shorten it).
  std::function<void(std::chrono::seconds)> sleep;
};

struct ApiResponse {
  int status = 0;
  std::string body;
};

class ApiClient {
 public:
  explicit ApiClient(ClientSettings settings);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const std::string& base_url() const { return settings_.base_url; }

  // GET /api/v1/runs/{event_id}: the run record, or nullopt when 404.
  std::optional<nlohmann::json> get_run(const std::string& event_id);
  // POST /api/v1/runs/batch with a bare array; a 413 splits the items in half
  // and resends (down to single records). Returns how many were duplicates.
  std::int64_t post_batch(const std::vector<nlohmann::ordered_json>& items);
  // PATCH /api/v1/runs/{event_id}.
  void patch_run(const std::string& event_id, const nlohmann::ordered_json& body);
  // A GET whose non-transient answer (any status) the caller interprets.
  ApiResponse get(const std::string& target);
  // A POST or PATCH of a JSON body whose answer (any status) the caller interprets.
  ApiResponse post(const std::string& target, const std::string& body);
  ApiResponse patch(const std::string& target, const std::string& body);

 private:
  enum class Method { kGet, kPost, kPatch };
  // Sends with retries. Returns 2xx, 404 and 413 answers (and any answer when
  // `pass_through`); throws Error for the others.
  ApiResponse send(Method method, const std::string& target, const std::string& body, bool pass_through = false);
  std::int64_t post_chunk(const std::vector<nlohmann::ordered_json>& items, std::size_t begin, std::size_t end);

  ClientSettings settings_;
  std::unique_ptr<httplib::Client> client_;
};

// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
std::string encode_path_segment(const std::string& segment);

}  // namespace telemetry::http
