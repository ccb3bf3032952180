//===- KernelTestsSupport.h - Shared parts of the kernel tests -*- C++ -*-===//
//
// The kernel tests are one source per kernel family (KernelTests*.cpp),
// compiled once per ISA: the build defines ANVIL_TEST_ISA as the trait
// struct to test (Avx2 or Avx512, see test/unit/CMakeLists.txt) and links
// the families of one ISA into one executable. Here: the ISA alias, the
// thread pool and guarded scratch every test shares, and the comparison
// against a double-precision reference.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TEST_UNIT_KERNELTESTSSUPPORT_H
#define ANVIL_TEST_UNIT_KERNELTESTSSUPPORT_H

#include "kernels/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define ANVIL_POISON(p, bytes) ASAN_POISON_MEMORY_REGION(p, bytes)
#define ANVIL_UNPOISON(p, bytes) ASAN_UNPOISON_MEMORY_REGION(p, bytes)
#else
#define ANVIL_POISON(p, bytes) ((void)(p), (void)(bytes))
#define ANVIL_UNPOISON(p, bytes) ((void)(p), (void)(bytes))
#endif

#if !defined(ANVIL_TEST_ISA)
#error "define ANVIL_TEST_ISA as the ISA trait to test (Avx2 or Avx512)"
#endif

namespace kerneltest {

/// The ISA under test and its vector width (the `lanes` of every plan).
using Isa = anvil::kernels::ANVIL_TEST_ISA;
constexpr int64_t kLanes = Isa::kLanes;

/// A pool and scratch shared by every test (one per executable: inline);
/// three threads on a two-core machine still exercises uneven splits.
/// Each thread's scratch is followed by a guard of kGuardFloats that, under
/// AddressSanitizer (KernelPool*Tests), is poisoned: a kernel that uses more
/// scratch than its *ScratchFloats function promised fails at the write.
struct Env {
  static constexpr int64_t kGuardFloats = 16;
  anvil::ThreadPool pool{3, 50};
  std::vector<float> scratch;
  anvil::kernels::ExecContext ctx(int64_t scratchFloats) {
    ANVIL_UNPOISON(scratch.data(), scratch.size() * sizeof(float));
    int64_t per = (scratchFloats + 15) / 16 * 16;
    int64_t stride = per + kGuardFloats;
    scratch.assign(stride * pool.numThreads(), std::nanf(""));
    for (int t = 0; t < pool.numThreads(); ++t)
      ANVIL_POISON(scratch.data() + t * stride + per,
                   kGuardFloats * sizeof(float));
    return anvil::kernels::ExecContext{&pool, scratch.data(), stride};
  }
  ~Env() { ANVIL_UNPOISON(scratch.data(), scratch.size() * sizeof(float)); }
};
inline Env &env() {
  static Env e;
  return e;
}

inline std::vector<float> randomVec(int64_t n, float lo = -1.0f,
                                    float hi = 1.0f, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto &x : v)
    x = d(rng);
  return v;
}

/// |got - want| <= atol + rtol * |want| elementwise, reporting the first miss.
inline void expectNear(const std::vector<float> &got,
                       const std::vector<double> &want, double rtol,
                       double atol, const char *what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(want[i])) {
      if (std::isnan(want[i]))
        ASSERT_TRUE(std::isnan(got[i])) << what << " at " << i;
      else
        ASSERT_EQ(double(got[i]), want[i]) << what << " at " << i;
      continue;
    }
    double err = std::fabs(double(got[i]) - want[i]);
    ASSERT_LE(err, atol + rtol * std::fabs(want[i]))
        << what << " at " << i << ": got " << got[i] << " want " << want[i];
  }
}

} // namespace kerneltest

#endif // ANVIL_TEST_UNIT_KERNELTESTSSUPPORT_H
