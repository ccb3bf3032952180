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

#include <algorithm>
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

inline double refUnary(anvil::kernels::UnaryKind k, double x, double a, double b) {
  switch (k) {
  case anvil::kernels::UnaryKind::Relu:
    return x > 0 ? x : 0;
  case anvil::kernels::UnaryKind::Clip:
    return std::min(b, std::max(a, x));
  case anvil::kernels::UnaryKind::Sigmoid:
    return 1 / (1 + std::exp(-x));
  case anvil::kernels::UnaryKind::Tanh:
    return std::tanh(x);
  case anvil::kernels::UnaryKind::LeakyRelu:
    return x < 0 ? a * x : x;
  case anvil::kernels::UnaryKind::HardSigmoid:
    return std::min(1.0, std::max(0.0, a * x + b));
  case anvil::kernels::UnaryKind::HardSwish:
    return x * std::min(1.0, std::max(0.0, x / 6 + 0.5));
  case anvil::kernels::UnaryKind::Exp:
    return std::exp(x);
  case anvil::kernels::UnaryKind::Log:
    return std::log(x);
  case anvil::kernels::UnaryKind::Sqrt:
    return std::sqrt(x);
  case anvil::kernels::UnaryKind::Erf:
    return std::erf(x);
  case anvil::kernels::UnaryKind::Neg:
    return -x;
  case anvil::kernels::UnaryKind::Abs:
    return std::fabs(x);
  case anvil::kernels::UnaryKind::Identity:
    return x;
  case anvil::kernels::UnaryKind::Silu:
    return x / (1 + std::exp(-x));
  case anvil::kernels::UnaryKind::GeluErf:
    return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
  }
  return 0;
}

inline double refBinary(anvil::kernels::BinaryKind k, double a, double b) {
  switch (k) {
  case anvil::kernels::BinaryKind::Add:
    return a + b;
  case anvil::kernels::BinaryKind::Sub:
    return a - b;
  case anvil::kernels::BinaryKind::Mul:
    return a * b;
  case anvil::kernels::BinaryKind::Div:
    return a / b;
  case anvil::kernels::BinaryKind::Max:
    return std::max(a, b);
  case anvil::kernels::BinaryKind::Min:
    return std::min(a, b);
  case anvil::kernels::BinaryKind::Pow:
    return std::pow(a, b);
  }
  return 0;
}

/// One unary post-op step (kernels/PostOps.h).
constexpr anvil::kernels::PostOp unaryPost(anvil::kernels::UnaryKind k,
                                           float alpha = 0, float beta = 0) {
  using namespace anvil::kernels;
  return PostOp{PostOpKind::Unary, k, BinaryKind::Add, alpha, beta,
                PostBroadcast::Full, 0, 1, 1};
}

/// One binary post-op step reading post operand `operand`.
constexpr anvil::kernels::PostOp
binaryPost(anvil::kernels::BinaryKind k, anvil::kernels::PostBroadcast bc,
           int operand, int64_t rowLen, int64_t period) {
  using namespace anvil::kernels;
  return PostOp{PostOpKind::Binary, UnaryKind::Identity, k, 0, 0, bc,
                operand, rowLen, period};
}

/// The fused post-ops of conv2d and matmul (kernels/PostOps.h) applied to a
/// double-precision reference result, element by element.
inline void refPostOps(const anvil::kernels::PostOpList &list,
                       std::vector<double> &out,
                       const std::vector<const float *> &operands) {
  using namespace anvil::kernels;
  for (int64_t e = 0; e < int64_t(out.size()); ++e)
    for (int i = 0; i < list.count; ++i) {
      const PostOp &p = list.ops[i];
      if (p.kind == PostOpKind::Unary) {
        out[e] = refUnary(p.unary, out[e], p.alpha, p.beta);
        continue;
      }
      int64_t at = p.bcast == PostBroadcast::Full  ? e
                   : p.bcast == PostBroadcast::Col ? e % p.rowLen
                                                   : e / p.rowLen % p.period;
      out[e] = refBinary(p.binary, out[e], operands[p.operand][at]);
    }
}

} // namespace kerneltest

#endif // ANVIL_TEST_UNIT_KERNELTESTSSUPPORT_H
