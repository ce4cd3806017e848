#include "util/directories.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "util/error.h"

namespace telemetry {

void create_private_directories(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<fs::path> missing;
  for (fs::path p = fs::path(directory); !p.empty() && !fs::exists(p, error); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      throw Error(ErrorKind::kCannotCreate,
                  fmt::format("cannot create directory {}: {}", it->string(), std::strerror(errno)));
    }
  }
  if (!fs::is_directory(directory, error)) {
    throw Error(ErrorKind::kCannotCreate, fmt::format("{} is not a directory", directory));
  }
}

}  // namespace telemetry
