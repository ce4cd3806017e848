// Buffer lines as the Python client writes them (docs/reference/buffer-files.md §2-§5): the
// 47-key line byte for byte, the client's timestamps, the active file and its rotation.
#include <sys/stat.h>
#include <sys/time.h>

#include <filesystem>
#include <regex>

#include <catch2/catch.hpp>

#include "buffer/buffer_writer.h"
#include "core/run_record.h"
#include "spec_lines.h"
#include "temp_dir.h"

using namespace telemetry;
using telemetry::test::read_file;
using telemetry::test::TempDir;

namespace {

RunRecord parsed(const std::string& line, const std::string& updated_at) {
  RunParseResult result = parse_run(ordered_json::parse(line), ordered_json::array({"body"}), updated_at);
  REQUIRE(result.ok());
  return result.run;
}

std::vector<std::string> names(const std::string& directory) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) out.push_back(entry.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("client_line writes the spec's example lines byte for byte") {
  CHECK(buffer::client_line(parsed(test::kStart47, "2026-01-14T09:15:02.418230+00:00")) == test::kStart47);
  // string-held JSON with ", " separators and \u escapes of non-ASCII text
  CHECK(buffer::client_line(parsed(test::kEnd47, "2026-01-14T09:17:44.990733+00:00")) == test::kEnd47);
}

TEST_CASE("client_line escapes like json.dumps: quotes, controls, non-ASCII, astral characters") {
  ordered_json body = ordered_json::parse(test::kStart47);
  body["error_summary"] = "can't open \"file\"\n\t\\ \x01 caf\xc3\xa9 \xf0\x9f\x98\x80";
  const std::string line = buffer::client_line(parsed(body.dump(), "2026-01-14T09:15:02.418230+00:00"));
  CHECK(line.find(R"("error_summary": "can't open \"file\"\n\t\\ \u0001 caf\u00e9 \ud83d\ude00")") !=
        std::string::npos);
  CHECK(ordered_json::parse(line)["error_summary"] == body["error_summary"]);
}

TEST_CASE("client_timestamp leaves out a zero fraction, as the client does") {
  using namespace std::chrono;
  const system_clock::time_point whole{seconds(1766512800)};  // 2025-12-23T18:00:00Z
  CHECK(buffer::client_timestamp(whole) == "2025-12-23T18:00:00+00:00");
  CHECK(buffer::client_timestamp(whole + microseconds(4100)) == "2025-12-23T18:00:00.004100+00:00");
}

TEST_CASE("append_line creates the directory and one active file, then appends to it") {
  TempDir dir;
  const std::string buffer_dir = dir / "sub/telemetry_buffer";
  auto first = buffer::append_line(buffer_dir, "{\"a\": 1}");
  auto second = buffer::append_line(buffer_dir, "{\"a\": 2}");
  REQUIRE_FALSE(first.error);
  REQUIRE_FALSE(second.error);
  CHECK(first.file == second.file);
  const auto found = names(buffer_dir);
  REQUIRE(found.size() == 1);
  CHECK(std::regex_match(found[0], std::regex(R"(telemetry_[0-9]{8}_[0-9]{6}\.jsonl\.active)")));
  CHECK(read_file(first.file) == "{\"a\": 1}\n{\"a\": 2}\n");
}

TEST_CASE("append_line uses the newest active file and rotates one older than 24 hours") {
  TempDir dir;
  const std::string old_file = dir.write("telemetry_20200101_000000.jsonl.active", "old\n", 0644);
  const std::string newer = dir.write("telemetry_20200102_000000.jsonl.active", "newer\n", 0644);
  struct timeval times[2] = {{1577836800, 0}, {1577836800, 0}};  // 2020-01-01
  ::utimes(old_file.c_str(), times);
  auto now = std::chrono::system_clock::now();
  times[0].tv_sec = times[1].tv_sec = std::chrono::system_clock::to_time_t(now) - 3600;
  ::utimes(newer.c_str(), times);
  CHECK(buffer::append_line(dir.path(), "line").file == newer);
  CHECK(read_file(newer) == "newer\nline\n");

  times[0].tv_sec = times[1].tv_sec = std::chrono::system_clock::to_time_t(now) - 86400;
  ::utimes(newer.c_str(), times);
  auto rotated = buffer::append_line(dir.path(), "fresh", now);
  CHECK(read_file(dir / "telemetry_20200102_000000.jsonl.ready") == "newer\nline\n");
  CHECK(rotated.file != newer);
  CHECK(read_file(rotated.file) == "fresh\n");
  CHECK(read_file(old_file) == "old\n");  // only the newest active file is used
}

TEST_CASE("append_line rotates an active file of 10 MiB") {
  TempDir dir;
  const std::string big = dir.write("telemetry_20200102_000000.jsonl.active", std::string(10485760, 'x'), 0644);
  auto result = buffer::append_line(dir.path(), "next");
  CHECK(result.file != big);
  CHECK(std::filesystem::exists(dir / "telemetry_20200102_000000.jsonl.ready"));
  CHECK(read_file(result.file) == "next\n");
}

TEST_CASE("append_line reports a directory it cannot write") {
  TempDir dir;
  const std::string blocker = dir.write("not-a-directory", "");
  auto result = buffer::append_line(blocker + "/telemetry_buffer", "line");
  REQUIRE(result.error);
  CHECK(result.error->find("cannot open buffer file") != std::string::npos);
}
