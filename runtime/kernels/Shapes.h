//===- Shapes.h - Kernel shapes, plans, packed sizes, packing --*- C++ -*-===//
//
// Plain C++20 (no intrinsics, no MLIR) so that both the compiler (to pack
// constant weights at compile time) and generated code (to pack weights that
// are graph inputs at run time) use one packing routine.
//
// A kernel is instantiated for a shape and a plan. The plan is the
// compiler's choice (its heuristics live in the compiler, not here): for
// conv2d the path and, for every kernel, the vector width `lanes` (8 for
// Avx2, 16 for Avx512, Vec.h) and the register tile of the GEMM microkernel,
// `mr` broadcast rows x `nr` vectors of `lanes` floats (mr * nr
// accumulators). This header states which plans a kernel can run
// (conv2dPlanIsValid, matmulPlanIsValid) and what a plan implies: packed
// layouts, packed sizes and scratch sizes.
//
// Packed layouts (all floats, unused lanes zero):
//
//  conv2d, Gemm and Implicit paths (output channels broadcast, pixels in
//  vectors):
//    gOIhw{mr}o: [groups][ceil(Kg / mr)][Cg * R * S][mr], except that the
//    reduction is cut into kConvKC-row slices stored outermost within a
//    group (conv2dPackedRowOffset): [groups][slice][blocks][kc][mr].
//    Output channels of a group are blocked by mr; within a block the mr
//    weights of one reduction index (c, r, s) are contiguous, in the order
//    the microkernel broadcasts them. Reduction index = (c * R + r) * S + s,
//    the row order of the im2col tile. Channels past Kg are zero.
//  conv2d, ChannelVector path (pixels broadcast, output channels in
//  vectors):
//    gOIhw{nr*lanes}o: [groups][ceil(Kg / (nr*lanes))][Cg * R * S][nr*lanes],
//    sliced over the reduction the same way: [groups][slice][panels][kc][w].
//    nr vectors of output channels per panel (48 for 3 x 16), loaded as
//    vectors while pixels are broadcast. Channels past Kg are zero.
//  conv2d, Depthwise path (Cg == 1, any channel multiplier):
//    plain KCRS = [K][R][S]; the kernel vectorizes over output width (nr
//    vectors per step) and broadcasts one weight at a time.
//
//  matmul B: for every distinct B matrix (batch dims whose B stride is 0 are
//    not duplicated), [ceil(N / (nr*lanes))][K][nr*lanes]: column panels of
//    nr vectors (64 floats for 4 x 16), each panel stored row by row over K,
//    so the microkernel loads nr contiguous vectors per k. transB is
//    resolved here.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_SHAPES_H
#define ANVIL_KERNELS_SHAPES_H

#include "Abi.h"

#include <cstdint>

namespace anvil::kernels {

//===----------------------------------------------------------------------===//
// Shapes (structural types: every field public, usable as template arguments)
//===----------------------------------------------------------------------===//

struct Conv2DShape {
  int64_t n, c, h, w; // input NCHW
  int64_t k, r, s;    // output channels, kernel height, width
  int64_t oh, ow;     // output height, width
  int64_t strideH, strideW, padT, padL, padB, padR, dilH, dilW, groups;
};

constexpr int kMaxBatchRank = 6;
struct MatmulShape {
  int64_t batchRank;                   // rank of the broadcast batch dims
  int64_t batch[kMaxBatchRank];        // output batch dims
  int64_t aBatchStride[kMaxBatchRank]; // element strides of A, 0 = broadcast
  int64_t bBatchStride[kMaxBatchRank]; // same for B (unpacked)
  int64_t m, n, k;
  bool transA, transB;
  float alpha;
};

struct PoolShape {
  int64_t n, c, h, w, oh, ow, kh, kw;
  int64_t strideH, strideW, padT, padL, padB, padR, dilH, dilW;
  bool countIncludePad;
};

constexpr int kMaxRank = 8;
struct BroadcastShape { // binary elementwise
  int64_t rank;
  int64_t dims[kMaxRank];       // output dims
  int64_t lhsStrides[kMaxRank]; // element strides, 0 where broadcast
  int64_t rhsStrides[kMaxRank];
};
struct TransposeShape {
  int64_t rank;
  int64_t inDims[kMaxRank];
  int64_t perm[kMaxRank]; // output dim i is input dim perm[i]
};
struct PadShape {
  int64_t rank;
  int64_t inDims[kMaxRank];
  int64_t outDims[kMaxRank];
  int64_t padBegin[kMaxRank]; // may be negative (crop)
  int mode;                   // 0 constant, 1 reflect, 2 edge
  float value;
};

// The elementwise functions (ElementwiseKinds.def is their one list).
enum class UnaryKind : int {
#define ANVIL_UNARY_KIND(Name, mnemonic) Name,
#include "ElementwiseKinds.def"
};
enum class BinaryKind : int {
#define ANVIL_BINARY_KIND(Name, mnemonic) Name,
#include "ElementwiseKinds.def"
};


//===----------------------------------------------------------------------===//
// Fused epilogues (oneDNN's post-op model): what conv2d and matmul apply to
// each result element after the bias, in order. Structural too: the list is
// a template argument, so every step is compiled into the store.
//===----------------------------------------------------------------------===//

/// How a binary post-op's operand lines up with the result, whose elements
/// are viewed as rows of `rowLen` (conv2d NCHW: one row per image and
/// channel, rowLen = OH * OW; matmul: one row per result row, rowLen = N):
///   Full: the operand has the result's shape, element `offset`;
///   Row:  one value per row, `period` of them repeating (a per-channel
///         [1, K, 1, 1] operand of a conv: period K), element
///         (offset / rowLen) % period;
///   Col:  one row of rowLen values shared by every row (a matmul's [N]
///         operand), element offset % rowLen.
enum class PostBroadcast : int { Full, Row, Col };

enum class PostOpKind : int { Unary, Binary };

/// One step: v = unary(v; alpha, beta), or v = binary(v, operand) with the
/// operand read as `bcast` says from the operand pointer number `operand`.
struct PostOp {
  PostOpKind kind;
  UnaryKind unary;
  BinaryKind binary;
  float alpha, beta;
  PostBroadcast bcast;
  int operand;
  int64_t rowLen, period;
};

/// The most steps one kernel fuses.
constexpr int kMaxPostOps = 8;

struct PostOpList {
  int count;
  PostOp ops[kMaxPostOps];
};

/// Whether `list` is one a kernel can apply: a count in range, binary steps
/// with rows of at least one element and periods of at least one.
constexpr bool postOpListIsValid(const PostOpList &list) {
  if (list.count < 0 || list.count > kMaxPostOps)
    return false;
  for (int i = 0; i < list.count; ++i) {
    const PostOp &p = list.ops[i];
    if (p.kind == PostOpKind::Binary &&
        (p.operand < 0 || p.rowLen < 1 || p.period < 1))
      return false;
  }
  return true;
}


//===----------------------------------------------------------------------===//
// Plans (structural types too: template arguments next to the shape)
//===----------------------------------------------------------------------===//

/// How conv2d computes (Conv2D.h describes each path).
enum class Conv2DPath : int { Gemm, Implicit, ChannelVector, Depthwise, Winograd };

/// Gemm / Implicit: mr output channels x nr vectors of pixels.
/// Winograd: mr output channels x nr vectors of 4x4 tiles.
/// ChannelVector: mr pixels x nr vectors of output channels.
/// Depthwise: nr vectors of output columns per step, mr = 1.
struct Conv2DPlan {
  Conv2DPath path;
  int64_t lanes; ///< floats per vector: 8 (Avx2) or 16 (Avx512)
  int64_t mr;    ///< broadcast rows of the register tile
  int64_t nr;    ///< vectors per row of the register tile
};

/// mr rows of A (broadcast) x nr vectors of columns.
struct MatmulPlan {
  int64_t lanes;
  int64_t mr;
  int64_t nr;
};

//===----------------------------------------------------------------------===//
// Blocking constants shared by packing and the kernels
//===----------------------------------------------------------------------===//

/// Reduction slice per conv microkernel call: the B panel of one slice
/// (128 x 48 floats = 24 KiB for an 8x3 tile of 16 lanes) stays in L1 while
/// every channel block uses it.
constexpr int64_t kConvKC = 128;
/// Budget for one thread's im2col slice (floats): 512 KiB, a quarter of this
/// machine's L2, so the slice is still in L2 when the GEMM reads it back.
constexpr int64_t kConvTileFloats = 128 * 1024;
/// Reduction slice of matmul: a 128 x 64 B panel slice (32 KiB) stays in L1.
constexpr int64_t kMatKC = 128;
/// Rows of A packed at once per thread (rounded up to a multiple of mr,
/// matmulBlockRows).
constexpr int64_t kMatMC = 96;
/// Sub-buffers of scratch start at multiples of 16 floats (64 bytes, a
/// cache line and an aligned zmm).
constexpr int64_t kAlignFloats = 16;

inline namespace ANVIL_KERNEL_ABI {

constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
constexpr int64_t roundUpTo(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

/// Vector registers of the ISA with `lanes` floats per vector (Vec.h's
/// kRegisters), 0 for widths no ISA has.
constexpr int64_t vectorRegisters(int64_t lanes) {
  return lanes == 16 ? 32 : lanes == 8 ? 16 : 0;
}
/// mr * nr accumulators, nr B vectors and one broadcast must all stay in
/// registers, or the microkernel spills in its inner loop.
constexpr bool registerTileFits(int64_t lanes, int64_t mr, int64_t nr) {
  return mr >= 1 && nr >= 1 &&
         mr * nr + nr + 1 <= vectorRegisters(lanes);
}

/// The register tiles KernelBench measured fastest for each vector width
/// (AVX-512: conv 8x3, channel-vector 8 pixels x 3 vectors, matmul 6x4;
/// AVX2: see runtime/README.md). Which path to take is the compiler's
/// decision; these are the tiles to take it with.
constexpr Conv2DPlan conv2dTunedPlan(Conv2DPath path, int64_t lanes) {
  if (path == Conv2DPath::Depthwise)
    return {path, lanes, 1, 4};
  if (lanes == 16)
    return {path, lanes, 8, 3};
  return {path, lanes, 6, 2};
}
constexpr MatmulPlan matmulTunedPlan(int64_t lanes) {
  if (lanes == 16)
    return {lanes, 6, 4};
  return {lanes, 6, 2};
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

constexpr int64_t conv2dInPerGroup(const Conv2DShape &s) {
  return s.c / s.groups;
}
constexpr int64_t conv2dOutPerGroup(const Conv2DShape &s) {
  return s.k / s.groups;
}
/// Floating-point operations of one conv2d (a multiply and an add per
/// product term, as matmulFlops).
constexpr int64_t conv2dFlops(const Conv2DShape &s) {
  return 2 * s.n * s.k * s.oh * s.ow * conv2dInPerGroup(s) * s.r * s.s;
}
/// A 1x1, stride 1, unpadded conv reads its GEMM operand straight from the
/// input (rows of H*W pixels); no im2col needed.
constexpr bool conv2dIsDirect1x1(const Conv2DShape &s) {
  return s.r == 1 && s.s == 1 && s.strideH == 1 && s.strideW == 1 &&
         s.padT == 0 && s.padL == 0 && s.oh == s.h && s.ow == s.w;
}
/// Reduction length of the GEMM paths: Cg * R * S.
constexpr int64_t conv2dReduction(const Conv2DShape &s) {
  return conv2dInPerGroup(s) * s.r * s.s;
}
/// Output channels per packed weight block: mr broadcast channels (Gemm,
/// Implicit) or a panel of nr vectors (ChannelVector).
constexpr int64_t conv2dPackedWidth(const Conv2DPlan &p) {
  return p.path == Conv2DPath::ChannelVector ? p.nr * p.lanes : p.mr;
}

/// Largest output-pixel tile of the Gemm path. The kernel im2cols one
/// reduction slice (kConvKC rows) of a tile at a time, so a tile may span
/// up to kConvTileFloats / kConvKC = 1024 pixels; larger maps are cut into
/// equal tiles (whole vectors, no runt).
constexpr int64_t conv2dPixelTile(const Conv2DShape &s, const Conv2DPlan &p) {
  int64_t pixels = s.oh * s.ow;
  int64_t maxTile = kConvTileFloats / kConvKC / p.lanes * p.lanes;
  int64_t tiles = ceilDiv(pixels, maxTile);
  if (tiles < 1)
    tiles = 1;
  return roundUpTo(ceilDiv(pixels, tiles), p.lanes);
}

/// Implicit path geometry (no im2col: the GEMM reads each kernel tap
/// straight from a zero-padded block of input rows, computing "wide" rows of
/// OW + (S-1)*dilW pixels whose extra columns are dropped): wide row length,
/// output rows per tile (at most ~1024 wide pixels, padded block within
/// kConvTileFloats), floats per channel of the padded block (its rows plus
/// slack for the last row's wide columns), and floats per output channel of
/// the wide result.
constexpr int64_t conv2dImplicitWidth(const Conv2DShape &s) {
  return s.ow + (s.s - 1) * s.dilW;
}
constexpr int64_t conv2dImplicitRows(const Conv2DShape &s) {
  int64_t wp = conv2dImplicitWidth(s), halo = (s.r - 1) * s.dilH;
  int64_t rows = 1024 / wp;
  int64_t byBlock = kConvTileFloats / (conv2dInPerGroup(s) * wp) - halo;
  if (byBlock < rows)
    rows = byBlock;
  if (rows > s.oh)
    rows = s.oh;
  if (rows < 1)
    rows = 1;
  int64_t tiles = ceilDiv(s.oh, rows);
  return ceilDiv(s.oh, tiles);
}
constexpr int64_t conv2dImplicitChannelFloats(const Conv2DShape &s) {
  return roundUpTo((conv2dImplicitRows(s) + (s.r - 1) * s.dilH) *
                           conv2dImplicitWidth(s) +
                       (s.s - 1) * s.dilW,
                   kAlignFloats);
}
constexpr int64_t conv2dImplicitResultFloats(const Conv2DShape &s) {
  return roundUpTo(conv2dImplicitRows(s) * conv2dImplicitWidth(s),
                   kAlignFloats);
}

/// Winograd F(4x4, 3x3) path (Winograd.h): 4x4 output tiles, row-major,
/// ceil(OW/4) per tile row; 36 transformed positions.
constexpr int64_t kWinogradPositions = 36;
constexpr int64_t conv2dWinogradTilesWide(const Conv2DShape &s) {
  return ceilDiv(s.ow, 4);
}
constexpr int64_t conv2dWinogradTiles(const Conv2DShape &s) {
  return ceilDiv(s.oh, 4) * conv2dWinogradTilesWide(s);
}
/// Budget (floats) for one thread's transformed input and products of a
/// block of tiles: 1 MiB, about one core's L2.
constexpr int64_t kWinogradBlockFloats = 256 * 1024;
/// Tiles per block (the row stride of the V and M scratch): whole vectors,
/// at most two register-tile panels and what the budget holds (at least one
/// vector), and no more than the map has.
constexpr int64_t conv2dWinogradBlockTiles(const Conv2DShape &s,
                                           const Conv2DPlan &p) {
  const int64_t perTile =
      kWinogradPositions * (s.c + roundUpTo(s.k, p.mr));
  int64_t tb = kWinogradBlockFloats / perTile / p.lanes * p.lanes;
  if (tb > 2 * p.nr * p.lanes)
    tb = 2 * p.nr * p.lanes;
  const int64_t all = roundUpTo(conv2dWinogradTiles(s), p.lanes);
  if (tb > all)
    tb = all;
  return tb < p.lanes ? p.lanes : tb;
}
/// Packed weight floats per position: the Gemm path's layout of a K x C
/// matrix (mr-channel blocks, kConvKC reduction slices).
constexpr int64_t conv2dWinogradPositionFloats(const Conv2DShape &s,
                                               const Conv2DPlan &p) {
  return ceilDiv(s.k, p.mr) * s.c * p.mr;
}

/// Depthwise path: one input plane, zero padded and split by column phase
/// (column x goes to phase x % strideW, slot x / strideW) so that every
/// kernel tap reads a contiguous run of output pixels at any stride.
constexpr int64_t conv2dDwPlaneRows(const Conv2DShape &s) {
  return (s.oh - 1) * s.strideH + (s.r - 1) * s.dilH + 1;
}
constexpr int64_t conv2dDwPlaneCols(const Conv2DShape &s) {
  return s.ow + ((s.s - 1) * s.dilW) / s.strideW;
}

/// Whether the conv2d kernel can run `p` on `s` (correctly; whether it is
/// fast is the compiler's question). Every path needs a tile that fits the
/// registers of its ISA. Depthwise needs one input channel per group and
/// mr = 1; Implicit needs stride 1 (its tap offsets are int32); Winograd a
/// 3x3 kernel, stride and dilation 1, one group, and gather indices within
/// int32. Gemm and ChannelVector run any shape, Cg == 1 included.
constexpr bool conv2dPlanIsValid(const Conv2DShape &s, const Conv2DPlan &p) {
  if (!registerTileFits(p.lanes, p.mr, p.nr) || s.groups < 1 ||
      s.c % s.groups != 0 || s.k % s.groups != 0)
    return false;
  switch (p.path) {
  case Conv2DPath::Depthwise:
    return conv2dInPerGroup(s) == 1 && p.mr == 1;
  case Conv2DPath::Implicit:
    return s.strideH == 1 && s.strideW == 1 &&
           conv2dInPerGroup(s) * conv2dImplicitChannelFloats(s) <
               (int64_t(1) << 31);
  case Conv2DPath::Winograd:
    return s.r == 3 && s.s == 3 && s.strideH == 1 && s.strideW == 1 &&
           s.dilH == 1 && s.dilW == 1 && s.groups == 1 &&
           s.h * s.w + 8 * s.w < (int64_t(1) << 31);
  case Conv2DPath::Gemm:
  case Conv2DPath::ChannelVector:
    return true;
  }
  return false;
}

constexpr int64_t conv2dPackedWeightFloats(const Conv2DShape &s,
                                           const Conv2DPlan &p) {
  if (p.path == Conv2DPath::Depthwise)
    return s.k * s.r * s.s;
  if (p.path == Conv2DPath::Winograd)
    return kWinogradPositions * conv2dWinogradPositionFloats(s, p);
  const int64_t width = conv2dPackedWidth(p);
  return s.groups * ceilDiv(conv2dOutPerGroup(s), width) * conv2dReduction(s) *
         width;
}

/// Per-thread scratch floats the conv2d kernel needs.
constexpr int64_t conv2dScratchFloats(const Conv2DShape &s,
                                      const Conv2DPlan &p) {
  const int64_t red = conv2dReduction(s);
  switch (p.path) {
  case Conv2DPath::Depthwise:
    return roundUpTo(conv2dDwPlaneRows(s) * s.strideW * conv2dDwPlaneCols(s),
                     kAlignFloats);
  case Conv2DPath::ChannelVector: {
    // im2col of all pixels (unless direct), its pixel-tile-major repack,
    // and the transposed result block.
    const int64_t pixels = s.oh * s.ow;
    const int64_t col =
        conv2dIsDirect1x1(s) ? 0 : roundUpTo(red * pixels, kAlignFloats);
    const int64_t pack = roundUpTo(ceilDiv(pixels, p.mr) * red * p.mr,
                                   kAlignFloats);
    return col + pack +
           pixels * roundUpTo(conv2dOutPerGroup(s), conv2dPackedWidth(p));
  }
  case Conv2DPath::Implicit:
    // Tap offsets, padded input block, wide results of all channels.
    return roundUpTo(red, kAlignFloats) +
           conv2dInPerGroup(s) * conv2dImplicitChannelFloats(s) +
           roundUpTo(conv2dOutPerGroup(s), p.mr) *
               conv2dImplicitResultFloats(s);
  case Conv2DPath::Winograd:
    // V[36][C][TB] and M[36][K (whole mr blocks)][TB].
    return kWinogradPositions * (s.c + roundUpTo(s.k, p.mr)) *
           conv2dWinogradBlockTiles(s, p);
  case Conv2DPath::Gemm:
    if (conv2dIsDirect1x1(s))
      return 0;
    return (red < kConvKC ? red : kConvKC) * conv2dPixelTile(s, p);
  }
  return 0;
}

/// Where reduction row j of block (or panel) b starts within one group's
/// packed GEMM weights ([blocks][red][width] order within each kConvKC
/// reduction slice, slices outermost): the kernels walk reduction slices in
/// the outer loop and every block inside it, so each slice of all blocks is
/// one contiguous stream (deep layers' weights come from L3/DRAM once per
/// conv, and a sequential stream keeps the hardware prefetchers busy).
/// Identical to [blocks][red][width] when red <= kConvKC.
constexpr int64_t conv2dPackedRowOffset(int64_t red, int64_t blocks,
                                        int64_t width, int64_t b, int64_t j) {
  int64_t k0 = j / kConvKC * kConvKC;
  int64_t kc = red - k0 < kConvKC ? red - k0 : kConvKC;
  return (k0 * blocks + b * kc + (j - k0)) * width;
}

/// Packs KCRS weights ([K][C/groups][R][S]) into the layout of plan p.
inline void conv2dPackWeights(const Conv2DShape &s, const Conv2DPlan &p,
                              const float *kcrs, float *packed) {
  if (p.path == Conv2DPath::Depthwise) {
    for (int64_t i = 0, e = s.k * s.r * s.s; i < e; ++i)
      packed[i] = kcrs[i];
    return;
  }
  if (p.path == Conv2DPath::Winograd) {
    // U = G g G^T per (k, c), in double, then per position p = 6 * row +
    // column the Gemm layout of the K x C matrix U_p.
    static constexpr double G[6][3] = {{1.0 / 4, 0, 0},
                                       {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                       {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                       {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                       {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                       {0, 0, 1}};
    const int64_t blocks = ceilDiv(s.k, p.mr);
    const int64_t stride = conv2dWinogradPositionFloats(s, p);
    for (int64_t i = 0, e = kWinogradPositions * stride; i < e; ++i)
      packed[i] = 0.0f;
    for (int64_t k = 0; k < s.k; ++k)
      for (int64_t c = 0; c < s.c; ++c) {
        const float *g = kcrs + (k * s.c + c) * 9;
        double gg[6][3]; // G g
        for (int a = 0; a < 6; ++a)
          for (int j = 0; j < 3; ++j)
            gg[a][j] = G[a][0] * g[j] + G[a][1] * g[3 + j] + G[a][2] * g[6 + j];
        for (int a = 0; a < 6; ++a)
          for (int b = 0; b < 6; ++b) {
            const double u =
                gg[a][0] * G[b][0] + gg[a][1] * G[b][1] + gg[a][2] * G[b][2];
            float *dst = packed + (a * 6 + b) * stride +
                         conv2dPackedRowOffset(s.c, blocks, p.mr, k / p.mr, c);
            dst[k % p.mr] = float(u);
          }
      }
    return;
  }
  // Every GEMM layout is [groups][blocks][red][width], sliced: mr-channel
  // blocks broadcast by the Gemm / Implicit paths, nr-vector panels loaded
  // by the ChannelVector path.
  const int64_t width = conv2dPackedWidth(p);
  const int64_t kg = conv2dOutPerGroup(s), red = conv2dReduction(s);
  const int64_t blocks = ceilDiv(kg, width);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t b = 0; b < blocks; ++b) {
      float *dstG = packed + g * blocks * red * width;
      for (int64_t j = 0; j < red; ++j) {
        float *dst = dstG + conv2dPackedRowOffset(red, blocks, width, b, j);
        for (int64_t i = 0; i < width; ++i) {
          int64_t oc = b * width + i;
          dst[i] = oc < kg ? kcrs[(g * kg + oc) * red + j] : 0.0f;
        }
      }
    }
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

/// Whether matmul_f32 can run `p`: any shape, with a tile that fits.
constexpr bool matmulPlanIsValid(const MatmulShape &, const MatmulPlan &p) {
  return registerTileFits(p.lanes, p.mr, p.nr);
}
/// Columns per packed B panel.
constexpr int64_t matmulPanel(const MatmulPlan &p) { return p.nr * p.lanes; }
/// Rows of A per packed block: kMatMC rounded up to whole tiles.
constexpr int64_t matmulBlockRows(const MatmulPlan &p) {
  return roundUpTo(kMatMC, p.mr);
}

/// Number of output batch entries (product of batch dims).
constexpr int64_t matmulBatchCount(const MatmulShape &s) {
  int64_t n = 1;
  for (int64_t d = 0; d < s.batchRank; ++d)
    n *= s.batch[d];
  return n;
}

/// Floating-point operations of one matmul (a multiply and an add per
/// product term), what threading thresholds and the profiler count.
constexpr int64_t matmulFlops(const MatmulShape &s) {
  return 2 * matmulBatchCount(s) * s.m * s.n * s.k;
}
/// Number of distinct B matrices: batch dims where B is broadcast (stride 0)
/// are not duplicated in the packed form.
constexpr int64_t matmulDistinctB(const MatmulShape &s) {
  int64_t n = 1;
  for (int64_t d = 0; d < s.batchRank; ++d)
    if (s.bBatchStride[d] != 0)
      n *= s.batch[d];
  return n;
}
/// Floats of one packed B matrix.
constexpr int64_t matmulPackedBStride(const MatmulShape &s,
                                      const MatmulPlan &p) {
  return ceilDiv(s.n, matmulPanel(p)) * s.k * matmulPanel(p);
}
/// Index of the packed B matrix used by output batch entry `b`.
constexpr int64_t matmulPackedBIndex(const MatmulShape &s, int64_t b) {
  int64_t idx = 0;
  for (int64_t d = s.batchRank - 1, radix = 1; d >= 0; --d) {
    int64_t i = b % s.batch[d];
    b /= s.batch[d];
    if (s.bBatchStride[d] != 0) {
      idx += i * radix;
      radix *= s.batch[d];
    }
  }
  return idx;
}
/// Element offset of A (or unpacked B) for output batch entry `b`.
constexpr int64_t matmulBatchOffset(const MatmulShape &s,
                                    const int64_t *strides, int64_t b) {
  int64_t off = 0;
  for (int64_t d = s.batchRank - 1; d >= 0; --d) {
    off += (b % s.batch[d]) * strides[d];
    b /= s.batch[d];
  }
  return off;
}

constexpr int64_t matmulPackedBFloats(const MatmulShape &s,
                                      const MatmulPlan &p) {
  return matmulDistinctB(s) * matmulPackedBStride(s, p);
}

/// Per-thread scratch floats: one packed block of A.
constexpr int64_t matmulScratchFloats(const MatmulShape &,
                                      const MatmulPlan &p) {
  return matmulBlockRows(p) * kMatKC;
}

/// Packs B (batched as described by bBatchStride, each matrix [K][N], or
/// [N][K] when transB) into the panel layout of plan p.
inline void matmulPackB(const MatmulShape &s, const MatmulPlan &p,
                        const float *b, float *packed) {
  const int64_t total = matmulBatchCount(s), stride = matmulPackedBStride(s, p);
  const int64_t w = matmulPanel(p), panels = ceilDiv(s.n, w);
  // Visit every output batch entry, but pack each distinct B once: the
  // entries mapping to packed index q are first met in increasing order.
  int64_t next = 0;
  for (int64_t e = 0; e < total && next < matmulDistinctB(s); ++e) {
    if (matmulPackedBIndex(s, e) != next)
      continue;
    const float *src = b + matmulBatchOffset(s, s.bBatchStride, e);
    float *dst = packed + next * stride;
    for (int64_t q = 0; q < panels; ++q)
      for (int64_t kk = 0; kk < s.k; ++kk)
        for (int64_t j = 0; j < w; ++j) {
          int64_t col = q * w + j;
          float v = 0.0f;
          if (col < s.n)
            v = s.transB ? src[col * s.k + kk] : src[kk * s.n + col];
          dst[(q * s.k + kk) * w + j] = v;
        }
    ++next;
  }
}

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_SHAPES_H
