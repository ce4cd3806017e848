#include "http/run_reporter.h"

#include <fmt/format.h>

#include "buffer/buffer_writer.h"
#include "core/run_update.h"
#include "core/timestamp.h"
#include "http/client.h"
#include "util/error.h"

namespace telemetry::http {
namespace {

using Json = nlohmann::ordered_json;

std::string answer_text(const ApiResponse& response) {
  return fmt::format("the service answered {}: {}", response.status, response.body);
}

}  // namespace

RunRecord validated_run(const Json& body) {
  RunParseResult parsed = parse_run(body, Json::array({"body"}), canonical_utc_now());
  if (!parsed.ok()) throw Error(ErrorKind::kInvalidInput, "invalid run: " + join_reasons(parsed.errors));
  return std::move(parsed.run);
}

void validate_changes(const Json& changes) {
  RunUpdateParseResult parsed = parse_run_patch(changes);
  if (!parsed.ok()) throw Error(ErrorKind::kInvalidInput, "invalid update: " + join_reasons(parsed.errors));
}

RunReporter::RunReporter(ReporterSettings settings) : settings_(std::move(settings)) {
  if (!settings_.url) return;
  ClientSettings client;
  client.base_url = *settings_.url;
  client.token = settings_.token;
  client.timeout_seconds = settings_.timeout_seconds;
  client.max_retries = 0;  // the buffer is the retry: a script must not wait for backoff
  client_ = std::make_unique<ApiClient>(client);
}

RunReporter::~RunReporter() = default;

std::optional<std::string> RunReporter::post(const Json& body, bool* duplicate) {
  if (!client_) return std::string("no usable service URL");
  try {
    ApiResponse response = client_->post("/api/v1/runs", body.dump());
    if (duplicate) *duplicate = response.status == 200;
    if (response.status == 200 || response.status == 201) return std::nullopt;
    return answer_text(response);
  } catch (const Error& error) {  // the client's "cannot reach the service ..."
    return std::string(error.what());
  }
}

std::optional<std::string> RunReporter::patch(const std::string& event_id, const Json& changes) {
  if (!client_) return std::string("no usable service URL");
  try {
    ApiResponse response = client_->patch("/api/v1/runs/" + encode_path_segment(event_id), changes.dump());
    if (response.status == 200) return std::nullopt;
    return answer_text(response);
  } catch (const Error& error) {
    return std::string(error.what());
  }
}

Outcome RunReporter::buffer(const Json& body, const std::string& why) {
  const std::string line = buffer::client_line(validated_run(body));
  buffer::AppendResult appended = buffer::append_line(settings_.buffer_dir, line);
  if (appended.error) return {Delivery::kLost, why + "; " + *appended.error};
  return {Delivery::kBuffered, why + "; buffered in " + appended.file};
}

Outcome RunReporter::create(const Json& body) {
  validated_run(body);
  if (auto problem = post(body)) return buffer(body, *problem);
  return {Delivery::kSent, ""};
}

Outcome RunReporter::finish(const std::string& event_id, const Json& changes, const std::optional<Json>& final_body,
                            bool start_sent) {
  validate_changes(changes);
  if (final_body) validated_run(*final_body);
  std::optional<std::string> problem;
  bool duplicate = false;
  if (!start_sent && final_body) problem = post(*final_body, &duplicate);
  // A start whose answer was lost may still have been stored: then the end is a PATCH too.
  if (start_sent || !final_body || duplicate) problem = patch(event_id, changes);
  if (!problem) return {Delivery::kSent, ""};
  if (!final_body) return {Delivery::kLost, *problem + "; the start of run " + event_id + " is not known here, so "
                                            "its end cannot be buffered"};
  return buffer(*final_body, *problem);
}

}  // namespace telemetry::http
