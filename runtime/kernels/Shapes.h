//===- Shapes.h - Kernel shapes, packed sizes, weight packing --*- C++ -*-===//
//
// Plain C++20 (no intrinsics, no MLIR) so that both the compiler (to pack
// constant weights at compile time) and generated code (to pack weights that
// are graph inputs at run time) use one packing routine.
//
// Packed layouts (all floats, unused lanes zero):
//
//  conv2d, pixel-vector GEMM and implicit paths (input channels per group
//  Cg > 1):
//    gOIhw8o: [groups][ceil(Kg / 8)][Cg * R * S][8], except that the
//    reduction is cut into kConvKC-row slices stored outermost within a
//    group (conv2dPackedRowOffset): [groups][slice][blocks][kc][8].
//    Output channels of a group are blocked by kConvMR = 8; within a block
//    the 8 weights of one reduction index (c, r, s) are contiguous, in the
//    order the microkernel broadcasts them. Reduction index = (c * R + r) * S
//    + s, the row order of the im2col tile. Channels past Kg are zero.
//  conv2d, channel-vector path (Cg > 1 but few output pixels, see
//  conv2dUsesChannelVectorPath: 7x7 maps, 1x1 outputs):
//    gOIhw48o: [groups][ceil(Kg / 48)][Cg * R * S][48], sliced over the
//    reduction the same way: [groups][slice][panels][kc][48].
//    48 output channels (3 vectors) per panel, loaded as vectors while
//    pixels are broadcast. Channels past Kg are zero.
//  conv2d, depthwise path (Cg == 1, any channel multiplier):
//    plain KCRS = [K][R][S]; the kernel vectorizes over output width and
//    broadcasts one weight at a time.
//
//  matmul B: for every distinct B matrix (batch dims whose B stride is 0 are
//    not duplicated), [ceil(N / 64)][K][64]: column panels of
//    kMatNR * 16 = 64 floats, each panel stored row by row over K, so the
//    microkernel loads 4 contiguous vectors per k. transB is resolved here.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_SHAPES_H
#define ANVIL_KERNELS_SHAPES_H

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

// Same order as the dialect's enums.
enum class UnaryKind : int {
  Relu,
  Clip,
  Sigmoid,
  Tanh,
  LeakyRelu,
  HardSigmoid,
  HardSwish,
  Exp,
  Log,
  Sqrt,
  Erf,
  Neg,
  Abs,
  Identity
};
enum class BinaryKind : int { Add, Sub, Mul, Div, Max, Min, Pow };

//===----------------------------------------------------------------------===//
// Blocking parameters shared by packing and the kernels
//===----------------------------------------------------------------------===//

/// conv2d microkernel tile: 8 output channels (broadcast weights) x 3 vectors
/// of 16 output pixels = 24 accumulators.
constexpr int64_t kConvMR = 8;
constexpr int64_t kConvNR = 3;
constexpr int64_t kConvPanel = kConvNR * 16;
/// Reduction slice per microkernel call: the 48-pixel B panel of one slice
/// (128 x 48 floats = 24 KiB) stays in L1 while every channel block uses it.
constexpr int64_t kConvKC = 128;
/// Budget for one thread's im2col slice (floats): 512 KiB, a quarter of this
/// machine's L2, so the slice is still in L2 when the GEMM reads it back.
constexpr int64_t kConvTileFloats = 128 * 1024;

/// matmul microkernel tile: 6 rows (broadcast A) x 4 vectors of 16 columns.
constexpr int64_t kMatMR = 6;
constexpr int64_t kMatNR = 4;
constexpr int64_t kMatPanel = kMatNR * 16;
/// Reduction slice: a 128 x 64 B panel slice (32 KiB) stays in L1.
constexpr int64_t kMatKC = 128;
/// Rows of A packed at once per thread (a multiple of kMatMR).
constexpr int64_t kMatMC = 96;

constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
constexpr int64_t roundUpTo(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

constexpr int64_t conv2dInPerGroup(const Conv2DShape &s) {
  return s.c / s.groups;
}
constexpr int64_t conv2dOutPerGroup(const Conv2DShape &s) {
  return s.k / s.groups;
}
/// One input channel per group (depthwise, or a channel multiplier): too
/// little reduction for a GEMM, so the kernel vectorizes over width.
constexpr bool conv2dUsesDepthwisePath(const Conv2DShape &s) {
  return conv2dInPerGroup(s) == 1;
}
/// A 1x1, stride 1, unpadded conv reads its GEMM operand straight from the
/// input (rows of H*W pixels); no im2col needed.
constexpr bool conv2dIsDirect1x1(const Conv2DShape &s) {
  return s.r == 1 && s.s == 1 && s.strideH == 1 && s.strideW == 1 &&
         s.padT == 0 && s.padL == 0 && s.oh == s.h && s.ow == s.w;
}
/// Reduction length of the GEMM path: Cg * R * S.
constexpr int64_t conv2dReduction(const Conv2DShape &s) {
  return conv2dInPerGroup(s) * s.r * s.s;
}
/// Largest output-pixel tile of the GEMM path. The kernel im2cols one
/// reduction slice (kConvKC rows) of a tile at a time, so a tile may span
/// up to kConvTileFloats / kConvKC = 1024 pixels; larger maps are cut into
/// equal tiles (multiples of 16 pixels, no runt).
constexpr int64_t conv2dPixelTile(const Conv2DShape &s) {
  int64_t pixels = s.oh * s.ow;
  int64_t maxTile = kConvTileFloats / kConvKC / 16 * 16;
  int64_t tiles = ceilDiv(pixels, maxTile);
  if (tiles < 1)
    tiles = 1;
  return roundUpTo(ceilDiv(pixels, tiles), 16);
}

/// Few output pixels (7x7 maps, 1x1 "fully connected" convs): vectors over
/// pixels would waste lanes (49 pixels fill 4 vectors), so this path puts
/// output channels in the vector lanes instead and broadcasts pixels.
constexpr bool conv2dUsesChannelVectorPath(const Conv2DShape &s) {
  int64_t pixels = s.oh * s.ow;
  return !conv2dUsesDepthwisePath(s) && conv2dOutPerGroup(s) >= 16 &&
         pixels <= 128 && pixels * 8 < roundUpTo(pixels, 16) * 7;
}
/// Stride-1 convs with wide output rows skip im2col: the GEMM reads each
/// kernel tap straight from a zero-padded block of input rows, computing
/// "wide" rows of OW + (S-1)*dilW pixels whose extra columns are dropped.
/// Worth it while those extra columns cost less than im2col (<= 1/14:
/// 3x3 on 28x28 maps is faster implicit, on 14x14 it is not).
constexpr bool conv2dUsesImplicitPath(const Conv2DShape &s) {
  return !conv2dUsesDepthwisePath(s) && !conv2dUsesChannelVectorPath(s) &&
         !conv2dIsDirect1x1(s) && s.strideH == 1 && s.strideW == 1 &&
         s.r * s.s > 1 && (s.s - 1) * s.dilW * 14 <= s.ow;
}
/// Implicit path geometry: wide row length, output rows per tile (at most
/// ~1024 wide pixels, padded block within kConvTileFloats), floats per
/// channel of the padded block (its rows plus slack for the last row's
/// wide columns), and floats per output channel of the wide result.
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
                   16);
}
constexpr int64_t conv2dImplicitResultFloats(const Conv2DShape &s) {
  return roundUpTo(conv2dImplicitRows(s) * conv2dImplicitWidth(s), 16);
}

/// Channel-vector path: output channels per packed weight panel.
constexpr int64_t kConvCvPanel = kConvNR * 16;

/// Depthwise path: one input plane, zero padded and split by column phase
/// (column x goes to phase x % strideW, slot x / strideW) so that every
/// kernel tap reads a contiguous run of output pixels at any stride.
constexpr int64_t conv2dDwPlaneRows(const Conv2DShape &s) {
  return (s.oh - 1) * s.strideH + (s.r - 1) * s.dilH + 1;
}
constexpr int64_t conv2dDwPlaneCols(const Conv2DShape &s) {
  return s.ow + ((s.s - 1) * s.dilW) / s.strideW;
}

constexpr int64_t conv2dPackedWeightFloats(const Conv2DShape &s) {
  if (conv2dUsesDepthwisePath(s))
    return s.k * s.r * s.s;
  if (conv2dUsesChannelVectorPath(s))
    return s.groups * ceilDiv(conv2dOutPerGroup(s), kConvCvPanel) *
           conv2dReduction(s) * kConvCvPanel;
  return s.groups * ceilDiv(conv2dOutPerGroup(s), kConvMR) *
         conv2dReduction(s) * kConvMR;
}

/// Per-thread scratch floats the conv2d kernel needs.
constexpr int64_t conv2dScratchFloats(const Conv2DShape &s) {
  if (conv2dUsesDepthwisePath(s))
    return roundUpTo(conv2dDwPlaneRows(s) * s.strideW * conv2dDwPlaneCols(s),
                     16);
  if (conv2dUsesChannelVectorPath(s)) {
    int64_t pixels = s.oh * s.ow;
    // im2col of all pixels (unless direct), its pixel-tile-major repack,
    // and the transposed result block.
    int64_t red = conv2dReduction(s);
    int64_t col = conv2dIsDirect1x1(s) ? 0 : roundUpTo(red * pixels, 16);
    int64_t pack = ceilDiv(pixels, kConvMR) * red * kConvMR;
    return col + pack + pixels * roundUpTo(conv2dOutPerGroup(s), kConvCvPanel);
  }
  if (conv2dUsesImplicitPath(s))
    // Tap offsets, padded input block, wide results of all channels.
    return roundUpTo(conv2dReduction(s), 16) +
           conv2dInPerGroup(s) * conv2dImplicitChannelFloats(s) +
           roundUpTo(conv2dOutPerGroup(s), kConvMR) *
               conv2dImplicitResultFloats(s);
  if (conv2dIsDirect1x1(s))
    return 0;
  int64_t rows = conv2dReduction(s) < kConvKC ? conv2dReduction(s) : kConvKC;
  return rows * conv2dPixelTile(s);
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

/// Packs KCRS weights ([K][C/groups][R][S]) into the layout above.
inline void conv2dPackWeights(const Conv2DShape &s, const float *kcrs,
                              float *packed) {
  if (conv2dUsesDepthwisePath(s)) {
    for (int64_t i = 0, e = s.k * s.r * s.s; i < e; ++i)
      packed[i] = kcrs[i];
    return;
  }
  // Both GEMM layouts are [groups][blocks][red][width]: 8-channel blocks
  // broadcast by the pixel-vector path, 48-channel panels loaded as vectors
  // by the channel-vector path.
  const int64_t width = conv2dUsesChannelVectorPath(s) ? kConvCvPanel : kConvMR;
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

/// Number of output batch entries (product of batch dims).
constexpr int64_t matmulBatchCount(const MatmulShape &s) {
  int64_t n = 1;
  for (int64_t d = 0; d < s.batchRank; ++d)
    n *= s.batch[d];
  return n;
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
constexpr int64_t matmulPackedBStride(const MatmulShape &s) {
  return ceilDiv(s.n, kMatPanel) * s.k * kMatPanel;
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

constexpr int64_t matmulPackedBFloats(const MatmulShape &s) {
  return matmulDistinctB(s) * matmulPackedBStride(s);
}

/// Per-thread scratch floats: one packed block of A.
constexpr int64_t matmulScratchFloats(const MatmulShape &) {
  return kMatMC * kMatKC;
}

/// Packs B (batched as described by bBatchStride, each matrix [K][N], or
/// [N][K] when transB) into the panel layout above.
inline void matmulPackB(const MatmulShape &s, const float *b, float *packed) {
  const int64_t total = matmulBatchCount(s), stride = matmulPackedBStride(s);
  const int64_t panels = ceilDiv(s.n, kMatPanel);
  // Visit every output batch entry, but pack each distinct B once: the
  // entries mapping to packed index p are first met in increasing order.
  int64_t next = 0;
  for (int64_t e = 0; e < total && next < matmulDistinctB(s); ++e) {
    if (matmulPackedBIndex(s, e) != next)
      continue;
    const float *src = b + matmulBatchOffset(s, s.bBatchStride, e);
    float *dst = packed + next * stride;
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t kk = 0; kk < s.k; ++kk)
        for (int64_t j = 0; j < kMatPanel; ++j) {
          int64_t col = p * kMatPanel + j;
          float v = 0.0f;
          if (col < s.n)
            v = s.transB ? src[col * s.k + kk] : src[kk * s.n + col];
          dst[(p * s.k + kk) * kMatPanel + j] = v;
        }
    ++next;
  }
}

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_SHAPES_H
