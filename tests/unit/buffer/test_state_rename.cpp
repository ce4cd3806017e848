// .synced names (docs/reference/buffer-files.md §7): which names are renamed, and the first free name.
#include <catch2/catch.hpp>

#include "buffer/state_rename.h"
#include "temp_dir.h"

using namespace telemetry::buffer;
using telemetry::test::exists;
using telemetry::test::read_file;
using telemetry::test::TempDir;

TEST_CASE("ready, active and plain .jsonl become .jsonl.synced; other names are kept") {
  CHECK(synced_path_for("d/telemetry_20260114_091502.jsonl.ready") ==
        std::optional<std::string>("d/telemetry_20260114_091502.jsonl.synced"));
  CHECK(synced_path_for("t.jsonl.active") == std::optional<std::string>("t.jsonl.synced"));
  CHECK(synced_path_for("t.jsonl") == std::optional<std::string>("t.jsonl.synced"));
  CHECK_FALSE(synced_path_for("t.jsonl.synced"));
  CHECK_FALSE(synced_path_for("raw/events_20260114.ndjson"));
  CHECK_FALSE(synced_path_for("notes.txt"));
  CHECK(numbered_synced_path("d/t.jsonl.ready", 2) == "d/t.2.jsonl.synced");
}

TEST_CASE("an existing .synced file is never replaced: X.1, X.2 ... are used") {
  TempDir dir;
  dir.write("t.jsonl.synced", "first");
  dir.write("t.1.jsonl.synced", "second");
  dir.write("t.jsonl.ready", "third");
  RenameResult result = rename_to_synced(dir / "t.jsonl.ready");
  CHECK_FALSE(result.error);
  CHECK(result.renamed_to == std::optional<std::string>(dir / "t.2.jsonl.synced"));
  CHECK(read_file(dir / "t.jsonl.synced") == "first");
  CHECK(read_file(dir / "t.1.jsonl.synced") == "second");
  CHECK(read_file(dir / "t.2.jsonl.synced") == "third");
  CHECK_FALSE(exists(dir / "t.jsonl.ready"));
}

TEST_CASE("names that are not renamed are left, and a failing rename says why") {
  TempDir dir;
  dir.write("e.ndjson", "x");
  RenameResult kept = rename_to_synced(dir / "e.ndjson");
  CHECK_FALSE(kept.renamed_to);
  CHECK_FALSE(kept.error);
  RenameResult missing = rename_to_synced(dir / "gone.jsonl.ready");
  CHECK_FALSE(missing.renamed_to);
  REQUIRE(missing.error);
  CHECK(missing.error->find("gone.jsonl.ready") != std::string::npos);
}

TEST_CASE("active and quarantine names are recognised") {
  CHECK(is_active_name("a/t.jsonl.active"));
  CHECK_FALSE(is_active_name("t.jsonl.ready"));
  CHECK(is_quarantine_name("t.jsonl.ready.rejected"));
  CHECK_FALSE(is_quarantine_name("t.jsonl.ready"));
}
