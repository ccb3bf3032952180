//===- Peak.h - This host's measured fp32 FMA peak -------------*- C++ -*-===//
//
// The peak a benchmark's "% of peak" divides by, measured on the machine in
// the same run rather than quoted: a loop of independent vector FMAs (enough
// chains to cover every FMA port's latency) on each of `threads` threads at
// once, for the best ISA this CPU has within the ANVIL_MAX_CPU_ISA cap.
// Compiled for baseline x86-64; the loops carry their ISA as a function
// target and run only where the CPU has it.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_PEAK_H
#define ANVIL_PEAK_H

#include "anvil/Cpu.h"

namespace anvil::rt {

struct FmaPeak {
  const char *isa = "none"; ///< "avx512", "avx2" or "none" (no FMA unit used)
  double gflops = 0;        ///< all threads together, fp32, 2 FLOP per FMA
};

/// Runs the FMA loop on `threads` threads for about `seconds` and returns
/// the sustained rate (the median of five equal slices, so one preempted
/// slice does not count). `isa` is "none" and gflops 0 on a CPU without
/// AVX2+FMA or with an invalid cap.
FmaPeak measureFmaPeak(int threads, double seconds, IsaCap cap);

} // namespace anvil::rt

#endif // ANVIL_PEAK_H
