//===- KernelTestsConv.cpp - conv2d, every path, vs a reference -*- C++ -*-===//
//
// conv2d on odd shapes (tails, groups, strides, dilations, asymmetric pads)
// against a naive double-precision reference, on a 3-thread pool and
// serially. Every shape runs every path whose plan is valid for it
// (conv2dPlanIsValid), with the tuned tile of the ISA and, on some shapes,
// another tile (odd sizes, so channel and pixel tails hit other cases).
// Compiled three times per ISA so the parts build in parallel:
// ANVIL_TEST_CONV_PART 0 tests the Gemm and Depthwise paths, 1 the Implicit
// and ChannelVector paths, 2 the Winograd path (3x3 stride-1 shapes only,
// with the error bound of its transforms).
//
//===----------------------------------------------------------------------===//

#include "KernelTestsSupport.h"

#include <string>

using namespace anvil::kernels;
using namespace kerneltest;

#if ANVIL_TEST_CONV_PART == 0
#define ANVIL_CONV_SUITE Conv2DGemmDepthwise
constexpr Conv2DPath kPaths[] = {Conv2DPath::Gemm, Conv2DPath::Depthwise};
#elif ANVIL_TEST_CONV_PART == 1
#define ANVIL_CONV_SUITE Conv2DImplicitChannelVector
constexpr Conv2DPath kPaths[] = {Conv2DPath::Implicit,
                                 Conv2DPath::ChannelVector};
#elif ANVIL_TEST_CONV_PART == 2
#define ANVIL_CONV_SUITE Conv2DWinograd
constexpr Conv2DPath kPaths[] = {Conv2DPath::Winograd};
#else
#error "define ANVIL_TEST_CONV_PART as 0, 1 or 2"
#endif

namespace {

const char *pathName(Conv2DPath p) {
  switch (p) {
  case Conv2DPath::Gemm:
    return "Gemm";
  case Conv2DPath::Implicit:
    return "Implicit";
  case Conv2DPath::ChannelVector:
    return "ChannelVector";
  case Conv2DPath::Depthwise:
    return "Depthwise";
  case Conv2DPath::Winograd:
    return "Winograd";
  }
  return "?";
}

/// The error bound relative to the reduction length: float rounding of the
/// direct sums (1e-6 per term), and for Winograd F(4x4, 3x3) the rounding
/// of its transforms, whose coefficients (up to 8, and the 1/24 of G)
/// magnify it about 10x (Lavin & Gray; measured 2-4e-6 per term here).
constexpr double kAbsPerTerm =
    ANVIL_TEST_CONV_PART == 2 ? 1e-5 : 1e-6;

/// A second valid tile per path and width, unlike the tuned one in both
/// dimensions: 5 x 4 of 16 lanes, 4 x 3 of 8 lanes, one vector per
/// depthwise step.
constexpr Conv2DPlan otherPlan(Conv2DPath path) {
  if (path == Conv2DPath::Depthwise)
    return {path, kLanes, 1, 1};
  if (kLanes == 16)
    return {path, kLanes, 5, 4};
  return {path, kLanes, 4, 3};
}

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


template <Conv2DShape S, Conv2DPlan P> void checkConv(bool withBias) {
  static_assert(conv2dPlanIsValid(S, P));
  SCOPED_TRACE(std::string(pathName(P.path)) + " " + std::to_string(P.mr) +
               "x" + std::to_string(P.nr) + " of " + std::to_string(P.lanes));
  auto in = randomVec(S.n * S.c * S.h * S.w, -1, 1, 7);
  auto w = randomVec(S.k * (S.c / S.groups) * S.r * S.s, -1, 1, 8);
  auto bias = randomVec(S.k, -1, 1, 9);
  std::vector<float> packed(conv2dPackedWeightFloats(S, P));
  conv2dPackWeights(S, P, w.data(), packed.data());
  std::vector<float> out(S.n * S.k * S.oh * S.ow, std::nanf(""));
  ExecContext ctx = env().ctx(conv2dScratchFloats(S, P));
  conv2d_f32<Isa, S, P>(in.data(), packed.data(),
                        withBias ? bias.data() : nullptr, out.data(), ctx);
  double red = double(S.c / S.groups * S.r * S.s);
  expectNear(out, refConv(S, in, w, withBias ? bias.data() : nullptr), 1e-5,
             kAbsPerTerm * red, "conv2d");
  // Same result without a pool (serial path, thread 0's scratch).
  std::vector<float> serial(out.size(), std::nanf(""));
  ExecContext one{nullptr, ctx.scratch, ctx.scratchFloatsPerThread};
  conv2d_f32<Isa, S, P>(in.data(), packed.data(),
                        withBias ? bias.data() : nullptr, serial.data(), one);
  EXPECT_EQ(serial, out);
}

/// A fused epilogue with every broadcast: a residual add (Full), clip, a
/// per-channel multiply (Row, period K, a [1, K, 1, 1] operand), a
/// subtraction of a [1, 1, OH, OW] map (Col) and leaky ReLU.
constexpr PostOpList convPostOps(const Conv2DShape &s) {
  const int64_t p = s.oh * s.ow;
  return PostOpList{5,
                    {binaryPost(BinaryKind::Add, PostBroadcast::Full, 0, p, 1),
                     unaryPost(UnaryKind::Clip, -0.8f, 1.5f),
                     binaryPost(BinaryKind::Mul, PostBroadcast::Row, 1, p, s.k),
                     binaryPost(BinaryKind::Sub, PostBroadcast::Col, 2, p, 1),
                     unaryPost(UnaryKind::LeakyRelu, 0.1f)}};
}

template <Conv2DShape S, Conv2DPlan P> void checkConvPostOps() {
  static_assert(conv2dPlanIsValid(S, P));
  SCOPED_TRACE(std::string("post-ops ") + pathName(P.path));
  constexpr PostOpList PO = convPostOps(S);
  auto in = randomVec(S.n * S.c * S.h * S.w, -1, 1, 7);
  auto w = randomVec(S.k * (S.c / S.groups) * S.r * S.s, -1, 1, 8);
  auto bias = randomVec(S.k, -1, 1, 9);
  auto residual = randomVec(S.n * S.k * S.oh * S.ow, -2, 2, 10);
  auto perChannel = randomVec(S.k, -2, 2, 11);
  auto map = randomVec(S.oh * S.ow, -1, 1, 12);
  const float *post[] = {residual.data(), perChannel.data(), map.data()};
  std::vector<float> packed(conv2dPackedWeightFloats(S, P));
  conv2dPackWeights(S, P, w.data(), packed.data());
  std::vector<float> out(S.n * S.k * S.oh * S.ow, std::nanf(""));
  ExecContext ctx = env().ctx(conv2dScratchFloats(S, P));
  conv2d_f32<Isa, S, P, PO>(in.data(), packed.data(), bias.data(), out.data(),
                            ctx, post);
  std::vector<double> want = refConv(S, in, w, bias.data());
  refPostOps(PO, want, {post[0], post[1], post[2]});
  double red = double(S.c / S.groups * S.r * S.s);
  expectNear(out, want, 1e-5, 4 * kAbsPerTerm * red,
             "conv2d with post-ops");
}

/// The post-op epilogue on every path of this part valid for S (tuned tile).
template <Conv2DShape S, size_t I = 0> void checkConvPathsPostOps() {
  if constexpr (I < std::size(kPaths)) {
    constexpr Conv2DPlan tuned = conv2dTunedPlan(kPaths[I], kLanes);
    if constexpr (conv2dPlanIsValid(S, tuned))
      checkConvPostOps<S, tuned>();
    checkConvPathsPostOps<S, I + 1>();
  }
}

/// Every path of this part valid for S (Gemm and ChannelVector are valid
/// for any shape), with the tuned tile, and the other tile when OtherTile.
template <Conv2DShape S, bool OtherTile = false, size_t I = 0>
void checkConvPaths(bool withBias = true) {
  if constexpr (I < std::size(kPaths)) {
    constexpr Conv2DPlan tuned = conv2dTunedPlan(kPaths[I], kLanes);
    if constexpr (conv2dPlanIsValid(S, tuned))
      checkConv<S, tuned>(withBias);
    if constexpr (OtherTile && conv2dPlanIsValid(S, otherPlan(kPaths[I])))
      checkConv<S, otherPlan(kPaths[I])>(withBias);
    checkConvPaths<S, OtherTile, I + 1>(withBias);
  }
}

// Fields: n c h w | k r s | oh ow | strideH strideW padT padL padB padR dilH
// dilW groups
#if ANVIL_TEST_CONV_PART == 2
TEST(ANVIL_CONV_SUITE, TilesWithTails) {
  // 9 x 11 output: 3 x 3 tiles, the last row and column of tiles partial;
  // two images; channel tails (5 in, 19 out), both tiles.
  checkConvPaths<Conv2DShape{2, 5, 9, 11, 19, 3, 3, 9, 11, 1, 1, 1, 1, 1, 1,
                             1, 1, 1},
                 true>();
  // Unpadded and asymmetric pads: tiles read past the map's edges only
  // where the pads say.
  checkConvPaths<Conv2DShape{1, 8, 10, 10, 16, 3, 3, 8, 8, 1, 1, 0, 0, 0, 0,
                             1, 1, 1}>();
  checkConvPaths<Conv2DShape{1, 6, 11, 13, 10, 3, 3, 10, 12, 1, 1, 1, 0, 0, 1,
                             1, 1, 1},
                 true>(false);
}
TEST(ANVIL_CONV_SUITE, BlocksAndSlices) {
  // 40 x 40: 100 tiles in several blocks per image; 96 input channels.
  checkConvPaths<Conv2DShape{1, 96, 40, 40, 24, 3, 3, 40, 40, 1, 1, 1, 1, 1, 1,
                             1, 1, 1}>();
  // 28 x 28 (ResNet layer2's map), 49 tiles; 44 outputs (a channel tail).
  checkConvPaths<Conv2DShape{1, 40, 28, 28, 44, 3, 3, 28, 28, 1, 1, 1, 1, 1, 1,
                             1, 1, 1}>();
  // 130 input channels: two reduction slices, the second partial.
  checkConvPaths<Conv2DShape{2, 130, 14, 14, 20, 3, 3, 14, 14, 1, 1, 1, 1, 1,
                             1, 1, 1, 1}>(false);
}
TEST(ANVIL_CONV_SUITE, PostOps) {
  checkConvPathsPostOps<Conv2DShape{2, 5, 9, 11, 19, 3, 3, 9, 11, 1, 1, 1, 1,
                                    1, 1, 1, 1, 1}>();
  checkConvPathsPostOps<Conv2DShape{1, 64, 20, 20, 40, 3, 3, 20, 20, 1, 1, 1,
                                    1, 1, 1, 1, 1, 1}>();
}
#else
TEST(ANVIL_CONV_SUITE, Basic3x3Pad1) {
  checkConvPaths<Conv2DShape{2, 5, 9, 11, 19, 3, 3, 9, 11, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}, true>();
}
TEST(ANVIL_CONV_SUITE, StridedDilatedAsymmetricPads) {
  checkConvPaths<Conv2DShape{1, 3, 13, 10, 10, 3, 2, 6, 4, 2, 3, 1, 0, 2, 1, 2, 1,
                        1}, true>();
}
TEST(ANVIL_CONV_SUITE, Direct1x1WithChannelTail) {
  checkConvPaths<Conv2DShape{2, 17, 7, 7, 33, 1, 1, 7, 7, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}, true>();
}
TEST(ANVIL_CONV_SUITE, Direct1x1NoBias) {
  checkConvPaths<Conv2DShape{1, 24, 10, 13, 16, 1, 1, 10, 13, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>(false);
}
TEST(ANVIL_CONV_SUITE, Strided1x1) {
  checkConvPaths<Conv2DShape{1, 16, 8, 9, 24, 1, 1, 4, 5, 2, 2, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(ANVIL_CONV_SUITE, Grouped) {
  checkConvPaths<Conv2DShape{2, 8, 7, 6, 12, 3, 3, 7, 6, 1, 1, 1, 1, 1, 1, 1, 1,
                        2}, true>();
}
TEST(ANVIL_CONV_SUITE, ManyGroupsSmallChannels) {
  checkConvPaths<Conv2DShape{1, 32, 6, 6, 64, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1,
                        8}>();
}
TEST(ANVIL_CONV_SUITE, DepthwiseStride2) {
  checkConvPaths<Conv2DShape{1, 7, 15, 15, 7, 3, 3, 8, 8, 2, 2, 1, 1, 1, 1, 1, 1,
                        7}, true>();
}
TEST(ANVIL_CONV_SUITE, DepthwiseMultiplierDilated) {
  checkConvPaths<Conv2DShape{2, 3, 12, 20, 6, 5, 5, 8, 16, 1, 1, 2, 2, 2, 2, 2, 2,
                        3}>();
}
TEST(ANVIL_CONV_SUITE, DepthwiseWideRowAsymmetric) {
  checkConvPaths<Conv2DShape{1, 4, 5, 70, 4, 3, 3, 3, 23, 2, 3, 1, 2, 0, 0, 1, 1,
                        4}, true>(false);
}
TEST(ANVIL_CONV_SUITE, SingleInputChannel) {
  checkConvPaths<Conv2DShape{1, 1, 28, 28, 20, 5, 5, 24, 24, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}, true>();
}
TEST(ANVIL_CONV_SUITE, DeepReductionSeveralTiles) {
  // 576-long reduction (several k slices), 400 pixels (several tiles).
  checkConvPaths<Conv2DShape{1, 64, 20, 20, 40, 3, 3, 20, 20, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}>();
}
TEST(ANVIL_CONV_SUITE, FewPixelsSplitChannels) {
  checkConvPaths<Conv2DShape{1, 32, 5, 5, 64, 1, 1, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(ANVIL_CONV_SUITE, ResNetStem) {
  checkConvPaths<Conv2DShape{1, 3, 32, 32, 16, 7, 7, 16, 16, 2, 2, 3, 3, 3, 3, 1, 1,
                        1}>();
}
TEST(ANVIL_CONV_SUITE, SinglePixelManyImages) {
  // A fully-connected layer written as a conv: one output pixel per image.
  checkConvPaths<Conv2DShape{3, 37, 1, 1, 29, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(ANVIL_CONV_SUITE, TinySpatialDeep) {
  checkConvPaths<Conv2DShape{1, 70, 3, 3, 20, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1,
                        1}>();
}
TEST(ANVIL_CONV_SUITE, ChannelVectorGroupedPanelTail) {
  // 7x7 output (the channel-vector path's case), 2 groups of 50 output
  // channels: one full 48-channel panel plus a 2-channel tail per group on
  // AVX-512; deep reduction.
  checkConvPaths<Conv2DShape{2, 40, 7, 7, 100, 3, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1,
                        2}, true>();
  checkConvPaths<Conv2DShape{1, 300, 7, 7, 64, 3, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1, 1,
                        1}>(false);
}
TEST(ANVIL_CONV_SUITE, ImplicitStride1) {
  // Stride-1 convs with wide rows (the implicit path's case).
  constexpr Conv2DShape a{2, 5, 20, 36, 19, 3, 3, 20, 36,
                          1, 1, 1,  1,  1,  1, 1, 1,  1};
  checkConvPaths<a, true>();
  // Dilated, asymmetric pads, two groups, a 5-row window.
  constexpr Conv2DShape b{1, 6, 17, 70, 18, 5, 3, 15, 66,
                          1, 1, 3,  0,  2,  0, 2, 2,  2};
  checkConvPaths<b>(false);
  // Many channels: several row tiles and reduction slices.
  constexpr Conv2DShape c{1, 96, 40, 40, 24, 3, 3, 40, 40,
                          1, 1,  1,  1,  1,  1, 1, 1,  1};
  checkConvPaths<c>();
}
TEST(ANVIL_CONV_SUITE, SlicedWeightsResNetWidths) {
  // 28-wide stride-1 map (implicit: extra columns 2/28); reduction of
  // 3 slices with a partial last one (40 * 9 = 360), channel tail (44).
  constexpr Conv2DShape a{1, 40, 28, 28, 44, 3, 3, 28, 28,
                          1, 1,  1,  1,  1,  1, 1, 1,  1};
  checkConvPaths<a>();
  // 14x14 (im2col): 196 pixels (4 full 48-pixel panels + a 4-pixel tail),
  // weights sliced over 30 * 9 = 270 reduction rows.
  constexpr Conv2DShape b{2, 30, 14, 14, 20, 3, 3, 14, 14,
                          1, 1,  1,  1,  1,  1, 1, 1,  1};
  checkConvPaths<b>();
  // Direct 1x1 on 14x14 with 300 input channels (partial last slice).
  checkConvPaths<Conv2DShape{1, 300, 14, 14, 36, 1, 1, 14, 14, 1, 1, 0, 0, 0, 0, 1,
                        1, 1}>(false);
}
TEST(ANVIL_CONV_SUITE, PostOps) {
  // Channel and pixel tails, two images (Row operands repeat per image),
  // a deep reduction (several k slices: post-ops only on the last).
  checkConvPathsPostOps<Conv2DShape{2, 5, 9, 11, 19, 3, 3, 9, 11, 1, 1, 1, 1,
                                    1, 1, 1, 1, 1}>();
  checkConvPathsPostOps<Conv2DShape{1, 64, 20, 20, 40, 3, 3, 20, 20, 1, 1, 1,
                                    1, 1, 1, 1, 1, 1}>();
  checkConvPathsPostOps<Conv2DShape{2, 17, 7, 7, 33, 1, 1, 7, 7, 1, 1, 0, 0, 0,
                                    0, 1, 1, 1}>();
  checkConvPathsPostOps<Conv2DShape{1, 7, 15, 15, 7, 3, 3, 8, 8, 2, 2, 1, 1, 1,
                                    1, 1, 1, 7}>();
  checkConvPathsPostOps<Conv2DShape{1, 40, 7, 7, 100, 3, 3, 7, 7, 1, 1, 1, 1,
                                    1, 1, 1, 1, 2}>();
}
TEST(ANVIL_CONV_SUITE, WindowLargerThanInput) {
  checkConvPaths<Conv2DShape{1, 2, 3, 3, 9, 5, 5, 3, 3, 1, 1, 2, 2, 2, 2, 1, 1,
                        1}>();
}
#endif

} // namespace
