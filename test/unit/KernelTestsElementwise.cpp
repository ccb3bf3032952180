//===- KernelTestsElementwise.cpp - Memory-bound kernels -----*- C++ -*-===//
//
// Batch norm, unary ops (accuracy sweeps and IEEE special values of the
// vector math), binary ops with broadcasting, softmax, and the data-movement
// kernels, against double-precision references on a 3-thread pool, plus the
// in-place calls INTERFACES.md allows.
//
//===----------------------------------------------------------------------===//

#include "KernelTestsSupport.h"

#include <algorithm>
#include <cfloat>
#include <initializer_list>
#include <limits>

using namespace anvil::kernels;
using namespace kerneltest;

namespace {

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
  batch_norm_f32<Isa, N, C, I>(in.data(), scale.data(), bias.data(), mean.data(),
                          var.data(), eps, out.data(), ctx);
  expectNear(out, want, 1e-5, 1e-6, "batch_norm");
  batch_norm_f32<Isa, N, C, I>(in.data(), scale.data(), bias.data(), mean.data(),
                          var.data(), eps, in.data(), ctx);
  expectNear(in, want, 1e-5, 1e-6, "batch_norm in place");
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
  unary_f32<Isa, K, count>(in.data(), out.data(), a, b, ctx);
  expectNear(out, want, rtol, atol, "unary");
  unary_f32<Isa, K, count>(in.data(), in.data(), a, b, ctx);
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

TEST(Unary, SiluGeluErf) {
  checkUnary<UnaryKind::Silu>(-30, 30, 1e-5, 1e-7);
  checkUnary<UnaryKind::GeluErf>(-8, 8, 1e-5, 1e-6);
}

TEST(Unary, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::nanf("");
  std::vector<float> in = {-inf,  inf,    nan,    0.0f,   -0.0f,
                           -1.0f, 1e-40f, 100.0f, -200.0f};
  std::vector<float> out(in.size());
  ExecContext ctx = env().ctx(0);
  unary_f32<Isa, UnaryKind::Exp, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], inf);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 1.0f);
  EXPECT_EQ(out[7], inf);
  EXPECT_EQ(out[8], 0.0f);
  unary_f32<Isa, UnaryKind::Log, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_EQ(out[1], inf);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], -inf);
  EXPECT_EQ(out[4], -inf);
  EXPECT_TRUE(std::isnan(out[5]));
  EXPECT_NEAR(out[6], std::log(1e-40), 1e-4); // denormal input
  unary_f32<Isa, UnaryKind::Tanh, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], -1.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[7], 1.0f);
  unary_f32<Isa, UnaryKind::Sigmoid, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 0.5f);
  unary_f32<Isa, UnaryKind::Erf, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], -1.0f);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 0.0f);
  unary_f32<Isa, UnaryKind::Relu, 9>(in.data(), out.data(), 0, 0, ctx);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], inf);
}

TEST(Unary, LargeParallel) {
  constexpr int64_t count = 200003;
  auto in = randomVec(count, -10, 10, 21);
  std::vector<float> out(count);
  ExecContext ctx = env().ctx(0);
  unary_f32<Isa, UnaryKind::Sigmoid, count>(in.data(), out.data(), 0, 0, ctx);
  std::vector<double> want(count);
  for (int64_t i = 0; i < count; ++i)
    want[i] = 1 / (1 + std::exp(-double(in[i])));
  expectNear(out, want, 1e-5, 0, "sigmoid large");
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
  binary_f32<Isa, K, S>(l.data(), r.data(), out.data(), ctx);
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
  binary_f32<Isa, BinaryKind::Mul, s>(l.data(), r.data(), l.data(), ctx);
  EXPECT_EQ(l, want);
  // out == rhs, lhs broadcast.
  constexpr BroadcastShape s2 = bcast({3, 50}, {50}, {3, 50});
  auto l2 = randomVec(50, -1, 1, 43), r2 = randomVec(150, -1, 1, 44);
  for (int i = 0; i < 150; ++i)
    want[i] = l2[i % 50] - r2[i];
  binary_f32<Isa, BinaryKind::Sub, s2>(l2.data(), r2.data(), r2.data(), ctx);
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
  softmax_f32<Isa, O, A, I>(in.data(), out.data(), ctx);
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
