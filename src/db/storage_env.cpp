#include "db/storage_env.h"

namespace telemetry::db {

const StorageEnv& StorageEnv::real() {
  static const StorageEnv env;
  return env;
}

}  // namespace telemetry::db
