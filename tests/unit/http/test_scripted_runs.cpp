// The checks `run` and `record` make before building a record (http/scripted_runs.h):
// KEY=VALUE pairs, the fields --set may give, and the fields a start record needs.
#include <catch2/catch.hpp>

#include "http/scripted_runs.h"
#include "util/error.h"

using namespace telemetry;
using nlohmann::ordered_json;

TEST_CASE("KEY=VALUE splits at the first '=' and needs a key") {
  using Pair = std::pair<std::string, std::string>;
  CHECK(http::split_key_value("files=120") == std::optional<Pair>(Pair{"files", "120"}));
  CHECK(http::split_key_value("note=a=b") == std::optional<Pair>(Pair{"note", "a=b"}));
  CHECK(http::split_key_value("empty=") == std::optional<Pair>(Pair{"empty", ""}));
  CHECK_FALSE(http::split_key_value("files"));
  CHECK_FALSE(http::split_key_value("=120"));
}

TEST_CASE("--set takes the fields of POST /api/v1/runs but the ones the service sets") {
  CHECK(http::settable_field("website"));
  CHECK(http::settable_field("agent_name"));
  CHECK_FALSE(http::settable_field("colour"));
  CHECK_FALSE(http::settable_field("id"));
  CHECK_FALSE(http::settable_field("schema_version"));
  CHECK_FALSE(http::settable_field("updated_at"));
}

TEST_CASE("a start record needs agent_name and job_type from standard input, the flags or --set") {
  http::RunFields fields;
  CHECK(http::missing_start_field(fields, ordered_json::object()) == std::optional<std::string>("--agent-name is required"));
  fields.agent_name = "report";
  CHECK(http::missing_start_field(fields, ordered_json::object()) == std::optional<std::string>("--job-type is required"));
  CHECK_FALSE(http::missing_start_field(fields, ordered_json{{"job_type", "nightly"}}));
  CHECK(http::missing_start_field(fields, ordered_json{{"job_type", 5}}) ==
        std::optional<std::string>("--job-type is required"));
  fields.sets = {"job_type=nightly"};
  CHECK_FALSE(http::missing_start_field(fields, ordered_json::object()));
  fields.sets = {"job_type=nightly", "agent_name="};  // an empty value is null
  CHECK(http::missing_start_field(fields, ordered_json::object()) == std::optional<std::string>("--agent-name is required"));
}

TEST_CASE("record event's --set goes to the end of the run, so it cannot name the run") {
  http::RunFields fields;
  fields.agent_name = "sync";
  fields.sets = {"job_type=mirror"};
  CHECK_FALSE(http::missing_start_field(fields, ordered_json::object()));
  CHECK(http::missing_event_field(fields, ordered_json::object()) == std::optional<std::string>("--job-type is required"));
}

TEST_CASE("the start body keeps standard input, then the flags, then --set, over its defaults") {
  http::RunFields fields;
  fields.agent_name = "report";
  fields.job_type = "nightly";
  fields.metrics = {"files=120"};
  fields.sets = {"website=docs.example.org", "job_type=weekly"};
  const ordered_json body = http::start_body(fields, ordered_json{{"website", "old"}, {"product", "words"}}, "/",
                                             "2026-01-14T09:15:02.000000+00:00");
  CHECK(body["agent_name"] == "report");
  CHECK(body["job_type"] == "weekly");
  CHECK(body["website"] == "docs.example.org");
  CHECK(body["product"] == "words");
  CHECK(body["metrics_json"] == ordered_json{{"files", 120}});
  CHECK(body["status"] == "running");
  CHECK(body["run_id"].get<std::string>().rfind("20260114T091502Z-report-", 0) == 0);
}

TEST_CASE("fields the command did not check are a bug, not a usage error") {
  http::RunFields fields;
  fields.agent_name = "report";
  fields.job_type = "nightly";
  fields.sets = {"colour=red"};
  CHECK_THROWS_MATCHES(http::start_body(fields, ordered_json::object(), "/", "2026-01-14T09:15:02.000000+00:00"),
                       Error, Catch::Predicate<Error>([](const Error& e) { return e.kind() == ErrorKind::kInternal; }));
}
