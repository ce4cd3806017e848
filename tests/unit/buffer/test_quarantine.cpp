// Quarantine records (docs/reference/buffer-files.md §12.1) and the atomic quarantine file.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "buffer/quarantine.h"
#include "temp_dir.h"

using namespace telemetry::buffer;
using telemetry::test::read_file;
using telemetry::test::TempDir;

TEST_CASE("base64 follows RFC 4648's test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("a record has the keys of 12.1 in order, compact") {
  RejectedLine line{4, "incomplete last line: unexpected end of input", "{\"run_id\": \"20260114T0", std::nullopt};
  CHECK(quarantine_record(line, "telemetry_20260114_091502.jsonl.ready", "2026-01-14T10:02:11.008211+00:00") ==
        R"({"line":4,"reason":"incomplete last line: unexpected end of input","raw":"{\"run_id\": \"20260114T0","source":"telemetry_20260114_091502.jsonl.ready","event_id":null,"rejected_at":"2026-01-14T10:02:11.008211+00:00"})");
}

TEST_CASE("invalid UTF-8: raw with U+FFFD and the exact bytes in raw_base64; \\r kept") {
  RejectedLine line{2, "invalid UTF-8", "a\xFF" "b\r", std::string("e-1")};
  CHECK(quarantine_record(line, "-", "T") ==
        "{\"line\":2,\"reason\":\"invalid UTF-8\",\"raw\":\"a\xEF\xBF\xBD" "b\\r\",\"raw_base64\":\"Yf9iDQ==\","
        "\"source\":\"-\",\"event_id\":\"e-1\",\"rejected_at\":\"T\"}");
}

TEST_CASE("the writer makes the file appear only on commit, replacing an older one") {
  TempDir dir;
  const std::string path = dir / "x.jsonl.ready.rejected";
  dir.write("x.jsonl.ready.rejected", "old\n");
  {
    QuarantineWriter writer(path, "x.jsonl.ready", "T");
    writer.add(RejectedLine{1, "r1", "a", std::nullopt});
    writer.add(RejectedLine{3, "r3", "b", std::nullopt});
    CHECK(read_file(path) == "old\n");  // not yet replaced
    REQUIRE_FALSE(writer.commit());
  }
  CHECK(read_file(path) ==
        "{\"line\":1,\"reason\":\"r1\",\"raw\":\"a\",\"source\":\"x.jsonl.ready\",\"event_id\":null,\"rejected_at\":\"T\"}\n"
        "{\"line\":3,\"reason\":\"r3\",\"raw\":\"b\",\"source\":\"x.jsonl.ready\",\"event_id\":null,\"rejected_at\":\"T\"}\n");
  struct stat st {};
  CHECK(::stat((path + ".tmp").c_str(), &st) != 0);
}

TEST_CASE("a writer dropped without commit leaves no file behind") {
  TempDir dir;
  const std::string path = dir / "y.rejected";
  {
    QuarantineWriter writer(path, "y", "T");
    writer.add(RejectedLine{1, "r", "a", std::nullopt});
  }
  struct stat st {};
  CHECK(::stat(path.c_str(), &st) != 0);
  CHECK(::stat((path + ".tmp").c_str(), &st) != 0);
}

TEST_CASE("a quarantine file that cannot be created is reported") {
  QuarantineWriter writer("/nonexistent-dir/z.rejected", "z", "T");
  writer.add(RejectedLine{1, "r", "a", std::nullopt});
  auto error = writer.commit();
  REQUIRE(error);
  CHECK(error->find("/nonexistent-dir/z.rejected.tmp") != std::string::npos);
}

TEST_CASE("a stale quarantine file is removed; a missing one is fine") {
  TempDir dir;
  dir.write("a.rejected", "x");
  CHECK_FALSE(remove_stale_quarantine(dir / "a.rejected"));
  struct stat st {};
  CHECK(::stat((dir / "a.rejected").c_str(), &st) != 0);
  CHECK_FALSE(remove_stale_quarantine(dir / "a.rejected"));
}
