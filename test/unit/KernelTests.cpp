//===- KernelTests.cpp - AVX-512 kernels vs a double reference -*- C++ -*-===//
//
// Every kernel on odd shapes (tails, groups, strides, dilations, asymmetric
// pads, broadcasting) against a naive double-precision reference, on a
// 3-thread pool so the work split is exercised too, plus in-place calls
// where INTERFACES.md allows them.
//
//===----------------------------------------------------------------------===//

#include "kernels/Kernels.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <memory>
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

using namespace anvil::kernels;

namespace {

/// A pool and scratch shared by every test; three threads on a two-core
/// machine still exercises uneven splits.
/// Each thread's scratch is followed by a guard of kGuardFloats that, under
/// AddressSanitizer (KernelPoolTests), is poisoned: a kernel that uses more
/// scratch than its *ScratchFloats function promised fails at the write.
struct Env {
  static constexpr int64_t kGuardFloats = 16;
  anvil::ThreadPool pool{3, 50};
  std::vector<float> scratch;
  ExecContext ctx(int64_t scratchFloats) {
    ANVIL_UNPOISON(scratch.data(), scratch.size() * sizeof(float));
    int64_t per = (scratchFloats + 15) / 16 * 16;
    int64_t stride = per + kGuardFloats;
    scratch.assign(stride * pool.numThreads(), std::nanf(""));
    for (int t = 0; t < pool.numThreads(); ++t)
      ANVIL_POISON(scratch.data() + t * stride + per,
                   kGuardFloats * sizeof(float));
    return ExecContext{&pool, scratch.data(), stride};
  }
  ~Env() { ANVIL_UNPOISON(scratch.data(), scratch.size() * sizeof(float)); }
};
Env &env() {
  static Env e;
  return e;
}

std::vector<float> randomVec(int64_t n, float lo = -1.0f, float hi = 1.0f,
                             unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto &x : v)
    x = d(rng);
  return v;
}

/// |got - want| <= atol + rtol * |want| elementwise, reporting the first miss.
void expectNear(const std::vector<float> &got, const std::vector<double> &want,
                double rtol, double atol, const char *what) {
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

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

std::vector<double> refConv(const Conv2DShape &s, const std::vector<float> &in,
                            const std::vector<float> &w, const float *bias) {
  std::vector<double> out(s.n * s.k * s.oh * s.ow);
  int64_t cg = s.c / s.groups, kg = s.k / s.groups;
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t k = 0; k < s.k; ++k) {
      int64_t g = k / kg;
      for (int64_t oh = 0; oh < s.oh; ++oh)
        for (int64_t ow = 0; ow < s.ow; ++ow) {
          double acc = bias ? bias[k] : 0.0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t r = 0; r < s.r; ++r)
              for (int64_t q = 0; q < s.s; ++q) {
                int64_t ih = oh * s.strideH - s.padT + r * s.dilH;
                int64_t iw = ow * s.strideW - s.padL + q * s.dilW;
                if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w)
                  continue;
                acc +=
                    double(in[((n * s.c + g * cg + c) * s.h + ih) * s.w + iw]) *
                    w[((k * cg + c) * s.r + r) * s.s + q];
              }
          out[((n * s.k + k) * s.oh + oh) * s.ow + ow] = acc;
        }
    }
  return out;
}

template <Conv2DShape S> void checkConv(bool withBias = true) {
  auto in = randomVec(S.n * S.c * S.h * S.w, -1, 1, 7);
  auto w = randomVec(S.k * (S.c / S.groups) * S.r * S.s, -1, 1, 8);
  auto bias = randomVec(S.k, -1, 1, 9);
  std::vector<float> packed(conv2dPackedWeightFloats(S));
  conv2dPackWeights(S, w.data(), packed.data());
  std::vector<float> out(S.n * S.k * S.oh * S.ow, std::nanf(""));
  ExecContext ctx = env().ctx(conv2dScratchFloats(S));
  conv2d_f32<S>(in.data(), packed.data(), withBias ? bias.data() : nullptr,
                out.data(), ctx);
  double red = double(S.c / S.groups * S.r * S.s);
  expectNear(out, refConv(S, in, w, withBias ? bias.data() : nullptr), 1e-5,
             1e-6 * red, "conv2d");
  // Same result without a pool (serial path, thread 0's scratch).
  std::vector<float> serial(out.size(), std::nanf(""));
  ExecContext one{nullptr, ctx.scratch, ctx.scratchFloatsPerThread};
  conv2d_f32<S>(in.data(), packed.data(), withBias ? bias.data() : nullptr,
                serial.data(), one);
  EXPECT_EQ(serial, out);
}

// Fields: n c h w | k r s | oh ow | strideH strideW padT padL padB padR dilH
// dilW groups
TEST(Conv2D, Basic3x3Pad1) {
  checkConv<Conv2DShape{2, 5, 9, 11, 19, 3, 3, 9, 11, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}>();
}
TEST(Conv2D, StridedDilatedAsymmetricPads) {
  checkConv<Conv2DShape{1, 3, 13, 10, 10, 3, 2, 6, 4, 2, 3, 1, 0, 2, 1, 2, 1,
                        1}>();
}
TEST(Conv2D, Direct1x1WithChannelTail) {
  checkConv<Conv2DShape{2, 17, 7, 7, 33, 1, 1, 7, 7, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(Conv2D, Direct1x1NoBias) {
  checkConv<Conv2DShape{1, 24, 10, 13, 16, 1, 1, 10, 13, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>(false);
}
TEST(Conv2D, Strided1x1) {
  checkConv<Conv2DShape{1, 16, 8, 9, 24, 1, 1, 4, 5, 2, 2, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(Conv2D, Grouped) {
  checkConv<Conv2DShape{2, 8, 7, 6, 12, 3, 3, 7, 6, 1, 1, 1, 1, 1, 1, 1, 1,
                        2}>();
}
TEST(Conv2D, ManyGroupsSmallChannels) {
  checkConv<Conv2DShape{1, 32, 6, 6, 64, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1,
                        8}>();
}
TEST(Conv2D, DepthwiseStride2) {
  checkConv<Conv2DShape{1, 7, 15, 15, 7, 3, 3, 8, 8, 2, 2, 1, 1, 1, 1, 1, 1,
                        7}>();
}
TEST(Conv2D, DepthwiseMultiplierDilated) {
  checkConv<Conv2DShape{2, 3, 12, 20, 6, 5, 5, 8, 16, 1, 1, 2, 2, 2, 2, 2, 2,
                        3}>();
}
TEST(Conv2D, DepthwiseWideRowAsymmetric) {
  checkConv<Conv2DShape{1, 4, 5, 70, 4, 3, 3, 3, 23, 2, 3, 1, 2, 0, 0, 1, 1,
                        4}>(false);
}
TEST(Conv2D, SingleInputChannel) {
  checkConv<Conv2DShape{1, 1, 28, 28, 20, 5, 5, 24, 24, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(Conv2D, DeepReductionSeveralTiles) {
  // 576-long reduction (several k slices), 400 pixels (several tiles).
  checkConv<Conv2DShape{1, 64, 20, 20, 40, 3, 3, 20, 20, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}>();
}
TEST(Conv2D, FewPixelsSplitChannels) {
  checkConv<Conv2DShape{1, 32, 5, 5, 64, 1, 1, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(Conv2D, ResNetStem) {
  checkConv<Conv2DShape{1, 3, 32, 32, 16, 7, 7, 16, 16, 2, 2, 3, 3, 3, 3, 1, 1,
                        1}>();
}
TEST(Conv2D, SinglePixelManyImages) {
  // A fully-connected layer written as a conv: one output pixel per image.
  checkConv<Conv2DShape{3, 37, 1, 1, 29, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(Conv2D, TinySpatialDeep) {
  checkConv<Conv2DShape{1, 70, 3, 3, 20, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(Conv2D, ChannelVectorGroupedPanelTail) {
  // 7x7 output (channel-vector path), 2 groups of 50 output channels: one
  // full 48-channel panel plus a 2-channel tail per group; deep reduction.
  static_assert(conv2dUsesChannelVectorPath(
      Conv2DShape{2, 40, 7, 7, 100, 3, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1, 2}));
  checkConv<Conv2DShape{2, 40, 7, 7, 100, 3, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1,
                        2}>();
  checkConv<Conv2DShape{1, 300, 7, 7, 64, 3, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}>(false);
}
TEST(Conv2D, ImplicitStride1) {
  // Stride-1 convs with wide rows take the implicit (no im2col) path.
  constexpr Conv2DShape a{2, 5, 20, 36, 19, 3, 3, 20, 36,
                          1, 1, 1,  1,  1,  1, 1, 1,  1};
  static_assert(conv2dUsesImplicitPath(a));
  checkConv<a>();
  // Dilated, asymmetric pads, two groups, a 5-row window.
  constexpr Conv2DShape b{1, 6, 17, 70, 18, 5, 3, 15, 66,
                          1, 1, 3,  0,  2,  0, 2, 2,  2};
  static_assert(conv2dUsesImplicitPath(b));
  checkConv<b>(false);
  // Many channels: several row tiles and reduction slices.
  constexpr Conv2DShape c{1, 96, 40, 40, 24, 3, 3, 40, 40,
                          1, 1,  1,  1,  1,  1, 1, 1,  1};
  static_assert(conv2dUsesImplicitPath(c));
  checkConv<c>();
}
TEST(Conv2D, SlicedWeightsResNetWidths) {
  // 28-wide stride-1 map: implicit path (extra columns 2/28); reduction of
  // 3 slices with a partial last one (40 * 9 = 360), channel tail (44).
  constexpr Conv2DShape a{1, 40, 28, 28, 44, 3, 3, 28, 28,
                          1, 1,  1,  1,  1,  1, 1, 1,  1};
  static_assert(conv2dUsesImplicitPath(a));
  checkConv<a>();
  // 14x14: im2col pixel path, 196 pixels (4 full panels + a 4-pixel tail),
  // weights sliced over 30 * 9 = 270 reduction rows.
  constexpr Conv2DShape b{2, 30, 14, 14, 20, 3, 3, 14, 14,
                          1, 1,  1,  1,  1,  1, 1, 1,  1};
  static_assert(!conv2dUsesImplicitPath(b) && !conv2dUsesChannelVectorPath(b));
  checkConv<b>();
  // Direct 1x1 on 14x14 with 300 input channels (partial last slice).
  checkConv<Conv2DShape{1, 300, 14, 14, 36, 1, 1, 14, 14, 1, 1, 0, 0, 0, 0, 1,
                        1, 1}>(false);
}
TEST(Conv2D, WindowLargerThanInput) {
  checkConv<Conv2DShape{1, 2, 3, 3, 9, 5, 5, 3, 3, 1, 1, 2, 2, 2, 2, 1, 1,
                        1}>();
}

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

template <MatmulShape S> void checkMatmul(bool withBias = true) {
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
  std::vector<float> packed(matmulPackedBFloats(S));
  matmulPackB(S, b.data(), packed.data());
  std::vector<float> out(batches * S.m * S.n, std::nanf(""));
  ExecContext ctx = env().ctx(matmulScratchFloats(S));
  matmul_f32<S>(a.data(), packed.data(), withBias ? bias.data() : nullptr,
                out.data(), ctx);
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

TEST(Matmul, Small) { checkMatmul<mm(7, 19, 13)>(); }
TEST(Matmul, TransposedScaledDeepK) {
  checkMatmul<mm(13, 70, 131, true, true, 0.5f)>();
}
TEST(Matmul, TransAOnly) { checkMatmul<mm(9, 33, 200, true, false)>(false); }
TEST(Matmul, TransBOnly) { checkMatmul<mm(20, 17, 5, false, true, -2.0f)>(); }
TEST(Matmul, BatchedBroadcastB) {
  checkMatmul<withBatch(mm(5, 33, 17), 2, 3, false, true)>();
}
TEST(Matmul, BatchedBroadcastA) {
  checkMatmul<withBatch(mm(100, 65, 9, false, true), 3, 2, true, false)>();
}
TEST(Matmul, Gemv) { checkMatmul<mm(1, 1000, 64)>(); }
TEST(Matmul, LargeOdd) { checkMatmul<mm(97, 130, 257)>(); }
TEST(Matmul, KOne) { checkMatmul<mm(11, 5, 1)>(); }

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
  max_pool_f32<S>(in.data(), out.data(), ctx);
  expectNear(out, refPool(S, in, true), 0, 0, "max_pool");
  avg_pool_f32<S>(in.data(), out.data(), ctx);
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
  global_avg_pool_f32<NC, HW>(in.data(), avg.data(), ctx);
  global_max_pool_f32<NC, HW>(in.data(), mx.data(), ctx);
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

//===----------------------------------------------------------------------===//
// batch norm, unary, binary
//===----------------------------------------------------------------------===//

TEST(BatchNorm, OutOfPlaceAndInPlace) {
  constexpr int64_t N = 2, C = 5, I = 37;
  auto in = randomVec(N * C * I, -2, 2, 13);
  auto scale = randomVec(C, 0.5, 2, 14), bias = randomVec(C, -1, 1, 15);
  auto mean = randomVec(C, -1, 1, 16), var = randomVec(C, 0.1f, 3, 17);
  float eps = 1e-3f;
  std::vector<double> want(in.size());
  for (int64_t i = 0; i < N * C * I; ++i) {
    int64_t c = (i / I) % C;
    want[i] =
        (in[i] - double(mean[c])) * scale[c] / std::sqrt(double(var[c]) + eps) +
        bias[c];
  }
  ExecContext ctx = env().ctx(0);
  std::vector<float> out(in.size());
  batch_norm_f32<N, C, I>(in.data(), scale.data(), bias.data(), mean.data(),
                          var.data(), eps, out.data(), ctx);
  expectNear(out, want, 1e-5, 1e-6, "batch_norm");
  batch_norm_f32<N, C, I>(in.data(), scale.data(), bias.data(), mean.data(),
                          var.data(), eps, in.data(), ctx);
  expectNear(in, want, 1e-5, 1e-6, "batch_norm in place");
}

double refUnary(UnaryKind k, double x, double a, double b) {
  switch (k) {
  case UnaryKind::Relu:
    return x > 0 ? x : 0;
  case UnaryKind::Clip:
    return std::min(b, std::max(a, x));
  case UnaryKind::Sigmoid:
    return 1 / (1 + std::exp(-x));
  case UnaryKind::Tanh:
    return std::tanh(x);
  case UnaryKind::LeakyRelu:
    return x < 0 ? a * x : x;
  case UnaryKind::HardSigmoid:
    return std::min(1.0, std::max(0.0, a * x + b));
  case UnaryKind::HardSwish:
    return x * std::min(1.0, std::max(0.0, x / 6 + 0.5));
  case UnaryKind::Exp:
    return std::exp(x);
  case UnaryKind::Log:
    return std::log(x);
  case UnaryKind::Sqrt:
    return std::sqrt(x);
  case UnaryKind::Erf:
    return std::erf(x);
  case UnaryKind::Neg:
    return -x;
  case UnaryKind::Abs:
    return std::fabs(x);
  case UnaryKind::Identity:
    return x;
  }
  return 0;
}

/// Sweeps [lo, hi] (plus a dense sweep near 0) and checks relative error
/// rtol, absolute atol; then repeats in place.
template <UnaryKind K>
void checkUnary(float lo, float hi, double rtol, double atol, float a = 0.2f,
                float b = 0.6f) {
  constexpr int64_t count = 4099;
  std::vector<float> in(count);
  for (int64_t i = 0; i < count; ++i)
    in[i] = i < 3000 ? lo + (hi - lo) * float(i) / 2999.0f
                     : (lo < 0 ? -1.0f : 0.0f) + float(i - 3000) * 1e-3f;
  std::vector<double> want(count);
  for (int64_t i = 0; i < count; ++i)
    want[i] = refUnary(K, in[i], a, b);
  ExecContext ctx = env().ctx(0);
  std::vector<float> out(count, std::nanf(""));
  unary_f32<K, count>(in.data(), out.data(), a, b, ctx);
  expectNear(out, want, rtol, atol, "unary");
  unary_f32<K, count>(in.data(), in.data(), a, b, ctx);
  EXPECT_EQ(in, out) << "in-place differs";
}

TEST(Unary, Piecewise) {
  checkUnary<UnaryKind::Relu>(-3, 3, 0, 0);
  checkUnary<UnaryKind::Clip>(-3, 3, 0, 0, -0.5f, 1.5f);
  checkUnary<UnaryKind::LeakyRelu>(-3, 3, 1e-7, 0, 0.01f);
  checkUnary<UnaryKind::HardSigmoid>(-6, 6, 1e-6, 1e-7, 0.2f, 0.5f);
  checkUnary<UnaryKind::HardSwish>(-6, 6, 1e-6, 1e-7);
  checkUnary<UnaryKind::Neg>(-3, 3, 0, 0);
  checkUnary<UnaryKind::Abs>(-3, 3, 0, 0);
  checkUnary<UnaryKind::Identity>(-3, 3, 0, 0);
  checkUnary<UnaryKind::Sqrt>(0, 1000, 1e-6, 0);
}
TEST(Unary, Exp) { checkUnary<UnaryKind::Exp>(-80, 88, 1e-5, 0); }
TEST(Unary, Log) {
  checkUnary<UnaryKind::Log>(1e-30f, 1e6f, 1e-5, 1e-7);
  checkUnary<UnaryKind::Log>(0.5f, 2.0f, 1e-5, 1e-7);
}
TEST(Unary, Tanh) { checkUnary<UnaryKind::Tanh>(-12, 12, 1e-5, 0); }
TEST(Unary, Sigmoid) { checkUnary<UnaryKind::Sigmoid>(-80, 80, 1e-5, 0); }
TEST(Unary, Erf) {
  checkUnary<UnaryKind::Erf>(-6, 6, 1e-5, 1e-6);
  checkUnary<UnaryKind::Erf>(-1.5f, 1.5f, 1e-5, 1e-6);
}

TEST(Unary, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::nanf("");
  std::vector<float> in = {-inf,  inf,    nan,    0.0f,   -0.0f,
                           -1.0f, 1e-40f, 100.0f, -200.0f};
  std::vector<float> out(in.size());
  ExecContext ctx = env().ctx(0);
  unary_f32<UnaryKind::Exp, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], inf);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 1.0f);
  EXPECT_EQ(out[7], inf);
  EXPECT_EQ(out[8], 0.0f);
  unary_f32<UnaryKind::Log, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_EQ(out[1], inf);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], -inf);
  EXPECT_EQ(out[4], -inf);
  EXPECT_TRUE(std::isnan(out[5]));
  EXPECT_NEAR(out[6], std::log(1e-40), 1e-4); // denormal input
  unary_f32<UnaryKind::Tanh, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], -1.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[7], 1.0f);
  unary_f32<UnaryKind::Sigmoid, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 0.5f);
  unary_f32<UnaryKind::Erf, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], -1.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 0.0f);
  unary_f32<UnaryKind::Relu, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], inf);
}

TEST(Unary, LargeParallel) {
  constexpr int64_t count = 200003;
  auto in = randomVec(count, -10, 10, 21);
  std::vector<float> out(count);
  ExecContext ctx = env().ctx(0);
  unary_f32<UnaryKind::Sigmoid, count>(in.data(), out.data(), 0, 0, ctx);
  std::vector<double> want(count);
  for (int64_t i = 0; i < count; ++i)
    want[i] = 1 / (1 + std::exp(-double(in[i])));
  expectNear(out, want, 1e-5, 0, "sigmoid large");
}

double refBinary(BinaryKind k, double a, double b) {
  switch (k) {
  case BinaryKind::Add:
    return a + b;
  case BinaryKind::Sub:
    return a - b;
  case BinaryKind::Mul:
    return a * b;
  case BinaryKind::Div:
    return a / b;
  case BinaryKind::Max:
    return std::max(a, b);
  case BinaryKind::Min:
    return std::min(a, b);
  case BinaryKind::Pow:
    return std::pow(a, b);
  }
  return 0;
}

/// Contiguous strides for `dims`, 0 where the operand dim is 1 (broadcast).
constexpr BroadcastShape bcast(std::initializer_list<int64_t> out,
                               std::initializer_list<int64_t> lhs,
                               std::initializer_list<int64_t> rhs) {
  BroadcastShape s{};
  s.rank = int64_t(out.size());
  int64_t i = 0;
  for (int64_t d : out)
    s.dims[i++] = d;
  auto strides = [&](std::initializer_list<int64_t> dims, int64_t *st) {
    // dims right-aligned against the output (numpy rules).
    int64_t off = s.rank - int64_t(dims.size()), acc = 1,
            j = int64_t(dims.size());
    const int64_t *p = dims.begin();
    for (int64_t d = s.rank - 1; d >= 0; --d) {
      int64_t k = d - off;
      if (k < 0 || p[k] == 1) {
        st[d] = 0;
      } else {
        st[d] = acc;
        acc *= p[k];
      }
    }
    (void)j;
  };
  strides(lhs, s.lhsStrides);
  strides(rhs, s.rhsStrides);
  return s;
}

int64_t extent(const BroadcastShape &s, const int64_t *st) {
  int64_t e = 1;
  for (int64_t d = 0; d < s.rank; ++d)
    e += st[d] * (s.dims[d] - 1);
  return e;
}

template <BinaryKind K, BroadcastShape S>
void checkBinary(float lo = -2, float hi = 2) {
  int64_t total = 1;
  for (int64_t d = 0; d < S.rank; ++d)
    total *= S.dims[d];
  auto l = randomVec(extent(S, S.lhsStrides), lo, hi, 31);
  auto r = randomVec(extent(S, S.rhsStrides), lo, hi, 32);
  if (K == BinaryKind::Div)
    for (auto &x : r)
      x = x >= 0 ? x + 0.5f : x - 0.5f;
  std::vector<double> want(total);
  for (int64_t i = 0; i < total; ++i) {
    int64_t lo2 = 0, ro = 0, rem = i;
    for (int64_t d = S.rank - 1; d >= 0; --d) {
      int64_t idx = rem % S.dims[d];
      rem /= S.dims[d];
      lo2 += idx * S.lhsStrides[d];
      ro += idx * S.rhsStrides[d];
    }
    want[i] = refBinary(K, l[lo2], r[ro]);
  }
  ExecContext ctx = env().ctx(0);
  std::vector<float> out(total, std::nanf(""));
  binary_f32<K, S>(l.data(), r.data(), out.data(), ctx);
  expectNear(out, want, 1e-6, 1e-7, "binary");
}

TEST(Binary, AllKindsWithBroadcast) {
  constexpr BroadcastShape s = bcast({2, 3, 4, 5}, {2, 3, 4, 5}, {3, 1, 5});
  checkBinary<BinaryKind::Add, s>();
  checkBinary<BinaryKind::Sub, s>();
  checkBinary<BinaryKind::Mul, s>();
  checkBinary<BinaryKind::Div, s>();
  checkBinary<BinaryKind::Max, s>();
  checkBinary<BinaryKind::Min, s>();
  checkBinary<BinaryKind::Pow, s>(0.1f, 3.0f);
}
TEST(Binary, BothSidesBroadcast) {
  checkBinary<BinaryKind::Sub, bcast({4, 37}, {1, 37}, {4, 1})>();
  checkBinary<BinaryKind::Mul, bcast({3, 1, 17}, {3, 1, 1}, {17})>();
}
TEST(Binary, ScalarOperands) {
  checkBinary<BinaryKind::Div, bcast({5, 7, 9}, {5, 7, 9}, {})>();
  checkBinary<BinaryKind::Sub, bcast({5, 7, 9}, {}, {5, 7, 9})>();
  checkBinary<BinaryKind::Add, bcast({}, {}, {})>();
}
TEST(Binary, ChannelBiasLarge) {
  checkBinary<BinaryKind::Add,
              bcast({2, 64, 33, 33}, {2, 64, 33, 33}, {64, 1, 1})>();
}
TEST(Binary, ArbitraryStrides) {
  // rhs is a transposed view: element (i, j) at j * 6 + i.
  constexpr BroadcastShape s = [] {
    BroadcastShape b{};
    b.rank = 2;
    b.dims[0] = 6;
    b.dims[1] = 21;
    b.lhsStrides[0] = 21;
    b.lhsStrides[1] = 1;
    b.rhsStrides[0] = 1;
    b.rhsStrides[1] = 6;
    return b;
  }();
  checkBinary<BinaryKind::Add, s>();
  checkBinary<BinaryKind::Max, s>();
}
TEST(Binary, InPlace) {
  constexpr BroadcastShape s = bcast({3, 50}, {3, 50}, {50});
  auto l = randomVec(150, -1, 1, 41), r = randomVec(50, -1, 1, 42);
  std::vector<float> want(150);
  for (int i = 0; i < 150; ++i)
    want[i] = l[i] * r[i % 50];
  ExecContext ctx = env().ctx(0);
  binary_f32<BinaryKind::Mul, s>(l.data(), r.data(), l.data(), ctx);
  EXPECT_EQ(l, want);
  // out == rhs, lhs broadcast.
  constexpr BroadcastShape s2 = bcast({3, 50}, {50}, {3, 50});
  auto l2 = randomVec(50, -1, 1, 43), r2 = randomVec(150, -1, 1, 44);
  for (int i = 0; i < 150; ++i)
    want[i] = l2[i % 50] - r2[i];
  binary_f32<BinaryKind::Sub, s2>(l2.data(), r2.data(), r2.data(), ctx);
  EXPECT_EQ(r2, want);
}

//===----------------------------------------------------------------------===//
// softmax, data movement
//===----------------------------------------------------------------------===//

template <int64_t O, int64_t A, int64_t I> void checkSoftmax(float scale) {
  auto in = randomVec(O * A * I, -scale, scale, 51);
  std::vector<double> want(in.size());
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i) {
      double mx = -DBL_MAX, sum = 0;
      for (int64_t a = 0; a < A; ++a)
        mx = std::max(mx, double(in[(o * A + a) * I + i]));
      for (int64_t a = 0; a < A; ++a)
        sum += std::exp(in[(o * A + a) * I + i] - mx);
      for (int64_t a = 0; a < A; ++a)
        want[(o * A + a) * I + i] =
            std::exp(in[(o * A + a) * I + i] - mx) / sum;
    }
  ExecContext ctx = env().ctx(0);
  std::vector<float> out(in.size(), std::nanf(""));
  softmax_f32<O, A, I>(in.data(), out.data(), ctx);
  expectNear(out, want, 1e-5, 1e-9, "softmax");
}
TEST(Softmax, LastAxis) {
  checkSoftmax<3, 37, 1>(5);
  checkSoftmax<2, 1000, 1>(1000); // large logits: must subtract the max
  checkSoftmax<40000, 1, 1>(1);
}
TEST(Softmax, InnerAxis) {
  checkSoftmax<2, 5, 19>(3);
  checkSoftmax<1, 10, 1000>(50);
}

template <TransposeShape S> void checkTranspose() {
  int64_t total = 1, st[kMaxRank];
  for (int64_t d = S.rank - 1; d >= 0; --d) {
    st[d] = total;
    total *= S.inDims[d];
  }
  auto in = randomVec(total, -1, 1, 61);
  std::vector<float> want(total);
  for (int64_t o = 0; o < total; ++o) {
    int64_t rem = o, off = 0;
    for (int64_t d = S.rank - 1; d >= 0; --d) {
      int64_t dim = S.inDims[S.perm[d]];
      off += (rem % dim) * st[S.perm[d]];
      rem /= dim;
    }
    want[o] = in[off];
  }
  ExecContext ctx = env().ctx(0);
  std::vector<float> out(total, std::nanf(""));
  transpose_f32<S>(in.data(), out.data(), ctx);
  EXPECT_EQ(out, want);
}
TEST(Transpose, Permutations) {
  checkTranspose<TransposeShape{4, {2, 3, 4, 5}, {0, 2, 3, 1}}>();
  checkTranspose<TransposeShape{4, {2, 3, 4, 5}, {3, 2, 1, 0}}>();
  checkTranspose<TransposeShape{4, {2, 3, 4, 5}, {0, 1, 3, 2}}>();
  checkTranspose<TransposeShape{4, {2, 3, 4, 5}, {1, 0, 2, 3}}>();
  checkTranspose<TransposeShape{2, {37, 45}, {1, 0}}>();
  checkTranspose<TransposeShape{5, {1, 7, 1, 9, 2}, {4, 2, 3, 0, 1}}>();
  checkTranspose<TransposeShape{3, {64, 1, 300}, {2, 1, 0}}>();
  checkTranspose<TransposeShape{1, {10}, {0}}>();
}

TEST(Concat, SlicesIntoRows) {
  constexpr int64_t O = 3, A = 5, B = 7;
  auto a = randomVec(O * A, -1, 1, 71), b = randomVec(O * B, -1, 1, 72);
  std::vector<float> out(O * (A + B), std::nanf("")), want(O * (A + B));
  for (int64_t o = 0; o < O; ++o) {
    for (int64_t j = 0; j < A; ++j)
      want[o * (A + B) + j] = a[o * A + j];
    for (int64_t j = 0; j < B; ++j)
      want[o * (A + B) + A + j] = b[o * B + j];
  }
  ExecContext ctx = env().ctx(0);
  concat_slice_f32<O, A, A + B, 0>(a.data(), out.data(), ctx);
  concat_slice_f32<O, B, A + B, A>(b.data(), out.data(), ctx);
  EXPECT_EQ(out, want);
  std::vector<float> whole(O * A);
  concat_slice_f32<1, O * A, O * A, 0>(a.data(), whole.data(), ctx);
  EXPECT_EQ(whole, a);
}

int64_t refPadIndex(int64_t o, int64_t begin, int64_t n, int mode) {
  int64_t i = o - begin;
  if (i >= 0 && i < n)
    return i;
  if (mode == 0)
    return -1;
  if (mode == 2)
    return i < 0 ? 0 : n - 1;
  while (i < 0 || i >= n) // numpy 'reflect', step by step
    i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

template <PadShape S> void checkPad() {
  int64_t inTotal = 1, outTotal = 1, st[kMaxRank];
  for (int64_t d = S.rank - 1; d >= 0; --d) {
    st[d] = inTotal;
    inTotal *= S.inDims[d];
    outTotal *= S.outDims[d];
  }
  auto in = randomVec(inTotal, -1, 1, 81);
  std::vector<float> want(outTotal);
  for (int64_t o = 0; o < outTotal; ++o) {
    int64_t rem = o, off = 0;
    bool constant = false;
    for (int64_t d = S.rank - 1; d >= 0; --d) {
      int64_t i =
          refPadIndex(rem % S.outDims[d], S.padBegin[d], S.inDims[d], S.mode);
      rem /= S.outDims[d];
      if (i < 0)
        constant = true;
      else
        off += i * st[d];
    }
    want[o] = constant ? S.value : in[off];
  }
  ExecContext ctx = env().ctx(0);
  std::vector<float> out(outTotal, std::nanf(""));
  pad_f32<S>(in.data(), out.data(), ctx);
  EXPECT_EQ(out, want);
}
TEST(Pad, Modes) {
  // Constant with a crop (negative pad) on one side.
  checkPad<PadShape{3, {2, 5, 6}, {4, 6, 5}, {1, 2, -2}, 0, 1.5f}>();
  checkPad<PadShape{3, {2, 5, 6}, {2, 9, 11}, {0, 2, 3}, 1, 0.0f}>();
  checkPad<PadShape{3, {2, 5, 6}, {2, 9, 11}, {0, 2, 3}, 2, 0.0f}>();
  checkPad<PadShape{2, {3, 4}, {3, 14}, {0, 5}, 1, 0.0f}>(); // pad > n - 1
  checkPad<PadShape{4, {1, 3, 7, 7}, {1, 3, 5, 9}, {0, 0, -1, 1}, 2, 0.0f}>();
  checkPad<PadShape{1, {10}, {4}, {-3}, 0, 0.0f}>();
}

TEST(Copy, CopyAndInPlace) {
  auto in = randomVec(100003, -1, 1, 91);
  std::vector<float> out(in.size());
  ExecContext ctx = env().ctx(0);
  copy_f32<100003>(in.data(), out.data(), ctx);
  EXPECT_EQ(in, out);
  copy_f32<100003>(out.data(), out.data(), ctx);
  EXPECT_EQ(in, out);
}

} // namespace
