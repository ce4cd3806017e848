// http/metrics_fetch.h: the request target `telemetry metrics --url` sends, the body
// read from a file, and what a service's answer becomes.
#include <catch2/catch.hpp>

#include <thread>

#include <httplib.h>

#include "db/database.h"
#include "http/metrics_fetch.h"
#include "temp_db.h"
#include "util/error.h"

using namespace telemetry;

namespace {

// Answers GET /metrics with `status` and `body`, and remembers the target asked for.
class FakeMetricsService {
 public:
  FakeMetricsService(int status, std::string body) {
    server_.Get("/metrics", [this, status, body](const httplib::Request& request, httplib::Response& response) {
      target = request.target;
      response.status = status;
      response.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeMetricsService() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::string target;

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

http::MetricsSource service_source(const std::string& url) {
  http::MetricsSource source;
  source.url = url;
  return source;
}

}  // namespace

TEST_CASE("the target names since only when it was given, and encodes the values") {
  http::MetricsQuery query;
  CHECK(http::metrics_target(query) == "/metrics?format=json&by=agent");
  query.since = "7d";
  query.since_given = true;
  query.by = "job type";
  CHECK(http::metrics_target(query) == "/metrics?format=json&since=7d&by=job%20type");
}

TEST_CASE("from a file: the body of GET /metrics over that database") {
  TempDb temp;
  db::open_servable(temp.path, db::ConnectionSettings{JournalMode::kDelete, Synchronous::kFull, 5000}, true);
  http::MetricsSource source;
  source.db_path = temp.path;
  const nlohmann::ordered_json body = http::fetch_metrics(source, http::MetricsQuery{});
  CHECK(body["total_runs"] == 0);
  CHECK(body["recent_24h"] == 0);
  CHECK(body["performance"]["db_path"] == temp.path);
}

TEST_CASE("from a file that does not exist: not found") {
  TempDb temp;
  http::MetricsSource source;
  source.db_path = temp.path;
  try {
    http::fetch_metrics(source, http::MetricsQuery{});
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kNotFound);
  }
}

TEST_CASE("from a service: its JSON object, asked with the query's target") {
  FakeMetricsService service(200, R"({"total_runs":3})");
  http::MetricsQuery query;
  query.by = "status";
  const nlohmann::ordered_json body = http::fetch_metrics(service_source(service.url()), query);
  CHECK(body == nlohmann::ordered_json{{"total_runs", 3}});
  CHECK(service.target == "/metrics?format=json&by=status");
}

TEST_CASE("a service answering anything but 200 with an object is unavailable, quoting its answer") {
  FakeMetricsService service(422, R"({"detail":"no"})");
  try {
    http::fetch_metrics(service_source(service.url()), http::MetricsQuery{});
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUnavailable);
    CHECK_THAT(error.what(), Catch::Contains("answered 422") && Catch::Contains(R"({"detail":"no"})"));
  }
}
