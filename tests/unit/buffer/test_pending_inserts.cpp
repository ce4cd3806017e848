// PendingInserts: first-seen order, lookup by event_id, folding, clearing.
#include <catch2/catch.hpp>

#include <string>

#include "buffer/pending_inserts.h"

using telemetry::RunColumn;
using telemetry::RunRecord;
using telemetry::buffer::PendingInserts;

namespace {

RunRecord record(const std::string& event_id, const std::string& status) {
  RunRecord run;
  run[RunColumn::event_id] = event_id;
  run[RunColumn::status] = status;
  return run;
}

}  // namespace

TEST_CASE("pending inserts keep first-seen order and are found by event_id") {
  PendingInserts pending;
  for (int i = 0; i < 100; ++i) pending.add(record("e-" + std::to_string(99 - i), "running"));
  REQUIRE(pending.size() == 100);
  for (int i = 0; i < 100; ++i) {
    CHECK(pending.records()[static_cast<std::size_t>(i)].text(RunColumn::event_id) == "e-" + std::to_string(99 - i));
  }
  RunRecord* found = pending.find("e-42");
  REQUIRE(found != nullptr);
  (*found)[RunColumn::status] = std::string("success");  // a later state folded in
  CHECK(pending.find("e-42")->text(RunColumn::status) == "success");
  CHECK(pending.records()[57].text(RunColumn::status) == "success");
  CHECK(pending.find("e-100") == nullptr);

  pending.clear();
  CHECK(pending.size() == 0);
  CHECK(pending.find("e-42") == nullptr);
  pending.add(record("e-42", "running"));
  CHECK(pending.find("e-42")->text(RunColumn::status) == "running");
}
