#pragma once
// Derived event_ids for rows that have none (docs/reference/schema.md §4.4): name-based UUID
// version 5 in the URL namespace, so the same data always gets the same id.
#include <cstdint>
#include <string>
#include <string_view>

namespace telemetry::db::migrations {

// RFC 4122 version-5 UUID of `name` in the namespace given as 8-4-4-4-12 text,
// written in lower case.
std::string uuid5(std::string_view namespace_uuid, std::string_view name);

// The event_id for an already composed name ("telemetry:run_id:..." or "telemetry:id:...").
std::string event_id_for_name(std::string_view name);
// The event_id for a library-shape row: name "telemetry:run_id:<run_id>".
std::string event_id_for_run_id(std::string_view run_id);
// The event_id for a service-shape row: name "telemetry:id:<id>".
std::string event_id_for_id(std::int64_t id);

}  // namespace telemetry::db::migrations
