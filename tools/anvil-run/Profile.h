//===- Profile.h - anvil-run --profile and --trace --------------*- C++ -*-===//
//
// Collects the per-op times a library compiled with `anvilc --profile`
// records (anvil_context_profile) over several runs, and reports them: a
// table of per-op median times with GFLOP/s and % of the host's FMA peak,
// sorted by time, and a Chrome / Perfetto trace (the JSON Trace Event
// Format: one complete event per op and run).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TOOLS_ANVILRUN_PROFILE_H
#define ANVIL_TOOLS_ANVILRUN_PROFILE_H

#include "anvil/runtime.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace anvil::run {

/// One op as the library describes it.
struct ProfiledOp {
  std::string name, op, kernel;
  double flops;
};

class ProfileRecorder {
public:
  /// The ops of the first recorded run define the table; false when a later
  /// run reports another number of ops (it is the same context, so never
  /// for a sound library).
  bool addRun(const anvil_profile_entry_t *entries, int32_t count);

  size_t numRuns() const { return runs.size(); }
  const std::vector<ProfiledOp> &operations() const { return ops; }

  /// The median over runs of op i's time, in milliseconds.
  double medianMs(size_t op) const;
  /// The median over runs of the whole run (first op's start to last op's
  /// end), in milliseconds.
  double medianRunMs() const;

  /// The table: one line per op, slowest first, then a total. `peakGflops`
  /// is the FMA peak measured on `threads` threads for `isa`.
  void printReport(FILE *out, int threads, const char *isa,
                   double peakGflops) const;

  /// Writes the Trace Event Format JSON (times from the first run's start,
  /// in microseconds). False with `error` set when the file cannot be
  /// written.
  bool writeTrace(const std::string &path, const std::string &model,
                  std::string &error) const;

private:
  std::vector<ProfiledOp> ops;
  /// Per run: begin and end (ns, CLOCK_MONOTONIC) of every op.
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> runs;
};

/// `text` as a JSON string literal: quotes, backslashes and control
/// characters escaped, bytes that are not UTF-8 replaced by U+FFFD (model
/// names may hold anything).
std::string jsonString(const std::string &text);

} // namespace anvil::run

#endif // ANVIL_TOOLS_ANVILRUN_PROFILE_H
