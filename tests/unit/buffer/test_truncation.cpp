// The truncation test of issue 6: a buffer file cut at every byte length
// imports its complete lines, reports the torn one, and never crashes.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "buffer/ingest_input.h"
#include "buffer/line_reader.h"
#include "fake_applier.h"
#include "spec_lines.h"
#include "temp_dir.h"

using namespace telemetry;
using namespace telemetry::buffer;
using telemetry::test::FakeApplier;
using telemetry::test::read_file;
using telemetry::test::TempDir;

namespace {

const std::vector<std::string> kLines{test::kStart47, test::kEnd47, test::kStart40};

std::string whole_file() {
  std::string content;
  for (const std::string& line : kLines) content += line + "\n";
  return content;
}

// Lines whose JSON text is complete within the first `length` bytes.
int complete_lines(std::size_t length) {
  int complete = 0;
  std::size_t offset = 0;
  for (const std::string& line : kLines) {
    if (offset + line.size() <= length) ++complete;
    offset += line.size() + 1;
  }
  return complete;
}

// Reads `content` through LineReader (from a memfd, no disk) and classifies
// every line exactly as ingest_input does; returns the counts.
LineCounts read_and_classify(const std::string& content, std::vector<std::string>& reasons) {
  int fd = ::memfd_create("cut", 0);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  REQUIRE(::lseek(fd, 0, SEEK_SET) == 0);
  LineReader reader(fd);
  RawLine raw;
  ClassifyOptions options;
  options.now = test::kNow;
  LineCounts counts;
  while (reader.next(raw) == LineReader::Status::kLine) {
    ++counts.lines;
    ClassifiedLine line = classify_line(raw.bytes, raw.terminated, options);
    if (line.kind == LineKind::kRun) ++counts.inserted;
    if (line.kind == LineKind::kRejected) {
      ++counts.rejected;
      reasons.push_back(line.reason);
    }
  }
  ::close(fd);
  return counts;
}

}  // namespace

TEST_CASE("every cut: complete lines are runs, a torn last line is rejected as incomplete") {
  const std::string content = whole_file();
  for (std::size_t length = 0; length <= content.size(); ++length) {
    std::vector<std::string> reasons;
    const LineCounts c = read_and_classify(content.substr(0, length), reasons);
    const int complete = complete_lines(length);
    // Lines present at all: every '\n' in the prefix, plus a last line without one.
    const std::string prefix = content.substr(0, length);
    const int present = static_cast<int>(std::count(prefix.begin(), prefix.end(), '\n')) +
                        (length > 0 && prefix.back() != '\n' ? 1 : 0);
    const bool torn = present > complete;
    INFO("length " << length);
    CHECK(c.inserted == complete);
    CHECK(c.rejected == (torn ? 1 : 0));
    CHECK(c.lines == present);
    if (torn) CHECK(reasons.at(0).rfind("incomplete last line: ", 0) == 0);
  }
}

TEST_CASE("sampled cuts write the torn line, byte for byte, to the quarantine file") {
  const std::string content = whole_file();
  TempDir dir;
  for (std::size_t length : {std::size_t{1}, kLines[0].size() / 2, kLines[0].size() + 1 + 100,
                             content.size() - 2}) {
    const std::string name = "cut" + std::to_string(length) + ".jsonl.ready";
    const std::string path = dir.write(name, content.substr(0, length));
    FakeApplier applier;
    IngestOptions options;
    options.classify.now = test::kNow;
    InputReport report = ingest_input(InputSpec{path, false, false, std::nullopt}, applier, options);
    INFO("length " << length);
    REQUIRE(report.counts.rejected == 1);
    CHECK(report.state == InputState::kSynced);
    auto record = nlohmann::json::parse(read_file(path + ".rejected"));
    const std::size_t line_start = content.rfind('\n', length - 1) == std::string::npos
                                       ? 0
                                       : content.rfind('\n', length - 1) + 1;
    CHECK(record["raw"] == content.substr(line_start, length - line_start));
    CHECK(record["line"] == complete_lines(length) + 1);
  }
}
