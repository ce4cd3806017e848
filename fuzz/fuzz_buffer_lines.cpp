// libFuzzer target: a buffer file as ingest-buffer reads it
// (docs/reference/buffer-files.md §9-§10): buffer::LineReader splits the bytes (read from a
// memfd, as from a file) and buffer::classify_line classifies each line.
// Properties checked:
//  - the lines' bytes plus their '\n' terminators rebuild the input (minus a leading BOM);
//  - only the last line may lack its terminator, and line numbers count from 1;
//  - a line classified as a run carries a non-empty event_id and a canonical created_at;
//  - a rejected line always says why.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "buffer/line_classifier.h"
#include "buffer/line_reader.h"
#include "core/timestamp.h"
#include "fuzz_check.h"

namespace {

int input_fd(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("fuzz-buffer", 0);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = pwrite(fd, data + written, size - written, static_cast<off_t>(written));
    FUZZ_CHECK(n > 0);
    written += static_cast<std::size_t>(n);
  }
  FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using telemetry::buffer::LineKind;
  using telemetry::buffer::LineReader;
  using telemetry::buffer::RawLine;

  std::string_view expected(reinterpret_cast<const char*>(data), size);
  if (expected.substr(0, 3) == "\xEF\xBB\xBF") expected.remove_prefix(3);

  LineReader reader(input_fd(data, size));
  telemetry::buffer::ClassifyOptions options;
  options.max_line_bytes = 4096;  // small, so the fuzzer reaches the over-limit path
  options.now = "2026-01-14T09:15:02.000000+00:00";

  std::string rebuilt;
  RawLine line;
  std::int64_t number = 0;
  bool saw_unterminated = false;
  for (;;) {
    const LineReader::Status status = reader.next(line);
    FUZZ_CHECK(status != LineReader::Status::kError);
    if (status == LineReader::Status::kEnd) break;
    FUZZ_CHECK(!saw_unterminated);  // nothing may follow an unterminated line
    FUZZ_CHECK(line.number == ++number);
    rebuilt += line.bytes;
    if (line.terminated) {
      rebuilt += '\n';
    } else {
      saw_unterminated = true;
    }
    const auto classified = telemetry::buffer::classify_line(line.bytes, line.terminated, options);
    if (classified.kind == LineKind::kRejected) FUZZ_CHECK(!classified.reason.empty());
    if (classified.kind == LineKind::kRun) {
      FUZZ_CHECK(!classified.run.text(telemetry::RunColumn::event_id).empty());
      const std::string& created_at = classified.run.text(telemetry::RunColumn::created_at);
      FUZZ_CHECK(telemetry::canonical_utc(created_at) == created_at);
    }
  }
  FUZZ_CHECK(rebuilt == expected);
  return 0;
}
