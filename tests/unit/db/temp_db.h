#pragma once
// A temporary directory holding a database file, removed at scope exit.
#include <stdlib.h>

#include <filesystem>
#include <string>

struct TempDb {
  std::filesystem::path dir;
  std::string path;
  TempDb() {
    char pattern[] = "/tmp/telemetry-test-XXXXXX";
    dir = mkdtemp(pattern);
    path = (dir / "telemetry.sqlite").string();
  }
  ~TempDb() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};
