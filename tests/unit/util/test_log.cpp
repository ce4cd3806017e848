// Log line formats, docs/reference/configuration.md §4.4.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "temp_dir.h"
#include "util/error.h"
#include "util/log.h"
#include "util/log_format.h"

namespace tlog = telemetry::log;
using std::chrono::system_clock;

namespace {

// 2024-03-05T06:07:08.123456Z
system_clock::time_point sample_time() {
  return system_clock::time_point(std::chrono::seconds(1709618828)) + std::chrono::microseconds(123456);
}

// Runs `action` with stderr redirected to a file and returns what it wrote.
template <typename Action>
std::string captured_stderr(Action action) {
  telemetry::test::TempDir dir;
  std::string file = dir / "stderr";
  int saved = ::dup(STDERR_FILENO);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  action();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  return telemetry::test::read_file(file);
}

}  // namespace

TEST_CASE("log: canonical UTC timestamps with microseconds") {
  CHECK(tlog::utc_timestamp(sample_time()) == "2024-03-05T06:07:08.123456+00:00");
  CHECK(tlog::utc_timestamp(system_clock::time_point{}) == "1970-01-01T00:00:00.000000+00:00");
}

TEST_CASE("log: logfmt line") {
  std::string line = tlog::format_line(tlog::Format::kLogfmt, sample_time(), tlog::Level::kInfo, "request done",
                                      {{"method", "GET"}, {"path", "/health"}, {"status", "200"}});
  CHECK(line ==
        "time=2024-03-05T06:07:08.123456+00:00 level=info msg=\"request done\" method=GET path=/health status=200\n");
  CHECK(tlog::format_line(tlog::Format::kLogfmt, sample_time(), tlog::Level::kWarning, "x", {}) ==
        "time=2024-03-05T06:07:08.123456+00:00 level=warning msg=\"x\"\n");
}

TEST_CASE("log: logfmt quotes values that need it and escapes") {
  CHECK(tlog::logfmt_value("plain") == "plain");
  CHECK(tlog::logfmt_value("") == "\"\"");
  CHECK(tlog::logfmt_value("two words") == "\"two words\"");
  CHECK(tlog::logfmt_value("a=b") == "\"a=b\"");
  CHECK(tlog::logfmt_value("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(tlog::logfmt_value("back\\slash") == "\"back\\\\slash\"");
  CHECK(tlog::logfmt_value("line\nbreak") == "\"line\\nbreak\"");
  std::string line =
      tlog::format_line(tlog::Format::kLogfmt, sample_time(), tlog::Level::kError, "bad \"thing\"\nhappened", {});
  CHECK(line == "time=2024-03-05T06:07:08.123456+00:00 level=error msg=\"bad \\\"thing\\\"\\nhappened\"\n");
}

TEST_CASE("log: every control character is escaped, so none reaches a terminal") {
  // A client's field with a raw ESC (colour codes), BEL, NUL, DEL, a C1 CSI
  // (U+009B) and a byte that is not UTF-8.
  CHECK(tlog::logfmt_value("\x1b[31mRED") == "\"\\x1b[31mRED\"");
  CHECK(tlog::logfmt_value(std::string("a\0b", 3)) == "\"a\\x00b\"");
  CHECK(tlog::logfmt_value("bell\a") == "\"bell\\x07\"");
  CHECK(tlog::logfmt_value("del\x7f") == "\"del\\x7f\"");
  CHECK(tlog::logfmt_value("csi\xC2\x9B" "31m") == "\"csi\\u009b31m\"");
  CHECK(tlog::logfmt_value("bad\xff") == "\"bad\\xff\"");
  // Printable UTF-8 (including U+00A0 and beyond) stays as it is.
  CHECK(tlog::logfmt_value("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(tlog::logfmt_value("nbsp\xC2\xA0x") == "nbsp\xC2\xA0x");
  for (tlog::Format format : {tlog::Format::kLogfmt, tlog::Format::kJson}) {
    const std::string line = tlog::format_line(format, sample_time(), tlog::Level::kInfo, "m\x1b[2J",
                                              {{"agent", "\x1b[31mRED\x07\x7f\xC2\x9B"}});
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {  // the last byte is the line's own \n
      const unsigned char c = static_cast<unsigned char>(line[i]);
      CHECK((c >= 0x20 && c != 0x7f));
      CHECK_FALSE((c == 0xC2 && static_cast<unsigned char>(line[i + 1]) < 0xA0));
    }
  }
  const std::string json = tlog::format_line(tlog::Format::kJson, sample_time(), tlog::Level::kInfo, "m",
                                             {{"agent", "\x1b[31mRED\x7f\xC2\x9B"}});
  CHECK(nlohmann::json::parse(json)["agent"] == "\x1b[31mRED\x7f\xC2\x9B");  // the value survives, escaped
}

TEST_CASE("log: announce writes whatever the level") {
  tlog::configure(tlog::Level::kError, tlog::Format::kLogfmt);
  std::string out = captured_stderr([] {
    tlog::info("hidden");
    tlog::announce("listening", {{"url", "http://127.0.0.1:1"}});
  });
  tlog::configure(tlog::Level::kInfo, tlog::Format::kLogfmt);
  CHECK(std::regex_match(out, std::regex("time=[^ ]+ level=info msg=\"listening\" url=http://127.0.0.1:1\n")));
}

TEST_CASE("log: json line has the fixed keys first, then the event's") {
  std::string line = tlog::format_line(tlog::Format::kJson, sample_time(), tlog::Level::kCritical, "disk \"full\"",
                                      {{"path", "/data"}, {"message", "clash"}});
  CHECK(line ==
        "{\"timestamp\":\"2024-03-05T06:07:08.123456+00:00\",\"level\":\"critical\",\"logger\":\"telemetry\","
        "\"message\":\"disk \\\"full\\\"\",\"path\":\"/data\",\"_message\":\"clash\"}\n");
  auto parsed = nlohmann::json::parse(line);
  CHECK(parsed["level"] == "critical");
  // Invalid UTF-8 does not lose the line.
  std::string odd = tlog::format_line(tlog::Format::kJson, sample_time(), tlog::Level::kInfo, "bad \xff byte", {});
  CHECK(nlohmann::json::parse(odd)["message"] == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("log: level and format names") {
  CHECK(tlog::parse_level("DEBUG") == tlog::Level::kDebug);
  CHECK(tlog::parse_level("warn") == tlog::Level::kWarning);
  CHECK(tlog::parse_level("warning") == tlog::Level::kWarning);
  CHECK(tlog::parse_level("critical") == tlog::Level::kCritical);
  CHECK_THROWS_AS(tlog::parse_level("loud"), telemetry::Error);
  CHECK(tlog::parse_format("text") == tlog::Format::kLogfmt);
  CHECK(tlog::parse_format("JSON") == tlog::Format::kJson);
  CHECK_THROWS_AS(tlog::parse_format("xml"), telemetry::Error);
  CHECK(std::string(tlog::level_name(tlog::Level::kWarning)) == "warning");
}

TEST_CASE("log: write goes to stderr, one line per call, filtered by level") {
  tlog::configure(tlog::Level::kWarning, tlog::Format::kLogfmt);
  std::string out = captured_stderr([] {
    tlog::info("hidden");
    tlog::warning("shown", {{"n", "1"}});
    tlog::error("also shown");
  });
  tlog::configure(tlog::Level::kInfo, tlog::Format::kLogfmt);
  std::regex pattern(
      "time=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00 level=warning msg=\"shown\" n=1\n"
      "time=[^ ]+ level=error msg=\"also shown\"\n");
  CHECK(std::regex_match(out, pattern));
  CHECK_FALSE(tlog::enabled(tlog::Level::kDebug));
  CHECK(tlog::enabled(tlog::Level::kInfo));
}

TEST_CASE("log: concurrent writers never interleave within a line") {
  tlog::configure(tlog::Level::kInfo, tlog::Format::kJson);
  std::string out = captured_stderr([] {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([t] {
        for (int i = 0; i < 200; ++i) tlog::info("message", {{"thread", std::to_string(t)}, {"pad", std::string(300, 'x')}});
      });
    for (auto& thread : threads) thread.join();
  });
  tlog::configure(tlog::Level::kInfo, tlog::Format::kLogfmt);
  std::istringstream lines(out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    auto parsed = nlohmann::json::parse(line);  // throws on a torn line
    CHECK(parsed["logger"] == "telemetry");
    ++count;
  }
  CHECK(count == 800);
}
