// ingest-buffer without its command line (http/ingest_buffer.h): the mode the lock
// decides, direct mode against a real database, the dry run and missing inputs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../buffer/spec_lines.h"
#include "db/read_only_database.h"
#include "db/run_queries.h"
#include "http/ingest_buffer.h"
#include "temp_db.h"
#include "util/error.h"
#include "util/lock_file.h"

using namespace telemetry;

namespace {

http::IngestBufferOptions options_for(const TempDb& db) {
  http::IngestBufferOptions options;
  options.db_path = db.path;
  options.lock_file = db.path + ".lock";
  options.api_url = "http://127.0.0.1:1";  // never reached: nothing holds the lock, no --url
  return options;
}

buffer::InputSpec input_file(const TempDb& db, const std::string& name, const std::string& content) {
  const std::string path = (db.dir / name).string();
  std::ofstream(path) << content;
  buffer::InputSpec input;
  input.path = path;
  return input;
}

buffer::InputSpec missing_input(const TempDb& db) {
  buffer::InputSpec input;
  input.path = (db.dir / "gone.jsonl.ready").string();
  input.missing = "No such file or directory";
  return input;
}

}  // namespace

TEST_CASE("direct mode writes the runs, renames the input and reports each input as it is done") {
  TempDb db;
  const buffer::InputSpec input = input_file(db, "t.jsonl.ready", test::kStart47 + "\n" + test::kEnd47 + "\n");
  std::vector<std::string> done;
  http::IngestObserver observer;
  observer.input_done = [&](const buffer::InputReport& report) { done.push_back(report.path); };

  const http::IngestBufferResult result = http::ingest_buffer(options_for(db), {input}, observer);

  CHECK_FALSE(result.run.server_mode);
  CHECK(result.run.database == db.path);
  REQUIRE(result.reports.size() == 1);
  CHECK(result.reports[0].state == buffer::InputState::kSynced);
  CHECK(result.reports[0].counts.inserted == 1);
  CHECK(result.reports[0].counts.updated == 1);
  CHECK_FALSE(result.reports[0].failure);
  CHECK(done == std::vector<std::string>{input.path});
  CHECK(std::filesystem::exists(db.dir / "t.jsonl.synced"));
  CHECK_FALSE(std::filesystem::exists(options_for(db).lock_file));  // released at the end
  auto reading = db::open_for_reading(db.path, 1000, db::ShapeRequirement::kV7OrEmpty);
  CHECK(db::count_runs(*reading) == 1);
}

TEST_CASE("a lock held by another command refuses the run as unavailable, naming the holder") {
  TempDb db;
  const http::IngestBufferOptions options = options_for(db);
  auto held = WriterLock::acquire(options.lock_file, db.path, "migrate");
  const buffer::InputSpec input = input_file(db, "t.jsonl.ready", test::kStart47 + "\n");
  try {
    http::ingest_buffer(options, {input}, {});
    FAIL("no error");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kUnavailable);
    CHECK_THAT(error.what(), Catch::Contains("is held by") && Catch::Contains(db.path));
  }
  CHECK(std::filesystem::exists(input.path));
}

TEST_CASE("a dry run decides without a database and writes nothing; missing inputs are said first") {
  TempDb db;
  http::IngestBufferOptions options = options_for(db);
  options.dry_run = true;
  const buffer::InputSpec input = input_file(db, "t.jsonl.ready", test::kStart47 + "\n{torn\n");
  std::vector<std::string> events;
  http::IngestObserver observer;
  observer.missing_input = [&](const buffer::InputSpec& missing) { events.push_back("missing " + missing.path); };
  observer.input_done = [&](const buffer::InputReport& report) { events.push_back("done " + report.path); };

  const http::IngestBufferResult result = http::ingest_buffer(options, {missing_input(db), input}, observer);

  CHECK(events == std::vector<std::string>{"missing " + missing_input(db).path, "done " + missing_input(db).path,
                                           "done " + input.path});
  REQUIRE(result.reports.size() == 2);
  CHECK(result.reports[0].failure == ErrorKind::kNotFound);
  CHECK(result.reports[1].state == buffer::InputState::kDryRun);
  CHECK(result.reports[1].counts.inserted == 1);
  CHECK(result.reports[1].failure == ErrorKind::kInvalidInput);  // the torn line
  CHECK_FALSE(std::filesystem::exists(db.path));
  CHECK(std::filesystem::exists(input.path));
}

TEST_CASE("a database that cannot be opened fails the run before any input is touched") {
  TempDb db;
  std::filesystem::create_directory(db.path);  // a directory where the database file should be
  const buffer::InputSpec input = input_file(db, "a.jsonl.ready", test::kStart47 + "\n");
  CHECK_THROWS_AS(http::ingest_buffer(options_for(db), {input}, {}), Error);
  CHECK(std::filesystem::exists(input.path));
  CHECK_FALSE(std::filesystem::exists(input.path + ".rejected"));
}
