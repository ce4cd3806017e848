#include "buffer/ingest_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "buffer/classifying_pipeline.h"
#include "buffer/quarantine.h"
#include "buffer/state_rename.h"
#include "util/error.h"

namespace telemetry::buffer {
namespace {

std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool same_file_state(const struct stat& before, const struct stat& now) {
  return before.st_size == now.st_size && before.st_mtim.tv_sec == now.st_mtim.tv_sec &&
         before.st_mtim.tv_nsec == now.st_mtim.tv_nsec && before.st_ino == now.st_ino;
}

// Closes the input's descriptor (never standard input's).
struct InputFile {
  int fd = -1;
  bool owned = false;
  ~InputFile() {
    if (owned && fd >= 0) ::close(fd);
  }
};

class InputRun {
 public:
  InputRun(const InputSpec& input, RecordApplier& applier, const IngestOptions& options)
      : input_(input), applier_(applier), options_(options) {
    report_.path = input.path;
  }

  InputReport run() {
    if (input_.missing) return left(ErrorKind::kNotFound, "cannot read " + input_.path + ": " + *input_.missing);
    if (!open_input()) return std::move(report_);
    if (!options_.dry_run) {
      quarantine_ = std::make_unique<QuarantineWriter>(quarantine_path(),
                                                       input_.is_stdin ? "-" : base_name(input_.path),
                                                       options_.classify.now);
    }
    try {
      if (!read_and_apply()) return std::move(report_);
      applier_.commit();
      const std::int64_t late = applier_.take_late_duplicates();
      report_.counts.inserted -= late;
      report_.counts.duplicates += late;
    } catch (const Error& error) {
      applier_.abandon();
      if (quarantine_) quarantine_->discard();
      report_.stops_run = true;
      return left(error.kind(), error.what());
    }
    if (options_.dry_run) {
      report_.state = InputState::kDryRun;
      return finish();
    }
    if (!settle_quarantine()) return std::move(report_);
    if (report_.counts.rejected > 0) report_.rejected_file = quarantine_path();
    return rename_input();
  }

 private:
  std::string quarantine_path() const {
    return input_.is_stdin ? options_.stdin_quarantine : input_.path + ".rejected";
  }

  InputReport left(ErrorKind kind, std::string why) {
    report_.state = InputState::kLeft;
    report_.failure = kind;
    report_.error = std::move(why);
    report_.rejected_file.reset();
    return std::move(report_);
  }

  InputReport finish() {
    if (report_.counts.rejected > 0) report_.failure = ErrorKind::kInvalidInput;
    return std::move(report_);
  }

  bool open_input() {
    if (input_.is_stdin) {
      file_.fd = STDIN_FILENO;
    } else {
      // A file found in a directory was a regular file when listed; O_NOFOLLOW
      // keeps a symlink swapped in since then from being read.
      file_.fd = ::open(input_.path.c_str(), O_RDONLY | O_CLOEXEC | (input_.no_follow ? O_NOFOLLOW : 0));
      file_.owned = true;
      if (file_.fd < 0 && errno == ELOOP && input_.no_follow) {
        left(ErrorKind::kNotFound, "not reading " + input_.path + ": it became a symbolic link");
        return false;
      }
      if (file_.fd < 0) {
        left(ErrorKind::kNotFound, "cannot open " + input_.path + ": " + std::strerror(errno));
        return false;
      }
    }
    if (::fstat(file_.fd, &opened_) != 0) {
      left(ErrorKind::kIo, "cannot stat " + input_.path + ": " + std::strerror(errno));
      return false;
    }
    return true;
  }

  // Batches of lines come read and classified from the pipeline's threads;
  // they are applied here in input order. false when reading failed.
  bool read_and_apply() {
    ClassifyingPipeline pipeline(file_.fd, options_.classify);
    while (ClassifyingBatch* batch = pipeline.next()) {
      apply_batch(*batch);
      pipeline.release();
    }
    if (pipeline.read_failed()) {
      applier_.abandon();
      if (quarantine_) quarantine_->discard();
      left(ErrorKind::kIo, "cannot read " + input_.path + ": " + pipeline.read_error());
      return false;
    }
    return true;
  }

  void apply_batch(ClassifyingBatch& batch) {
    LineCounts& counts = report_.counts;
    for (std::size_t i = 0; i < batch.raw.size(); ++i) {
      ClassifiedLine& line = batch.classified[i];
      ++counts.lines;
      switch (line.kind) {
        case LineKind::kBlank: ++counts.blank; break;
        case LineKind::kEvent: ++counts.skipped; break;
        case LineKind::kRejected: reject(batch.raw[i], line); break;
        case LineKind::kRun:
          switch (applier_.apply(line)) {
            case Outcome::kInserted: ++counts.inserted; break;
            case Outcome::kUpdated: ++counts.updated; break;
            case Outcome::kDuplicate: ++counts.duplicates; break;
          }
          break;
      }
      if (++since_commit_ >= options_.commit_every) {
        applier_.commit();
        since_commit_ = 0;
      }
      if (options_.progress && counts.lines % options_.progress_every == 0) {
        options_.progress(input_.path, counts.lines);
      }
    }
  }

  void reject(const RawLine& raw, const ClassifiedLine& line) {
    ++report_.counts.rejected;
    if (report_.shown_rejections.size() < InputReport::kShownRejections) {
      report_.shown_rejections.emplace_back(raw.number, line.reason);
    }
    if (quarantine_) quarantine_->add(RejectedLine{raw.number, line.reason, raw.bytes, line.event_id});
  }

  // Step 3 of docs/reference/buffer-files.md §12. false when the quarantine file could not be written.
  bool settle_quarantine() {
    if (report_.counts.rejected > 0) {
      if (auto error = quarantine_->commit()) {
        left(ErrorKind::kCannotCreate, "cannot write the quarantine file: " + *error);
        return false;
      }
    } else if (!input_.is_stdin) {
      if (auto error = remove_stale_quarantine(quarantine_path())) {
        left(ErrorKind::kIo, *error);
        return false;
      }
    }
    return true;
  }

  // Step 4 of docs/reference/buffer-files.md §12.
  InputReport rename_input() {
    if (input_.is_stdin || !synced_path_for(input_.path)) {
      report_.state = InputState::kKept;
      return finish();
    }
    if (input_.is_active) {
      struct stat now {};
      if (::stat(input_.path.c_str(), &now) != 0 || !same_file_state(opened_, now)) {
        report_.state = InputState::kChanged;
        report_.failure = ErrorKind::kBusy;
        report_.error = "the file changed while it was read; run again";
        return std::move(report_);
      }
    }
    RenameResult renamed = rename_to_synced(input_.path);
    if (!renamed.renamed_to) {
      const std::string error = renamed.error.value_or("not renamed");
      std::optional<std::string> quarantine = report_.rejected_file;
      InputReport report = left(ErrorKind::kIo, error);
      report.rejected_file = quarantine;  // written already: it describes this pass
      return report;
    }
    report_.renamed_to = renamed.renamed_to;
    report_.state = InputState::kSynced;
    if (renamed.error) {  // renamed, but the directory could not be synced
      report_.failure = ErrorKind::kIo;
      report_.error = *renamed.error;
      return std::move(report_);
    }
    return finish();
  }

  const InputSpec& input_;
  RecordApplier& applier_;
  const IngestOptions& options_;
  InputReport report_;
  InputFile file_;
  struct stat opened_ {};
  std::unique_ptr<QuarantineWriter> quarantine_;
  std::size_t since_commit_ = 0;
};

}  // namespace

void LineCounts::add(const LineCounts& other) {
  lines += other.lines;
  inserted += other.inserted;
  updated += other.updated;
  duplicates += other.duplicates;
  rejected += other.rejected;
  blank += other.blank;
  skipped += other.skipped;
}

const char* state_name(InputState state) {
  switch (state) {
    case InputState::kSynced: return "synced";
    case InputState::kKept: return "kept";
    case InputState::kLeft: return "left";
    case InputState::kChanged: return "changed";
    case InputState::kDryRun: return "dry-run";
  }
  return "left";
}

InputReport ingest_input(const InputSpec& input, RecordApplier& applier, const IngestOptions& options) {
  return InputRun(input, applier, options).run();
}

}  // namespace telemetry::buffer
