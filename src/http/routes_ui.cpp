// GET / and GET /ui/{asset}: the dashboard's embedded files. Open like
// /health (the page holds no data; it asks for the token the API needs).
#include <cstring>

#include "http/responses.h"
#include "http/service.h"
#include "http/ui_assets.h"

namespace telemetry::http {
namespace {

const UiAsset* find_asset(const std::string& name) {
  for (std::size_t i = 0; i < kUiAssetCount; ++i) {
    if (name == kUiAssets[i].name) return &kUiAssets[i];
  }
  return nullptr;
}

// Everything the page loads comes from this service; nothing inline, no
// other origin, no framing.
constexpr const char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool etag_matches(const std::string& if_none_match, const char* etag) {
  // A list such as "a", "b" or *; weak validators compare equal for GET.
  if (if_none_match.find('*') != std::string::npos) return true;
  return if_none_match.find(etag) != std::string::npos;
}

}  // namespace

void handle_ui(ServiceContext&, const RouteRequest& request, httplib::Response& response) {
  // "/ui/index.html" is not a second name for the page: one URL per file.
  const std::string name = request.match.route == Route::kUiPage ? "index.html" : request.match.event_id;
  const UiAsset* asset = request.match.route == Route::kUiAsset && name == "index.html" ? nullptr : find_asset(name);
  if (!asset) {
    send_detail(response, 404, "Not Found");
    return;
  }
  response.set_header("ETag", asset->etag);
  // Revalidate every time: a new binary serves new files at the same URLs,
  // and a 304 costs one round trip on loopback.
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  if (request.match.route == Route::kUiPage) {
    response.set_header("Content-Security-Policy", kContentSecurityPolicy);
    response.set_header("X-Frame-Options", "DENY");
  }
  if (etag_matches(request.http.get_header_value("If-None-Match"), asset->etag)) {
    response.status = 304;
    return;
  }
  response.status = 200;
  response.set_content(reinterpret_cast<const char*>(asset->data), asset->size, asset->content_type);
}

}  // namespace telemetry::http
