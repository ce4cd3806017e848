// LineReader: line ends, BOM, unterminated last line, chunk boundaries.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fcntl.h>

#include "buffer/line_reader.h"
#include "temp_dir.h"

using telemetry::buffer::LineReader;
using telemetry::buffer::RawLine;

namespace {

std::vector<RawLine> read_all(const std::string& content) {
  telemetry::test::TempDir dir;
  const std::string path = dir.write("input", content);
  int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  LineReader reader(fd);
  std::vector<RawLine> lines;
  RawLine line;
  while (reader.next(line) == LineReader::Status::kLine) lines.push_back(line);
  ::close(fd);
  return lines;
}

}  // namespace

TEST_CASE("lines end at \\n and keep a \\r before it; numbers count every line") {
  auto lines = read_all("a\r\n\nb\n");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].bytes == "a\r");
  CHECK(lines[1].bytes.empty());
  CHECK(lines[2].bytes == "b");
  CHECK(lines[2].number == 3);
  CHECK(lines[2].terminated);
}

TEST_CASE("a last line without \\n is still a line, marked unterminated") {
  auto lines = read_all("a\nbc");
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].bytes == "bc");
  CHECK_FALSE(lines[1].terminated);
}

TEST_CASE("empty input has no lines") { CHECK(read_all("").empty()); }

TEST_CASE("a UTF-8 BOM at the very start is skipped, elsewhere kept") {
  auto lines = read_all("\xEF\xBB\xBF{}\n\xEF\xBB\xBFx\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].bytes == "{}");
  CHECK(lines[1].bytes == "\xEF\xBB\xBFx");
  CHECK(read_all("\xEF\xBB").at(0).bytes == "\xEF\xBB");  // a partial BOM is data
}

TEST_CASE("lines longer than the read chunk and lines across chunk ends are whole") {
  std::string long_line(3 * 1024 * 1024 + 17, 'x');
  std::string content = long_line + "\n";
  for (int i = 0; i < 200000; ++i) content += std::to_string(i) + "\n";
  auto lines = read_all(content);
  REQUIRE(lines.size() == 200001);
  CHECK(lines[0].bytes == long_line);
  for (int i = 0; i < 200000; ++i) {
    if (lines[i + 1].bytes != std::to_string(i)) FAIL("line " << i + 2 << " is " << lines[i + 1].bytes);
  }
}

TEST_CASE("a read error is reported, not taken for the end of input") {
  telemetry::test::TempDir dir;
  int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);  // read(2) on a directory fails: EISDIR
  REQUIRE(fd >= 0);
  LineReader reader(fd);
  RawLine line;
  CHECK(reader.next(line) == LineReader::Status::kError);
  CHECK_FALSE(reader.error().empty());
  ::close(fd);
}
