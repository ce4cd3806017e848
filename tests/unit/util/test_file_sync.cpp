// util/file_sync.h and util/temporary_file.h: durable renames, the free-space
// test and the self-deleting temporary file.
#include <catch2/catch.hpp>

#include "temp_dir.h"
#include "util/error.h"
#include "util/file_sync.h"
#include "util/temporary_file.h"

using telemetry::Error;
using telemetry::ErrorKind;
using telemetry::test::exists;
using telemetry::test::read_file;
using telemetry::test::TempDir;

TEST_CASE("durable_rename moves the file; a missing source is an I/O error naming both paths") {
  TempDir dir;
  const std::string from = dir.write("a", "content");
  telemetry::durable_rename(from, dir / "b");
  CHECK(read_file(dir / "b") == "content");
  CHECK_FALSE(exists(from));
  try {
    telemetry::durable_rename(from, dir / "c");
    FAIL("renamed a missing file");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kIo);
    CHECK(std::string(error.what()) == "cannot rename " + from + " to " + (dir / "c") + ": No such file or directory");
  }
}

TEST_CASE("require_free_space refuses what the filesystem cannot hold") {
  TempDir dir;
  CHECK_NOTHROW(telemetry::require_free_space(dir.path(), 1, "test"));
  const std::uint64_t too_much = telemetry::available_bytes(dir.path());
  try {
    telemetry::require_free_space(dir.path(), too_much, "copy things");
    FAIL("accepted more than the free space");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::kDiskFull);
    CHECK(std::string(error.what()).rfind("not enough free space in " + dir.path() + " to copy things: needs about ", 0) == 0);
  }
}

TEST_CASE("a temporary file is deleted with SQLite's side files unless kept") {
  TempDir dir;
  const std::string path = dir / "t.sqlite";
  {
    telemetry::TemporaryFile file(path);
    CHECK(exists(path));
    dir.write("t.sqlite-journal", "j");
  }
  CHECK_FALSE(exists(path));
  CHECK_FALSE(exists(path + "-journal"));
  {
    telemetry::TemporaryFile file(path);
    file.keep();
  }
  CHECK(exists(path));
  CHECK_THROWS_AS(telemetry::TemporaryFile(path), Error);  // created exclusively
}
