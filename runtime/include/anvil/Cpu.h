//===- Cpu.h - What this CPU can execute -----------------------*- C++ -*-===//
//
// CPU feature detection for the checks a library runs before any code
// compiled for its target: cpuid for the instructions, xgetbv for the
// register state the OS saves (AVX needs XMM/YMM state, AVX-512 also the
// opmask and ZMM state). Feature names are LLVM's (`avx2`, `avx512f`,
// `avx512vnni`), the spelling codegen/Target.cpp writes into the library.
// Compiled for baseline x86-64: safe to call on any x86-64 CPU.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CPU_H
#define ANVIL_CPU_H

namespace anvil::rt {

/// The ANVIL_MAX_CPU_ISA cap, parsed: which feature classes may be used.
enum class IsaCap {
  None,   ///< unset: everything the CPU has
  Avx2,   ///< `avx2` or `x86-64-v3`: no AVX-512 feature
  Avx512, ///< `avx512` or `x86-64-v4`: the same as unset
  Invalid ///< any other value
};

/// The values ANVIL_MAX_CPU_ISA accepts, for messages.
constexpr const char *kIsaCapValues = "avx2, x86-64-v3, avx512 or x86-64-v4";

/// The cap in the environment now (read on every call: tests change it).
IsaCap isaCapFromEnvironment();

/// true when this CPU and OS support `feature` and the cap allows it; false
/// for names this runtime does not know.
bool cpuHasFeature(const char *feature, IsaCap cap);

/// true when `feature` is a name cpuHasFeature knows.
bool isKnownCpuFeature(const char *feature);

} // namespace anvil::rt

#endif // ANVIL_CPU_H
