#pragma once
// The dashboard's files, embedded at build time by tools/embed_assets.py
// from ui/ (see ui/meson.build).
#include <cstddef>

namespace telemetry::http {

struct UiAsset {
  const char* name;          // "index.html" (served at /), else served at /ui/<name>
  const char* content_type;
  const unsigned char* data;
  std::size_t size;
  const char* etag;          // quoted, a hash of the bytes
};

extern const UiAsset kUiAssets[];
extern const std::size_t kUiAssetCount;

}  // namespace telemetry::http
