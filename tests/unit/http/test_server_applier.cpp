// ingest-buffer's server mode (docs/reference/buffer-files.md §13) against a small fake of
// the service's run routes: what is POSTed, PATCHed and looked up, and the record bodies.
#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "buffer/line_classifier.h"
#include "http/server_applier.h"

using namespace telemetry;
using buffer::Outcome;
using nlohmann::json;

namespace {

buffer::ClassifiedLine line(const std::string& event_id, const std::string& status, const std::string& extra = "") {
  const std::string text = R"({"event_id":")" + event_id + R"(","run_id":"r-)" + event_id +
                           R"(","agent_name":"crawler","job_type":"crawl","start_time":"2026-01-14T09:15:02Z","status":")" +
                           status + "\"" + extra + "}";
  buffer::ClassifiedLine classified =
      buffer::classify_line(text, true, buffer::ClassifyOptions{16777216, "2026-01-14T12:00:00Z"});
  REQUIRE(classified.kind == buffer::LineKind::kRun);
  return classified;
}

// The run routes ingest-buffer uses, over an in-memory map; every request is logged.
class FakeService {
 public:
  FakeService() {
    server_.Get(R"(/api/v1/runs/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.push_back("GET " + request.matches[1].str());
      auto found = runs_.find(request.matches[1].str());
      if (found == runs_.end()) {
        response.status = 404;
        response.set_content(R"({"detail":"Run not found"})", "application/json");
      } else {
        response.set_content(found->second.dump(), "application/json");
      }
    });
    server_.Post("/api/v1/runs/batch", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      int duplicates = 0;
      const json items = json::parse(request.body);
      log_.push_back("POST " + std::to_string(items.size()));
      for (const json& item : items) duplicates += runs_.emplace(item["event_id"].get<std::string>(), item).second ? 0 : 1;
      response.set_content(json{{"inserted", static_cast<int>(items.size()) - duplicates}, {"duplicates", duplicates}}.dump(),
                           "application/json");
    });
    server_.Patch(R"(/api/v1/runs/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.push_back("PATCH " + request.matches[1].str() + " " + request.body);
      runs_[request.matches[1].str()].update(json::parse(request.body));
      response.set_content(R"({"status":"updated"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    // Bound and listening already: requests wait in the backlog until the loop runs.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeService() {
    server_.stop();
    thread_.join();
  }
  // A client that tries once: the fake never fails.
  http::ApiClient client() const {
    http::ClientSettings settings;
    settings.base_url = "http://127.0.0.1:" + std::to_string(port_);
    settings.max_retries = 0;
    return http::ApiClient(settings);
  }
  void store(const std::string& event_id, const json& record) {
    std::lock_guard<std::mutex> lock(mutex_);
    runs_[event_id] = record;
  }
  std::vector<std::string> take_log() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(log_, {});
  }
  json run(const std::string& event_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return runs_.at(event_id);
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::map<std::string, json> runs_;
  std::vector<std::string> log_;
};

}  // namespace

TEST_CASE("server mode folds a run's states into one POST and sends other updates as one PATCH each") {
  FakeService service;
  service.store("stored", json{{"event_id", "stored"}, {"status", "running"}});
  http::ApiClient client = service.client();
  http::ServerApplier applier(client, /*batch_max=*/2);

  auto a = line("new-1", "running");
  auto a_done = line("new-1", "success", R"(,"end_time":"2026-01-14T09:20:00Z")");
  auto b = line("new-2", "running");
  auto c = line("new-3", "running");
  auto s1 = line("stored", "running", R"(,"end_time":"2026-01-14T09:19:00Z")");
  auto s2 = line("stored", "success", R"(,"end_time":"2026-01-14T09:20:00Z")");
  CHECK(applier.apply(a) == Outcome::kInserted);
  CHECK(applier.apply(a_done) == Outcome::kUpdated);
  CHECK(applier.apply(b) == Outcome::kInserted);
  CHECK(applier.apply(c) == Outcome::kInserted);
  CHECK(applier.apply(s1) == Outcome::kUpdated);
  CHECK(applier.apply(s2) == Outcome::kUpdated);
  applier.commit();

  const std::vector<std::string> log = service.take_log();
  // Three lookups, two batches (batch_max 2), one PATCH carrying both states of "stored".
  REQUIRE(log.size() == 7);
  CHECK(log[0] == "GET new-1");
  CHECK(log[3] == "GET stored");
  CHECK(log[4] == "POST 2");
  CHECK(log[5] == "POST 1");
  CHECK(log[6].rfind("PATCH stored ", 0) == 0);
  CHECK(service.run("new-1")["status"] == "success");
  CHECK(service.run("stored")["status"] == "success");
  CHECK(applier.take_late_duplicates() == 0);
}

TEST_CASE("an insert another client made meanwhile counts as a late duplicate and is merged into what is stored") {
  FakeService service;
  http::ApiClient client = service.client();
  http::ServerApplier applier(client, 10);
  auto done = line("e-1", "success", R"(,"end_time":"2026-01-14T09:20:00Z")");
  CHECK(applier.apply(done) == Outcome::kInserted);
  service.store("e-1", json{{"event_id", "e-1"}, {"status", "running"}});  // the other client, after our GET
  applier.commit();
  CHECK(applier.take_late_duplicates() == 1);
  CHECK(applier.take_late_duplicates() == 0);
  CHECK(service.run("e-1")["status"] == "success");
}

TEST_CASE("abandon drops what server mode queued; the next commit sends nothing") {
  FakeService service;
  http::ApiClient client = service.client();
  http::ServerApplier applier(client, 10);
  auto a = line("e-1", "running");
  applier.apply(a);
  applier.abandon();
  service.take_log();
  applier.commit();
  CHECK(service.take_log().empty());
}

TEST_CASE("record bodies: provided fields only, stored JSON as objects, api_posted as a boolean") {
  auto a = line("e-1", "running", R"(,"metrics_json":{"pages":3},"api_posted":true)");
  const nlohmann::ordered_json body = http::record_post_body(a.run);
  CHECK(body["event_id"] == "e-1");
  CHECK(body["metrics_json"].dump() == R"({"pages":3})");
  CHECK(body["api_posted"] == true);
  CHECK_FALSE(body.contains("end_time"));
  CHECK(http::update_patch_body(RunUpdate{{RunColumn::status, std::string("success")}}).dump() ==
        R"({"status":"success"})");
  const buffer::StoredState state = http::stored_state_from_json(json{{"status", "failure"}, {"end_time", nullptr}});
  CHECK(state.status == "failure");
  CHECK_FALSE(state.end_time.has_value());
}
