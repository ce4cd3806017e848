// Repository, branch and commit read from .git files (no git process).
#include <filesystem>

#include <catch2/catch.hpp>

#include "temp_dir.h"
#include "util/git_info.h"

using namespace telemetry;
using telemetry::test::TempDir;

namespace {
const std::string kHash = "9b2e4c1d7a0f4e3b2a1c0d9e8f7a6b5c4d3e2f10";
}

TEST_CASE("a loose branch ref and the origin URL, from a subdirectory") {
  TempDir dir;
  std::filesystem::create_directories(dir / "repo/.git/refs/heads");
  std::filesystem::create_directories(dir / "repo/src/deep");
  dir.write("repo/.git/HEAD", "ref: refs/heads/main\n");
  dir.write("repo/.git/refs/heads/main", kHash + "\n");
  dir.write("repo/.git/config", "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:example/docs.git\n");
  auto info = read_git_info(dir / "repo/src/deep");
  REQUIRE(info);
  CHECK(info->repo == "git@github.com:example/docs.git");
  CHECK(info->branch == std::optional<std::string>("main"));
  CHECK(info->commit == std::optional<std::string>(kHash));
}

TEST_CASE("packed refs, no remote (the directory name), and a detached HEAD") {
  TempDir dir;
  std::filesystem::create_directories(dir / "project/.git");
  dir.write("project/.git/HEAD", "ref: refs/heads/release/1.2\n");
  dir.write("project/.git/packed-refs", "# pack-refs with: peeled\n" + kHash + " refs/heads/release/1.2\n");
  auto info = read_git_info(dir / "project");
  REQUIRE(info);
  CHECK(info->repo == "project");
  CHECK(info->branch == std::optional<std::string>("release/1.2"));
  CHECK(info->commit == std::optional<std::string>(kHash));

  dir.write("project/.git/HEAD", kHash + "\n");
  info = read_git_info(dir / "project");
  CHECK_FALSE(info->branch);
  CHECK(info->commit == std::optional<std::string>(kHash));
}

TEST_CASE("outside a repository there is no git information") {
  TempDir dir;
  CHECK_FALSE(read_git_info(dir.path()));  // assumes $TMPDIR itself is not inside a work tree
}
