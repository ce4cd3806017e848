// ClassifyingPipeline: batches come out in input order with every line,
// classified; a read error ends the input; stopping early does not hang.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>

#include "buffer/classifying_pipeline.h"
#include "temp_dir.h"

using telemetry::buffer::ClassifyingBatch;
using telemetry::buffer::ClassifyingPipeline;
using telemetry::buffer::ClassifyOptions;
using telemetry::buffer::LineKind;

namespace {

std::string run_line(int i) {
  return "{\"event_id\": \"e-" + std::to_string(i) + "\", \"run_id\": \"r\", \"agent_name\": \"a\", "
         "\"job_type\": \"j\", \"start_time\": \"2026-01-14T09:15:02Z\"}";
}

ClassifyOptions options() {
  ClassifyOptions options;
  options.now = "2026-01-14T09:15:02.000000+00:00";
  return options;
}

}  // namespace

TEST_CASE("the pipeline hands out every line in input order, classified") {
  telemetry::test::TempDir dir;
  // More lines than all batches in flight hold, so slots are reused; every
  // 1000th line is not JSON.
  const int count = static_cast<int>(ClassifyingBatch::kLines * (ClassifyingPipeline::kBatchesInFlight + 2) + 7);
  std::string content;
  for (int i = 1; i <= count; ++i) content += (i % 1000 == 0 ? std::string("not json") : run_line(i)) + "\n";
  const std::string path = dir.write("input.jsonl", content);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  const ClassifyOptions classify = options();
  int seen = 0;
  {
    ClassifyingPipeline pipeline(fd, classify);
    while (ClassifyingBatch* batch = pipeline.next()) {
      REQUIRE(batch->classified.size() == batch->raw.size());
      for (std::size_t i = 0; i < batch->raw.size(); ++i) {
        ++seen;
        REQUIRE(batch->raw[i].number == seen);
        const LineKind expected = seen % 1000 == 0 ? LineKind::kRejected : LineKind::kRun;
        REQUIRE(batch->classified[i].kind == expected);
        if (expected == LineKind::kRun) {
          REQUIRE(batch->classified[i].run.text(telemetry::RunColumn::event_id) == "e-" + std::to_string(seen));
        }
      }
      pipeline.release();
    }
    CHECK_FALSE(pipeline.read_failed());
  }
  ::close(fd);
  CHECK(seen == count);
}

TEST_CASE("a read error ends the pipeline and says why") {
  telemetry::test::TempDir dir;
  const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);  // read(2) fails: EISDIR
  REQUIRE(fd >= 0);
  const ClassifyOptions classify = options();
  {
    ClassifyingPipeline pipeline(fd, classify);
    while (pipeline.next()) pipeline.release();
    CHECK(pipeline.read_failed());
    CHECK_FALSE(pipeline.read_error().empty());
  }
  ::close(fd);
}

TEST_CASE("a pipeline stopped after its first batch shuts down") {
  telemetry::test::TempDir dir;
  std::string content;
  for (int i = 1; i <= 20000; ++i) content += run_line(i) + "\n";
  const std::string path = dir.write("input.jsonl", content);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  const ClassifyOptions classify = options();
  {
    ClassifyingPipeline pipeline(fd, classify);
    ClassifyingBatch* first = pipeline.next();
    REQUIRE(first != nullptr);
    CHECK(first->raw.front().number == 1);
  }  // destroyed with batches read ahead and not released
  ::close(fd);
}
