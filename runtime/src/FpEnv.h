//===- FpEnv.h - The floating-point environment kernels run in -*- C++ -*-===//
//
// Kernels compute in the IEEE default environment whatever the caller's is:
// run saves the caller's MXCSR, sets kKernelMxcsr and restores the caller's
// on return (its modes and its sticky flags: exceptions raised inside run do
// not show), and the thread pool's workers adopt the parallelFor caller's
// modes per job. Internal to the runtime's sources (compiled for baseline
// x86-64); generated code never includes it.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_SRC_FPENV_H
#define ANVIL_SRC_FPENV_H

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define ANVIL_HAVE_MXCSR 1
#endif

namespace anvil::fpenv {

/// Round to nearest even, denormals kept (FTZ and DAZ off), every
/// exception masked, no flag raised: results do not depend on the caller's
/// state, denormal inputs are honoured (the kernels' numerics assume it),
/// and no operation traps.
constexpr unsigned kKernelMxcsr = 0x1F80;
/// The sticky exception flags (IE, DE, ZE, OE, UE, PE): state, not mode.
constexpr unsigned kFlagBits = 0x3F;

#ifdef ANVIL_HAVE_MXCSR
inline unsigned get() { return _mm_getcsr(); }
inline void set(unsigned mxcsr) { _mm_setcsr(mxcsr); }
#else
inline unsigned get() { return kKernelMxcsr; }
inline void set(unsigned) {}
#endif

/// Sets the kernels' environment for its lifetime, then restores the
/// caller's MXCSR exactly (modes and flags).
class KernelScope {
public:
  KernelScope() : saved_(get()) { set(kKernelMxcsr); }
  ~KernelScope() { set(saved_); }
  KernelScope(const KernelScope &) = delete;
  KernelScope &operator=(const KernelScope &) = delete;

private:
  unsigned saved_;
};

/// Gives this thread the control bits (rounding, FTZ/DAZ, exception masks)
/// of `modes`, keeping its own flags; a no-op when they already agree.
inline void adoptModes(unsigned modes) {
  const unsigned cur = get();
  if ((cur & ~kFlagBits) != modes)
    set(modes | (cur & kFlagBits));
}

} // namespace anvil::fpenv

#endif // ANVIL_SRC_FPENV_H
