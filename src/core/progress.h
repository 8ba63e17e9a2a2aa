// Progress reports and cancellation for long work (analyze, compare, synth): the caller (a CLI
// verb drawing a progress line, a server job updating its row) passes a Progress; the work calls
// step() at its stage boundaries and inside long loops. A null Progress* means "nobody is asking".
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace scarscope {

struct Progress {
  // Called with a short stage name ("reading", "reference surface", "detection", ...) and the
  // fraction of the whole work done so far, 0..1. May be called from the working thread only.
  std::function<void(std::string_view stage, double fraction)> report;
  // Set by any thread to ask the work to stop; the work throws CancelledError at its next step().
  const std::atomic<bool>* cancel = nullptr;

  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

// A part of a longer work: its fractions 0..1 are reported as from..to of the parent's, and the
// parent's cancellation applies. With no parent, nobody is asking (progress_step does nothing).
inline Progress sub_progress(const Progress* parent, double from, double to) {
  Progress part;
  if (parent == nullptr) return part;
  part.cancel = parent->cancel;
  if (parent->report) {
    part.report = [report = parent->report, from, to](std::string_view stage, double fraction) {
      report(stage, from + (to - from) * fraction);
    };
  }
  return part;
}

// Reports (if anyone listens) and throws CancelledError if cancellation was asked for.
inline void progress_step(const Progress* progress, std::string_view stage, double fraction) {
  if (progress == nullptr) return;
  if (progress->cancelled()) throw CancelledError("cancelled during " + std::string(stage));
  if (progress->report) progress->report(stage, fraction);
}

}  // namespace scarscope
