// util/atomic_file.h: the content appears whole on commit, or not at all.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

using telemetry::AtomicFile;
using telemetry::Error;
using telemetry::ErrorKind;
using telemetry::test::exists;
using telemetry::test::read_file;
using telemetry::test::TempDir;

TEST_CASE("an atomic file replaces the old content only on commit") {
  TempDir dir;
  const std::string path = dir.write("f.json", "old\n");
  {
    AtomicFile file(path);
    file.write("new ");
    file.write("content\n");
    CHECK(read_file(path) == "old\n");
    file.commit();
  }
  CHECK(read_file(path) == "new content\n");
  CHECK_FALSE(exists(path + ".tmp"));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("an atomic file dropped without commit leaves the old file and no temporary") {
  TempDir dir;
  const std::string path = dir.write("f.json", "old\n");
  {
    AtomicFile file(path);
    file.write("half");
  }
  CHECK(read_file(path) == "old\n");
  CHECK_FALSE(exists(path + ".tmp"));
}

TEST_CASE("a stale temporary or a symlink in its place is replaced, never written through") {
  TempDir dir;
  const std::string victim = dir.write("victim", "keep\n");
  const std::string path = dir / "f.json";
  REQUIRE(::symlink(victim.c_str(), (path + ".tmp").c_str()) == 0);
  telemetry::write_file_atomically(path, "x\n");
  CHECK(read_file(path) == "x\n");
  CHECK(read_file(victim) == "keep\n");
}

TEST_CASE("an atomic file that cannot be created names its temporary path") {
  try {
    AtomicFile file("/nonexistent-dir/f.json");
    FAIL("created a file in a missing directory");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kCannotCreate);
    CHECK(std::string(error.what()).find("/nonexistent-dir/f.json.tmp") != std::string::npos);
  }
}
