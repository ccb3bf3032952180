//===- KernelTestsMatmul.cpp - matmul and pooling vs a reference -*- C++ -*-===//
//
// matmul (batch broadcasting, transposes, alpha, tails) with the ISA's tuned
// tile and, on some shapes, another one; max / average / global pooling
// (ceil mode, pads, dilation, strides 1, 2 and 3+). Against double-precision
// references, on a 3-thread pool.
//
//===----------------------------------------------------------------------===//

#include "KernelTestsSupport.h"

#include <algorithm>
#include <cfloat>
#include <string>

using namespace anvil::kernels;
using namespace kerneltest;

namespace {

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

constexpr MatmulShape mm(int64_t m, int64_t n, int64_t k, bool ta = false,
                         bool tb = false, float alpha = 1.0f) {
  MatmulShape s{};
  s.batchRank = 0;
  s.m = m;
  s.n = n;
  s.k = k;
  s.transA = ta;
  s.transB = tb;
  s.alpha = alpha;
  return s;
}
constexpr MatmulShape withBatch(MatmulShape s, int64_t b0, int64_t b1,
                                bool aBroadcast0, bool bBroadcast0) {
  s.batchRank = 2;
  s.batch[0] = b0;
  s.batch[1] = b1;
  s.aBatchStride[1] = s.m * s.k;
  s.aBatchStride[0] = aBroadcast0 ? 0 : b1 * s.m * s.k;
  s.bBatchStride[1] = s.k * s.n;
  s.bBatchStride[0] = bBroadcast0 ? 0 : b1 * s.k * s.n;
  return s;
}

template <MatmulShape S, MatmulPlan P> void checkMatmulPlan(bool withBias) {
  static_assert(matmulPlanIsValid(S, P));
  SCOPED_TRACE(std::to_string(P.mr) + "x" + std::to_string(P.nr) + " of " +
               std::to_string(P.lanes));
  int64_t batches = matmulBatchCount(S);
  int64_t aCount = S.m * S.k, bCount = S.k * S.n;
  for (int64_t d = 0; d < S.batchRank; ++d) {
    if (S.aBatchStride[d])
      aCount = std::max(aCount, S.aBatchStride[d] * S.batch[d]);
    if (S.bBatchStride[d])
      bCount = std::max(bCount, S.bBatchStride[d] * S.batch[d]);
  }
  auto a = randomVec(aCount, -1, 1, 3), b = randomVec(bCount, -1, 1, 4);
  auto bias = randomVec(S.n, -1, 1, 5);
  std::vector<float> packed(matmulPackedBFloats(S, P));
  matmulPackB(S, P, b.data(), packed.data());
  std::vector<float> out(batches * S.m * S.n, std::nanf(""));
  ExecContext ctx = env().ctx(matmulScratchFloats(S, P));
  matmul_f32<Isa, S, P>(a.data(), packed.data(),
                        withBias ? bias.data() : nullptr, out.data(), ctx);
  std::vector<double> want(out.size());
  for (int64_t bi = 0; bi < batches; ++bi) {
    const float *ab = a.data() + matmulBatchOffset(S, S.aBatchStride, bi);
    const float *bb = b.data() + matmulBatchOffset(S, S.bBatchStride, bi);
    for (int64_t i = 0; i < S.m; ++i)
      for (int64_t j = 0; j < S.n; ++j) {
        double acc = 0;
        for (int64_t kk = 0; kk < S.k; ++kk)
          acc += double(S.transA ? ab[kk * S.m + i] : ab[i * S.k + kk]) *
                 (S.transB ? bb[j * S.k + kk] : bb[kk * S.n + j]);
        want[(bi * S.m + i) * S.n + j] =
            S.alpha * acc + (withBias ? bias[j] : 0.0);
      }
  }
  expectNear(out, want, 1e-5, 1e-6 * S.k, "matmul");
}

/// Post-ops with every broadcast after bias and alpha: a full residual add,
/// a per-column multiply ([N]), ReLU, a per-row add ([M, 1], period M) and
/// tanh.
template <MatmulShape S> void checkMatmulPostOps() {
  constexpr MatmulPlan P = matmulTunedPlan(kLanes);
  constexpr PostOpList PO{
      5,
      {binaryPost(BinaryKind::Add, PostBroadcast::Full, 0, S.n, 1),
       binaryPost(BinaryKind::Mul, PostBroadcast::Col, 1, S.n, 1),
       unaryPost(UnaryKind::Relu),
       binaryPost(BinaryKind::Add, PostBroadcast::Row, 2, S.n, S.m),
       unaryPost(UnaryKind::Tanh)}};
  int64_t batches = matmulBatchCount(S);
  auto a = randomVec(S.m * S.k, -1, 1, 3), b = randomVec(S.k * S.n, -1, 1, 4);
  auto bias = randomVec(S.n, -1, 1, 5);
  auto residual = randomVec(batches * S.m * S.n, -1, 1, 6);
  auto cols = randomVec(S.n, -2, 2, 7), rows = randomVec(S.m, -1, 1, 8);
  const float *post[] = {residual.data(), cols.data(), rows.data()};
  std::vector<float> packed(matmulPackedBFloats(S, P));
  matmulPackB(S, P, b.data(), packed.data());
  std::vector<float> out(batches * S.m * S.n, std::nanf(""));
  ExecContext ctx = env().ctx(matmulScratchFloats(S, P));
  matmul_f32<Isa, S, P, PO>(a.data(), packed.data(), bias.data(), out.data(),
                            ctx, post);
  std::vector<double> want(out.size());
  for (int64_t i = 0; i < S.m; ++i)
    for (int64_t j = 0; j < S.n; ++j) {
      double acc = 0;
      for (int64_t kk = 0; kk < S.k; ++kk)
        acc += double(a[i * S.k + kk]) * b[kk * S.n + j];
      want[i * S.n + j] = S.alpha * acc + bias[j];
    }
  refPostOps(PO, want, {post[0], post[1], post[2]});
  expectNear(out, want, 1e-5, 2e-6 * S.k, "matmul with post-ops");
}

/// A second valid tile: 5 x 5 of 16 lanes, 5 x 2 of 8 lanes. Five rows do
/// not divide kMatMC = 96, so A blocks are rounded up (matmulBlockRows).
constexpr MatmulPlan kOtherMatmulPlan =
    kLanes == 16 ? MatmulPlan{kLanes, 5, 5} : MatmulPlan{kLanes, 5, 2};

template <MatmulShape S, bool OtherTile = false>
void checkMatmul(bool withBias = true) {
  checkMatmulPlan<S, matmulTunedPlan(kLanes)>(withBias);
  if constexpr (OtherTile)
    checkMatmulPlan<S, kOtherMatmulPlan>(withBias);
}

TEST(Matmul, Small) { checkMatmul<mm(7, 19, 13), true>(); }
TEST(Matmul, TransposedScaledDeepK) {
  checkMatmul<mm(13, 70, 131, true, true, 0.5f), true>();
}
TEST(Matmul, TransAOnly) { checkMatmul<mm(9, 33, 200, true, false)>(false); }
TEST(Matmul, TransBOnly) { checkMatmul<mm(20, 17, 5, false, true, -2.0f)>(); }
TEST(Matmul, BatchedBroadcastB) {
  checkMatmul<withBatch(mm(5, 33, 17), 2, 3, false, true), true>();
}
TEST(Matmul, BatchedBroadcastA) {
  checkMatmul<withBatch(mm(100, 65, 9, false, true), 3, 2, true, false)>();
}
TEST(Matmul, Gemv) { checkMatmul<mm(1, 1000, 64)>(); }
TEST(Matmul, LargeOdd) { checkMatmul<mm(97, 130, 257), true>(); }
TEST(Matmul, KOne) { checkMatmul<mm(11, 5, 1)>(); }
TEST(Matmul, PostOps) {
  checkMatmulPostOps<mm(7, 19, 13)>();
  checkMatmulPostOps<mm(97, 130, 257, false, false, 0.5f)>(); // k slices
  checkMatmulPostOps<mm(3, 70, 0)>(); // no reduction: bias and post-ops
}

//===----------------------------------------------------------------------===//
// pooling
//===----------------------------------------------------------------------===//

std::vector<double> refPool(const PoolShape &s, const std::vector<float> &in,
                            bool isMax) {
  std::vector<double> out(s.n * s.c * s.oh * s.ow);
  for (int64_t p = 0; p < s.n * s.c; ++p)
    for (int64_t oh = 0; oh < s.oh; ++oh)
      for (int64_t ow = 0; ow < s.ow; ++ow) {
        double acc = isMax ? -DBL_MAX : 0.0;
        int64_t count = 0;
        for (int64_t i = 0; i < s.kh; ++i)
          for (int64_t j = 0; j < s.kw; ++j) {
            int64_t ih = oh * s.strideH - s.padT + i * s.dilH;
            int64_t iw = ow * s.strideW - s.padL + j * s.dilW;
            bool inData = ih >= 0 && ih < s.h && iw >= 0 && iw < s.w;
            bool inPadded = ih >= -s.padT && ih < s.h + s.padB &&
                            iw >= -s.padL && iw < s.w + s.padR;
            if (s.countIncludePad ? inPadded : inData)
              ++count;
            if (!inData)
              continue;
            double v = in[(p * s.h + ih) * s.w + iw];
            acc = isMax ? std::max(acc, v) : acc + v;
          }
        out[(p * s.oh + oh) * s.ow + ow] =
            isMax ? acc : acc / double(count ? count : 1);
      }
  return out;
}

template <PoolShape S> void checkPool() {
  auto in = randomVec(S.n * S.c * S.h * S.w, -3, 3, 11);
  ExecContext ctx = env().ctx(0);
  std::vector<float> out(S.n * S.c * S.oh * S.ow, std::nanf(""));
  max_pool_f32<Isa, S>(in.data(), out.data(), ctx);
  expectNear(out, refPool(S, in, true), 0, 0, "max_pool");
  avg_pool_f32<Isa, S>(in.data(), out.data(), ctx);
  expectNear(out, refPool(S, in, false), 1e-5, 1e-6, "avg_pool");
}

// Fields: n c h w oh ow kh kw | strideH strideW padT padL padB padR dilH dilW |
// countIncludePad
TEST(Pool, ResNetMaxPool) {
  checkPool<PoolShape{2, 3, 11, 12, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1,
                      false}>();
}
TEST(Pool, CeilModeRunsOffTheEnd) {
  checkPool<PoolShape{1, 2, 8, 8, 4, 4, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, false}>();
  checkPool<PoolShape{1, 2, 8, 8, 4, 4, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, true}>();
}
TEST(Pool, CountIncludePadAsymmetric) {
  checkPool<PoolShape{1, 3, 9, 40, 10, 41, 3, 3, 1, 1, 1, 1, 2, 3, 1, 1,
                      true}>();
  checkPool<PoolShape{1, 3, 9, 40, 10, 41, 3, 3, 1, 1, 1, 1, 2, 3, 1, 1,
                      false}>();
}
TEST(Pool, DilatedStrided) {
  checkPool<PoolShape{2, 2, 17, 19, 6, 5, 3, 2, 3, 4, 2, 1, 1, 0, 2, 3,
                      true}>();
}
TEST(Pool, WideStride1) {
  checkPool<PoolShape{1, 1, 5, 50, 3, 48, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1,
                      false}>();
}

template <int64_t NC, int64_t HW> void checkGlobalPool() {
  auto in = randomVec(NC * HW, -5, 5, 12);
  ExecContext ctx = env().ctx(0);
  std::vector<float> avg(NC), mx(NC);
  global_avg_pool_f32<Isa, NC, HW>(in.data(), avg.data(), ctx);
  global_max_pool_f32<Isa, NC, HW>(in.data(), mx.data(), ctx);
  std::vector<double> wa(NC), wm(NC);
  for (int64_t r = 0; r < NC; ++r) {
    double s = 0, m = -DBL_MAX;
    for (int64_t j = 0; j < HW; ++j) {
      s += in[r * HW + j];
      m = std::max(m, double(in[r * HW + j]));
    }
    wa[r] = s / HW;
    wm[r] = m;
  }
  expectNear(avg, wa, 1e-5, 1e-6, "global_avg_pool");
  expectNear(mx, wm, 0, 0, "global_max_pool");
}
TEST(Pool, Global) {
  checkGlobalPool<7, 49>();
  checkGlobalPool<3, 1001>();
  checkGlobalPool<5000, 9>();
}

} // namespace
