// ingest_input: one input through classify, apply, quarantine and rename (docs/reference/buffer-files.md §12).
#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "buffer/ingest_input.h"
#include "buffer/state_rename.h"
#include "fake_applier.h"
#include "spec_lines.h"
#include "temp_dir.h"

using namespace telemetry;
using namespace telemetry::buffer;
using telemetry::test::FakeApplier;
using telemetry::test::read_file;
using telemetry::test::TempDir;

namespace {

IngestOptions options() {
  IngestOptions o;
  o.classify.now = test::kNow;
  return o;
}

InputSpec file(const std::string& path) { return InputSpec{path, false, is_active_name(path), std::nullopt}; }

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

const std::string kTorn = test::kStart47.substr(0, 40);

}  // namespace

TEST_CASE("the spec's .ready file: counts, quarantine, .synced; a second pass is duplicates") {
  TempDir dir;
  const std::string ready = dir.write("telemetry_20260114_091502.jsonl.ready",
                                      test::kStart47 + "\n\n" + test::kEnd47 + "\n" + kTorn);
  FakeApplier applier;
  InputReport report = ingest_input(file(ready), applier, options());
  CHECK(report.counts.lines == 4);
  CHECK(report.counts.inserted == 1);
  CHECK(report.counts.updated == 1);
  CHECK(report.counts.rejected == 1);
  CHECK(report.counts.blank == 1);
  CHECK(report.state == InputState::kSynced);
  CHECK(report.failure == telemetry::ErrorKind::kInvalidInput);
  CHECK(report.renamed_to == std::optional<std::string>(dir / "telemetry_20260114_091502.jsonl.synced"));
  CHECK(report.rejected_file == std::optional<std::string>(ready + ".rejected"));
  CHECK(applier.committed.at("3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37").status == "success");

  auto quarantine = nlohmann::ordered_json::parse(read_file(ready + ".rejected"));
  CHECK(quarantine["line"] == 4);
  CHECK(quarantine["raw"] == kTorn);
  CHECK(quarantine["source"] == "telemetry_20260114_091502.jsonl.ready");
  CHECK(quarantine["rejected_at"] == test::kNow);
  CHECK(quarantine["reason"].get<std::string>().rfind("incomplete last line: ", 0) == 0);
  REQUIRE(report.shown_rejections.size() == 1);
  CHECK(report.shown_rejections[0].first == 4);

  // Same content again (a copy): everything is a duplicate, the name X.1 is used.
  dir.write("telemetry_20260114_091502.jsonl.ready", test::kStart47 + "\n" + test::kEnd47 + "\n");
  InputReport again = ingest_input(file(ready), applier, options());
  CHECK(again.counts.duplicates == 2);
  CHECK(again.counts.inserted + again.counts.updated == 0);
  CHECK(!again.failure);
  CHECK(again.renamed_to == std::optional<std::string>(dir / "telemetry_20260114_091502.1.jsonl.synced"));
  CHECK_FALSE(exists(ready + ".rejected"));  // the stale quarantine file described the earlier pass
}

TEST_CASE("events are skipped, other names kept, counts add up") {
  TempDir dir;
  const std::string audit =
      dir.write("events_20260114.ndjson", test::kStart40 + "\n" + test::kEventLine + "\n" + test::kEnd40 + "\n");
  FakeApplier applier;
  InputReport report = ingest_input(file(audit), applier, options());
  const LineCounts& c = report.counts;
  CHECK(c.skipped == 1);
  CHECK(c.lines == c.inserted + c.updated + c.duplicates + c.rejected + c.blank + c.skipped);
  CHECK(report.state == InputState::kKept);
  CHECK(exists(audit));
}

TEST_CASE("commits happen every commit_every lines and at the end") {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 5; ++i) {
    std::string line = test::kStart40;
    line.replace(line.find("9c2d41f0"), 8, "0000000" + std::to_string(i));
    content += line + "\n";
  }
  const std::string path = dir.write("many.jsonl", content);
  FakeApplier applier;
  IngestOptions o = options();
  o.commit_every = 2;
  InputReport report = ingest_input(file(path), applier, o);
  CHECK(report.counts.inserted == 5);
  CHECK(applier.commits == 3);  // after lines 2 and 4, then the rest
}

TEST_CASE("a failing applier leaves the input unchanged, without a quarantine file, and stops the run") {
  TempDir dir;
  const std::string path = dir.write("t.jsonl.ready", test::kStart47 + "\n" + kTorn + "\n" + test::kStart40 + "\n");
  FakeApplier applier;
  applier.fail_after = 1;
  InputReport report = ingest_input(file(path), applier, options());
  CHECK(report.state == InputState::kLeft);
  CHECK(report.stops_run);
  CHECK(report.failure == telemetry::ErrorKind::kBusy);
  CHECK(report.error == std::optional<std::string>("database busy"));
  CHECK(applier.abandons == 1);
  CHECK(applier.committed.empty());
  CHECK(exists(path));
  CHECK_FALSE(exists(path + ".rejected"));
  CHECK_FALSE(exists(path + ".rejected.tmp"));
}

TEST_CASE("dry run: decisions and counts, but no quarantine and no rename") {
  TempDir dir;
  const std::string path = dir.write("t.jsonl.ready", test::kStart47 + "\n" + kTorn);
  FakeApplier applier;
  IngestOptions o = options();
  o.dry_run = true;
  InputReport report = ingest_input(file(path), applier, o);
  CHECK(report.state == InputState::kDryRun);
  CHECK(report.counts.inserted == 1);
  CHECK(report.counts.rejected == 1);
  CHECK(report.failure == telemetry::ErrorKind::kInvalidInput);
  CHECK(exists(path));
  CHECK_FALSE(exists(path + ".rejected"));
}

TEST_CASE("an .active input that grows while read is reported as changed, not renamed") {
  TempDir dir;
  const std::string path = dir.write("t.jsonl.active", test::kStart47 + "\n");
  FakeApplier applier;
  IngestOptions o = options();
  o.progress_every = 1;
  o.progress = [&](const std::string&, std::int64_t) { std::ofstream(path, std::ios::app) << test::kStart40 << "\n"; };
  InputReport report = ingest_input(file(path), applier, o);
  CHECK(report.state == InputState::kChanged);
  CHECK(report.failure == telemetry::ErrorKind::kBusy);
  CHECK(exists(path));

  // Unchanged, it is renamed like a .ready file.
  const std::string still = dir.write("u.jsonl.active", test::kStart47 + "\n");
  InputReport quiet = ingest_input(file(still), applier, options());
  CHECK(quiet.state == InputState::kSynced);
  CHECK(quiet.renamed_to == std::optional<std::string>(dir / "u.jsonl.synced"));
}

TEST_CASE("a missing input is left with exit 66") {
  FakeApplier applier;
  InputSpec missing{"nowhere.jsonl", false, false, std::string("No such file or directory")};
  InputReport report = ingest_input(missing, applier, options());
  CHECK(report.state == InputState::kLeft);
  CHECK(report.failure == telemetry::ErrorKind::kNotFound);
  CHECK(report.error->find("nowhere.jsonl") != std::string::npos);
}
