#pragma once
// Delivering the records of `telemetry run` and `telemetry record`: POST and
// PATCH to the service, and, when it cannot be reached or does not accept
// the record, the record appended to the buffer files the Python client
// writes (docs/reference/buffer-files.md §1), so `telemetry ingest-buffer` delivers it
// later. Every record is validated by the API's own parser before it leaves.
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/run_record.h"

namespace telemetry::http {

class ApiClient;

struct ReporterSettings {
  std::optional<std::string> url;    // nullopt: the configuration is unusable, buffer only
  std::optional<std::string> token;
  std::string buffer_dir;
  int timeout_seconds = 10;          // a script waits for this at most per record
};

enum class Delivery { kSent, kBuffered, kLost };

struct Outcome {
  Delivery delivery = Delivery::kLost;
  std::string detail;  // kSent: empty; kBuffered: why, and the buffer file; kLost: why
};

// The record a POST of `body` would store; throws Error kInvalidInput naming
// every invalid field ("--set status: ..." style reasons are the caller's).
RunRecord validated_run(const nlohmann::ordered_json& body);
// Throws Error kInvalidInput when `changes` is not a valid PATCH body.
void validate_changes(const nlohmann::ordered_json& changes);

class RunReporter {
 public:
  explicit RunReporter(ReporterSettings settings);
  ~RunReporter();

  // POST /api/v1/runs of a complete run body; buffered when not acknowledged.
  Outcome create(const nlohmann::ordered_json& body);
  // The end of a run. When its start reached the service, PATCH `changes`;
  // otherwise POST the whole `final_body` (the service may be back). When that
  // is not acknowledged, `final_body` is buffered; without a `final_body`
  // (record finish of a run started elsewhere) the end is lost.
  Outcome finish(const std::string& event_id, const nlohmann::ordered_json& changes,
                 const std::optional<nlohmann::ordered_json>& final_body, bool start_sent);

 private:
  // nullopt when acknowledged, else why not.
  std::optional<std::string> post(const nlohmann::ordered_json& body, bool* duplicate = nullptr);
  std::optional<std::string> patch(const std::string& event_id, const nlohmann::ordered_json& changes);
  Outcome buffer(const nlohmann::ordered_json& body, const std::string& why);

  ReporterSettings settings_;
  std::unique_ptr<ApiClient> client_;
};

}  // namespace telemetry::http
