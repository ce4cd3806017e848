#include "http/after_commit.h"

#include <optional>

namespace telemetry::http {
namespace {

// The I/O thread sets these around one request at a time; on worker threads
// they stay null, so handlers there block as before.
thread_local HandOffScope* current_hand_off = nullptr;
thread_local PendingAnswer* current_resume = nullptr;

}  // namespace

void answer_after_commit(db::Writer& writer, db::WriteOperation operation, httplib::Response& response,
                         RenderAnswer render) {
  HandOffScope* scope = current_hand_off;
  if (scope == nullptr) {
    render(writer.submit(std::move(operation)), response);
    return;
  }
  auto answer = std::make_shared<PendingAnswer>();
  answer->render = std::move(render);
  answer->headers = response.headers;
  // The hook may run before this returns: it only queues the answer for the
  // I/O thread, which is this thread, busy until the request is set aside.
  std::optional<db::WriteResult> refused =
      writer.submit_async(std::move(operation), [answer, committed = scope->committed_](db::WriteResult result) {
        answer->result = std::move(result);
        committed(answer);
      });
  if (refused) {
    answer->render(*refused, response);  // nothing queued: answer now
    return;
  }
  scope->handed_off_ = std::move(answer);
}

HandOffScope::HandOffScope(CommittedHook committed) : committed_(std::move(committed)), outer_(current_hand_off) {
  current_hand_off = this;
}

HandOffScope::~HandOffScope() { current_hand_off = outer_; }

ResumeScope::ResumeScope(PendingAnswer& answer) : outer_(current_resume) { current_resume = &answer; }

ResumeScope::~ResumeScope() { current_resume = outer_; }

PendingAnswer* handed_off_answer() {
  return current_hand_off != nullptr ? current_hand_off->handed_off().get() : nullptr;
}

PendingAnswer* resumed_answer() { return current_resume; }

}  // namespace telemetry::http
