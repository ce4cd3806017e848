#pragma once
// A write route answers only after its COMMIT (docs/reference/http-api.md §8).
// Where its handler runs decides how it waits:
//  - on a worker thread it simply blocks until the writer reports the COMMIT;
//  - on the I/O thread, which must never block, it hands the operation to the
//    writer and returns without an answer; once the writer reports, the I/O
//    thread renders the answer from the result ("resumes" the request).
// Running short writes on the I/O thread saves the hop to a worker and back,
// one thread wake-up per request (docs/architecture.md "HTTP pipeline").
//
// A handler states its answer once, as a function of the write's result, and
// answer_after_commit() does whichever of the two applies. The operation and
// the render function outlive the handler's stack frame: they must own (or
// share) what they use.
#include <chrono>
#include <functional>
#include <memory>

#include <httplib.h>

#include "db/writer.h"
#include "http/request_engine.h"

namespace telemetry::http {

using RenderAnswer = std::function<void(const db::WriteResult& result, httplib::Response& response)>;

// A request whose write was handed to the writer, from then to its answer.
struct PendingAnswer {
  RenderAnswer render;
  httplib::Headers headers;  // set before the hand-off (rate limit...), sent with the answer
  db::WriteResult result;   // written on the writer thread before the hook is called
  CompleteRequest request;  // the front end keeps it here to run it again when resuming
  std::chrono::steady_clock::time_point started;  // for the request's duration metric
  const char* route = "other";                    // likewise, its route template
};

// Called on the writer thread once a handed-off write committed or failed.
using CommittedHook = std::function<void(std::shared_ptr<PendingAnswer> answer)>;

// Runs `operation` on the writer, then `render(result, response)`; either now
// (blocking) or, inside a HandOffScope, when the write has finished.
void answer_after_commit(db::Writer& writer, db::WriteOperation operation, httplib::Response& response,
                         RenderAnswer render);

// While alive, answer_after_commit() on this thread hands writes off to the
// writer; `committed` is called with each. A request hands off at most one.
class HandOffScope {
 public:
  explicit HandOffScope(CommittedHook committed);
  ~HandOffScope();
  HandOffScope(const HandOffScope&) = delete;
  HandOffScope& operator=(const HandOffScope&) = delete;

  // The write handed off within the scope, if one was.
  std::shared_ptr<PendingAnswer> handed_off() const { return handed_off_; }

 private:
  friend void answer_after_commit(db::Writer&, db::WriteOperation, httplib::Response&, RenderAnswer);
  CommittedHook committed_;
  std::shared_ptr<PendingAnswer> handed_off_;
  HandOffScope* outer_;
};

// While alive, the request being run on this thread is `answer`'s, resumed.
class ResumeScope {
 public:
  explicit ResumeScope(PendingAnswer& answer);
  ~ResumeScope();
  ResumeScope(const ResumeScope&) = delete;
  ResumeScope& operator=(const ResumeScope&) = delete;

 private:
  PendingAnswer* outer_;
};

// For the request pipeline (server.cpp): the write this thread's current
// request handed off (its answer comes later), and the answer being resumed.
PendingAnswer* handed_off_answer();
PendingAnswer* resumed_answer();

}  // namespace telemetry::http
