//===- Conv2D.h - NCHW fp32 convolution ------------------------*- C++ -*-===//
//
// Four paths; the plan (Shapes.h: Conv2DPlan, chosen by the compiler) names
// one, with the register tile and vector width, and Shapes.h documents the
// packed weight layout of each. L = I::kLanes floats per vector.
//
//  * Gemm path: per image and group, out[Kg x P] = W[Kg x Cg*R*S] *
//    col[Cg*R*S x P] with P = OH*OW output pixels. col is built one
//    128-row reduction slice of a pixel tile at a time by im2col into the
//    thread's scratch (any stride, dilation, pad), or read straight from the
//    input for 1x1/stride-1/unpadded convs. The microkernel (Gemm.h) holds
//    mr output channels x nr*L pixels in registers, broadcasting packed
//    weights and loading pixel vectors; NCHW output rows are contiguous
//    pixels, so results are stored with plain vector stores.
//
//  * Implicit path (stride 1; fast for wide rows, e.g. 3x3 on 56x56): the
//    same GEMM and weights, but B rows are read at per-tap offsets from a
//    padded block of input rows instead of an im2col copy (9x less data
//    moved).
//
//  * ChannelVector path (fast for few output pixels, e.g. 7x7 maps): the
//    same GEMM transposed, output channels in the vector lanes and pixels
//    broadcast, so 49 pixels do not waste a quarter of every vector.
//
//  * Depthwise path (Cg == 1): too little reduction for a GEMM. Each input
//    plane is copied once into a zero-padded, stride-phase-split plane so
//    every kernel tap becomes a contiguous vector load over output columns.
//
//  * Winograd path (3x3, stride 1): F(4x4, 3x3), 36 GEMMs over transformed
//    tiles (Winograd.h).
//
// Work is split statically over (image, group, pixel tile, output-channel
// chunk); output channels are chunked only when pixel tiles alone cannot
// give every thread an equal share (late ResNet layers).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_CONV2D_H
#define ANVIL_KERNELS_CONV2D_H

#include "Common.h"
#include "Gemm.h"
#include "Winograd.h"

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {

namespace detail {

/// Fills rows [j0, j1) of the im2col matrix (row j = reduction index
/// (c * R + r) * S + s) for output pixels [p0, p0 + pc) of one image/group,
/// row j at col + (j - j0) * PT. One vector op per L pixels (out-of-image
/// taps load as zero).
template <class I, Conv2DShape S, int64_t PT>
void conv2dIm2col(const float *in, float *col, int64_t p0, int64_t pc,
                  int64_t j0, int64_t j1) {
  constexpr int64_t L = I::kLanes;
  for (int64_t j = j0; j < j1; ++j) {
    const int64_t c = j / (S.r * S.s), r = (j / S.s) % S.r, s = j % S.s;
    float *row = col + (j - j0) * PT;
    const float *plane = in + c * S.h * S.w;
    const int64_t iwBase = s * S.dilW - S.padL;
    int64_t oh = p0 / S.ow, ow = p0 % S.ow;
    for (int64_t p = 0; p < pc;) {
      const int64_t len = S.ow - ow < pc - p ? S.ow - ow : pc - p;
      const int64_t ih = oh * S.strideH - S.padT + r * S.dilH;
      float *dst = row + p;
      if (ih < 0 || ih >= S.h) {
        for (int64_t x = 0; x < len; x += L)
          I::maskStoreu(dst + x, I::tailMask(len - x), I::zero());
      } else {
        const float *src = plane + ih * S.w;
        for (int64_t x = 0; x < len; x += L) {
          const typename I::M m = I::tailMask(len - x);
          const int64_t i0 = (ow + x) * S.strideW + iwBase; // lane 0's column
          I::maskStoreu(dst + x, m,
                        loadColumns<I, S.strideW>(src, i0, S.w, m));
        }
      }
      p += len;
      ow = 0;
      ++oh;
    }
  }
}

template <class I, Conv2DShape S, Conv2DPlan PL, PostOpList PO>
void conv2dGemmPath(const float *in, const float *packedW, const float *bias,
                    float *out, const ExecContext &ctx,
                    const float *const *post) {
  constexpr int64_t L = I::kLanes, MR = PL.mr, NR = PL.nr, PANEL = NR * L;
  constexpr int64_t Cg = conv2dInPerGroup(S), Kg = conv2dOutPerGroup(S);
  constexpr int64_t RED = conv2dReduction(S), P = S.oh * S.ow;
  constexpr int64_t PT = conv2dPixelTile(S, PL); // largest tile; row stride
  constexpr int64_t KB = ceilDiv(Kg, MR);
  constexpr bool direct = conv2dIsDirect1x1(S);
  const int T = numThreads(ctx);
  // With more threads than tiles, split pixels further (no duplicated
  // im2col, each thread reads part of the input) while tiles stay large
  // enough (256 pixels) that their partial vectors do not unbalance the
  // threads; otherwise channel chunks share the work out exactly. Channel
  // chunks of an im2col conv each rebuild the tile's im2col, also when one
  // thread runs several of them (the caller runs every chunk when the
  // workers are descheduled); pixel tiles each read all the weights. When
  // the im2col is the larger of the two (Kg <= P), tiles of 64 pixels are
  // enough.
  constexpr int64_t minTile = !direct && Kg <= P ? 64 : 256;
  int64_t numPT = ceilDiv(P, PT);
  if (S.n * S.groups * numPT < T) {
    const int64_t want = ceilDiv(T, S.n * S.groups);
    if (want > numPT && P / want >= minTile)
      numPT = want;
  }
  const int64_t tileLen = roundUpTo(ceilDiv(P, numPT), L);
  numPT = ceilDiv(P, tileLen);
  const int64_t base = S.n * S.groups * numPT;
  const int64_t kChunks = conv2dChannelChunks(base, KB, T);
  const int64_t units = base * kChunks;

  parallelFor(ctx, units, [&](int64_t ub, int64_t ue, int t) {
    float *col = direct ? nullptr : threadScratch(ctx, t);
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t chunk = u % kChunks, tile = u / kChunks;
      const int64_t pt = tile % numPT, ng = tile / numPT;
      const int64_t g = ng % S.groups, n = ng / S.groups;
      const int64_t p0 = pt * tileLen;
      const int64_t pc = P - p0 < tileLen ? P - p0 : tileLen;
      const float *inG = in + (n * S.c + g * Cg) * S.h * S.w;
      int64_t kb0, kb1;
      ThreadPool::splitRange(KB, int(kChunks), int(chunk), kb0, kb1);
      float *outG = out + (n * S.k + g * Kg) * P + p0;
      const float *wG = packedW + g * KB * RED * MR;
      const float *biasG = bias ? bias + g * Kg : nullptr;
      // Reduction slices outermost: im2col builds only the slice's rows, so
      // a tile can span a whole 28x28 or 14x14 map and every weight is read
      // once per tile, not once per small tile.
      for (int64_t k0 = 0; k0 < RED; k0 += kConvKC) {
        const int64_t kc = RED - k0 < kConvKC ? RED - k0 : kConvKC;
        const float *B;
        int64_t ldb;
        if constexpr (direct) {
          B = inG + k0 * P + p0;
          ldb = P;
        } else {
          conv2dIm2col<I, S, PT>(inG, col, p0, pc, k0, k0 + kc);
          B = col;
          ldb = PT;
        }
        for (int64_t pp = 0; pp < pc; pp += PANEL) {
          const GemmCols nc = gemmCols<I>(pc - pp, NR);
          for (int64_t kb = kb0; kb < kb1; ++kb) {
            const int mr = int(Kg - kb * MR < MR ? Kg - kb * MR : MR);
            GemmEpilogue ep{k0 > 0, k0 + kConvKC >= RED,
                            biasG ? biasG + kb * MR : nullptr, 1.0f, post,
                            out};
            gemmDispatch<I, int(MR), int(NR), int(MR), BiasKind::Row, false,
                         false, kConvPrefetch, 0, PO>(
                mr, nc.nr, kc, wG + (k0 * KB + kb * kc) * MR, B + pp, ldb,
                nc.lastCount, outG + kb * MR * P + pp, P, ep);
          }
        }
      }
    }
  });
}

/// Stride-1 convs without im2col. For a tile of output rows [oh0, oh1) the
/// input rows they need are copied once, zero padded, into a block with
/// rows of Wp = OW + (S-1)*dilW columns. Output pixel (oh, ow) becomes wide
/// pixel q = (oh - oh0) * Wp + ow, and tap (c, r, s) of every wide pixel is
/// block[c][q + r*dilH*Wp + s*dilW]: a contiguous row at a per-tap offset,
/// which the indexed microkernel reads directly. The Wp - OW extra columns
/// per row are computed and dropped when the wide results are copied out.
template <class I, Conv2DShape S, Conv2DPlan PL, PostOpList PO>
void conv2dImplicitPath(const float *in, const float *packedW,
                        const float *bias, float *out, const ExecContext &ctx,
                        const float *const *post) {
  using V = typename I::V;
  constexpr int64_t L = I::kLanes, MR = PL.mr, NR = PL.nr, PANEL = NR * L;
  constexpr int64_t Cg = conv2dInPerGroup(S), Kg = conv2dOutPerGroup(S);
  constexpr int64_t RED = conv2dReduction(S), P = S.oh * S.ow;
  constexpr int64_t KB = ceilDiv(Kg, MR);
  constexpr int64_t Wp = conv2dImplicitWidth(S);
  constexpr int64_t TR = conv2dImplicitRows(S);
  constexpr int64_t CS = conv2dImplicitChannelFloats(S);
  constexpr int64_t QS = conv2dImplicitResultFloats(S);
  constexpr int64_t halo = (S.r - 1) * S.dilH;
  const int T = numThreads(ctx);
  // Split rows further when tiles alone cannot feed the threads (keeping
  // at least 4 rows per tile); channel chunks cover the rest.
  int64_t numT = ceilDiv(S.oh, TR);
  if (S.n * S.groups * numT < T) {
    const int64_t want = ceilDiv(T, S.n * S.groups);
    if (want > numT && S.oh / want >= 4)
      numT = want;
  }
  const int64_t rowsPer = ceilDiv(S.oh, numT);
  numT = ceilDiv(S.oh, rowsPer);
  const int64_t base = S.n * S.groups * numT;
  const int64_t kChunks = conv2dChannelChunks(base, KB, T);

  parallelFor(ctx, base * kChunks, [&](int64_t ub, int64_t ue, int t) {
    float *scratch = threadScratch(ctx, t);
    int32_t *offs = reinterpret_cast<int32_t *>(scratch);
    float *block = scratch + roundUpTo(RED, kAlignFloats);
    float *wide = block + Cg * CS;
    for (int64_t j = 0; j < RED; ++j) {
      const int64_t c = j / (S.r * S.s), r = (j / S.s) % S.r, s = j % S.s;
      offs[j] = int32_t(c * CS + r * S.dilH * Wp + s * S.dilW);
    }
    int64_t built = -1;
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t chunk = u % kChunks, tile = u / kChunks;
      const int64_t rt = tile % numT, ng = tile / numT;
      const int64_t g = ng % S.groups, n = ng / S.groups;
      const int64_t oh0 = rt * rowsPer;
      const int64_t rows = S.oh - oh0 < rowsPer ? S.oh - oh0 : rowsPer;
      const int64_t q = rows * Wp; // wide pixels of this tile
      if (tile != built) {
        const float *inG = in + (n * S.c + g * Cg) * S.h * S.w;
        for (int64_t c = 0; c < Cg; ++c) {
          float *dstC = block + c * CS;
          for (int64_t y = 0; y < rows + halo; ++y) {
            const int64_t ih = oh0 + y - S.padT;
            float *dst = dstC + y * Wp;
            const float *src = inG + (c * S.h + ih) * S.w;
            const bool inside = ih >= 0 && ih < S.h;
            for (int64_t x = 0; x < Wp; x += L) {
              const typename I::M m = I::tailMask(Wp - x);
              const V v =
                  inside ? loadColumns<I, 1>(src, x - S.padL, S.w, m)
                         : I::zero();
              I::maskStoreu(dst + x, m, v);
            }
          }
          // Slack read by the last row's dropped columns: keep it finite.
          for (int64_t x = (rows + halo) * Wp; x < CS; x += L)
            I::maskStoreu(dstC + x, I::tailMask(CS - x), I::zero());
        }
        built = tile;
      }
      int64_t kb0, kb1;
      ThreadPool::splitRange(KB, int(kChunks), int(chunk), kb0, kb1);
      const float *wG = packedW + g * KB * RED * MR;
      for (int64_t k0 = 0; k0 < RED; k0 += kConvKC) {
        const int64_t kc = RED - k0 < kConvKC ? RED - k0 : kConvKC;
        for (int64_t pp = 0; pp < q; pp += PANEL) {
          const GemmCols nc = gemmCols<I>(q - pp, NR);
          for (int64_t kb = kb0; kb < kb1; ++kb) {
            const int mr = int(Kg - kb * MR < MR ? Kg - kb * MR : MR);
            GemmEpilogue ep{k0 > 0, false, nullptr, 1.0f, nullptr, nullptr};
            gemmDispatch<I, int(MR), int(NR), int(MR), BiasKind::None, false,
                         true, kConvPrefetch>(
                mr, nc.nr, kc, wG + (k0 * KB + kb * kc) * MR, block + pp, 0,
                nc.lastCount, wide + (kb - kb0) * MR * QS + pp, QS, ep,
                offs + k0);
          }
        }
      }
      // Drop the wide columns, add the bias, apply the post-ops.
      float *outG = out + (n * S.k + g * Kg) * P + oh0 * S.ow;
      const int64_t kEnd = kb1 * MR < Kg ? kb1 * MR : Kg;
      for (int64_t k = kb0 * MR; k < kEnd; ++k) {
        const V b = I::set1(bias ? bias[g * Kg + k] : 0.0f);
        const float *src = wide + (k - kb0 * MR) * QS;
        float *dst = outG + k * P;
        for (int64_t y = 0; y < rows; ++y)
          for (int64_t x = 0; x < S.ow; x += L) {
            const typename I::M m = I::tailMask(S.ow - x);
            V v = I::add(I::maskzLoadu(m, src + y * Wp + x), b);
            if constexpr (PO.count > 0)
              v = applyPostOps<I, PO>(v, post, dst + y * S.ow + x - out, m,
                                      S.ow - x >= L);
            I::maskStoreu(dst + y * S.ow + x, m, v);
          }
      }
    }
  });
}

/// Few pixels: out^T[P x Kg] = col^T[P x RED] * W^T[RED x Kg] with pixels
/// broadcast and nr*L output channels per vector panel. The im2col rows (or
/// the input rows, for direct 1x1 convs) are repacked pixel-tile-major,
/// [tile][RED][mr], so each microkernel call broadcasts from one contiguous
/// stream; pixels are split into equal tiles of at most mr (49 = 7 x 7 for
/// mr = 8). Results accumulate in scratch as [P][channels] and are
/// transposed into NCHW (plus bias) at the end: P * Kg moves against
/// P * Kg * RED FMAs.
template <class I, Conv2DShape S, Conv2DPlan PL, PostOpList PO>
void conv2dChannelVectorPath(const float *in, const float *packedW,
                             const float *bias, float *out,
                             const ExecContext &ctx,
                             const float *const *post) {
  constexpr int64_t MR = PL.mr, NR = PL.nr;
  constexpr int64_t Cg = conv2dInPerGroup(S), Kg = conv2dOutPerGroup(S);
  constexpr int64_t RED = conv2dReduction(S), P = S.oh * S.ow;
  constexpr int64_t W = conv2dPackedWidth(PL), panels = ceilDiv(Kg, W);
  constexpr int64_t tiles = ceilDiv(P, MR), MT = ceilDiv(P, tiles);
  constexpr bool direct = conv2dIsDirect1x1(S);
  constexpr int64_t colFloats = direct ? 0 : roundUpTo(RED * P, kAlignFloats);
  constexpr int64_t packFloats = roundUpTo(tiles * RED * MR, kAlignFloats);
  // Cache lines (16 floats) per packed weight row, for the prefetch below.
  constexpr int64_t lines = ceilDiv(W, 16);
  constexpr int64_t base = S.n * S.groups;
  const int64_t kChunks = conv2dChannelChunks(base, panels, numThreads(ctx));
  parallelFor(ctx, base * kChunks, [&](int64_t ub, int64_t ue, int t) {
    float *col = threadScratch(ctx, t);
    float *at = col + colFloats;
    float *ct = at + packFloats;
    int64_t built = -1;
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t chunk = u % kChunks, ng = u / kChunks;
      const int64_t g = ng % S.groups, n = ng / S.groups;
      if (ng != built) {
        const float *inG = in + (n * S.c + g * Cg) * S.h * S.w;
        const float *rows = inG; // direct: rows of H*W == P pixels
        if constexpr (!direct) {
          conv2dIm2col<I, S, P>(inG, col, 0, P, 0, RED);
          rows = col;
        }
        for (int64_t tt = 0; tt < tiles; ++tt) {
          const int64_t p0 = tt * MT, mt = P - p0 < MT ? P - p0 : MT;
          float *dst = at + tt * RED * MR;
          for (int64_t j = 0; j < RED; ++j)
            for (int64_t i = 0; i < mt; ++i)
              dst[j * MR + i] = rows[j * P + p0 + i];
        }
        built = ng;
      }
      int64_t q0, q1;
      ThreadPool::splitRange(panels, int(kChunks), int(chunk), q0, q1);
      const int64_t ldc = (q1 - q0) * W;
      const float *wG = packedW + g * panels * RED * W;
      for (int64_t k0 = 0; k0 < RED; k0 += kConvKC) {
        const int64_t kc = RED - k0 < kConvKC ? RED - k0 : kConvKC;
        for (int64_t q = q0; q < q1; ++q) {
          const GemmCols nc = gemmCols<I>(Kg - q * W, NR);
          // The weights of deep layers (9 MiB for 512x512x3x3) live in L3 or
          // DRAM and each slice is reused only P times: the microkernel
          // calls of this panel fetch the next panel's slice into L2, one
          // prefetch per k spread over the reduction (a burst would fill
          // the line-fill buffers), pixel tile tt taking cache line
          // tt % lines of each weight row (7 tiles of 7 pixels cover the 3
          // lines of a 48-channel row).
          const int64_t nq = q + 1 < q1 ? q + 1 : q0;
          const int64_t nk = q + 1 < q1 ? k0 : k0 + kConvKC;
          const int64_t nkc = RED - nk < kConvKC ? RED - nk : kConvKC;
          const float *next = wG + (nk * panels + nq * nkc) * W;
          for (int64_t tt = 0; tt < tiles; ++tt) {
            const int64_t p0 = tt * MT;
            const int mr = int(P - p0 < MT ? P - p0 : MT);
            GemmEpilogue ep{k0 > 0, false, nullptr, 1.0f, nullptr, nullptr};
            gemmDispatch<I, int(MR), int(NR), int(MR), BiasKind::None, false,
                         false, 0, 1>(
                mr, nc.nr, kc, at + (tt * RED + k0) * MR,
                wG + (k0 * panels + q * kc) * W, W, nc.lastCount,
                ct + p0 * ldc + (q - q0) * W, ldc, ep, nullptr,
                next + (tt % lines) * 16);
          }
        }
      }
      float *outG = out + (n * S.k + g * Kg) * P;
      const int64_t kEnd = q1 * W < Kg ? q1 * W : Kg;
      for (int64_t k = q0 * W; k < kEnd; ++k) {
        const float b = bias ? bias[g * Kg + k] : 0.0f;
        const float *src = ct + (k - q0 * W);
        for (int64_t p = 0; p < P; ++p)
          outG[k * P + p] = src[p * ldc] + b;
        applyPostOpsInPlace<I, PO>(out, outG + k * P - out, P, post);
      }
    }
  });
}

/// Builds the zero-padded, phase-split copy of one input plane:
/// plane[(y * strideW + phase) * cols + q] = in[y - padT][q * strideW + phase -
/// padL], one vector (loadColumns) per L slots.
template <class I, Conv2DShape S>
void conv2dDwBuildPlane(const float *in, float *plane) {
  constexpr int64_t L = I::kLanes;
  constexpr int64_t rows = conv2dDwPlaneRows(S), cols = conv2dDwPlaneCols(S);
  constexpr int64_t sw = S.strideW;
  for (int64_t y = 0; y < rows; ++y) {
    const int64_t ih = y - S.padT;
    float *dstRow = plane + y * sw * cols;
    if (ih < 0 || ih >= S.h) {
      for (int64_t q = 0; q < sw * cols; q += L)
        I::maskStoreu(dstRow + q, I::tailMask(sw * cols - q), I::zero());
      continue;
    }
    const float *src = in + ih * S.w;
    for (int64_t ph = 0; ph < sw; ++ph) {
      float *dst = dstRow + ph * cols;
      for (int64_t q = 0; q < cols; q += L) {
        const typename I::M m = I::tailMask(cols - q);
        const int64_t i0 = q * sw + ph - S.padL; // input column of lane 0
        I::maskStoreu(dst + q, m, loadColumns<I, sw>(src, i0, S.w, m));
      }
    }
  }
}

/// nr vectors of output columns per step, one weight broadcast per tap.
template <class I, Conv2DShape S, Conv2DPlan PL, PostOpList PO>
void conv2dDepthwisePath(const float *in, const float *w, const float *bias,
                         float *out, const ExecContext &ctx,
                         const float *const *post) {
  using V = typename I::V;
  constexpr int64_t L = I::kLanes, NV = PL.nr;
  constexpr int64_t Kg = conv2dOutPerGroup(S);
  constexpr int64_t cols = conv2dDwPlaneCols(S);
  parallelFor(ctx, S.n * S.k, [&](int64_t ub, int64_t ue, int t) {
    float *plane = threadScratch(ctx, t);
    int64_t built = -1;
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t n = u / S.k, k = u % S.k, g = k / Kg;
      const int64_t src = n * S.c + g;
      if (src != built)
        conv2dDwBuildPlane<I, S>(in + src * S.h * S.w, plane);
      built = src;
      const float *wk = w + k * S.r * S.s;
      const V b0 = I::set1(bias ? bias[k] : 0.0f);
      float *y = out + u * S.oh * S.ow;
      for (int64_t oh = 0; oh < S.oh; ++oh) {
        for (int64_t ow0 = 0; ow0 < S.ow; ow0 += NV * L) {
          typename I::M m[NV];
          V acc[NV];
          ANVIL_UNROLL
          for (int v = 0; v < NV; ++v) {
            m[v] = I::tailMask(S.ow - ow0 - v * L);
            acc[v] = b0;
          }
          for (int64_t r = 0; r < S.r; ++r) {
            const float *rowBase =
                plane + (oh * S.strideH + r * S.dilH) * S.strideW * cols;
            for (int64_t s = 0; s < S.s; ++s) {
              const int64_t tap = s * S.dilW;
              const float *x =
                  rowBase + (tap % S.strideW) * cols + tap / S.strideW + ow0;
              const V wv = I::set1(wk[r * S.s + s]);
              ANVIL_UNROLL
              for (int v = 0; v < NV; ++v)
                acc[v] = I::fmadd(wv, I::maskzLoadu(m[v], x + v * L), acc[v]);
            }
          }
          ANVIL_UNROLL
          for (int v = 0; v < NV; ++v) {
            float *dst = y + oh * S.ow + ow0 + v * L;
            if constexpr (PO.count > 0)
              acc[v] = applyPostOps<I, PO>(acc[v], post, dst - out, m[v],
                                           S.ow - ow0 - v * L >= L);
            I::maskStoreu(dst, m[v], acc[v]);
          }
        }
      }
    }
  });
}

} // namespace detail

/// NCHW conv2d with weights packed by conv2dPackWeights(S, P, ...); bias is
/// [K] or null; then the post-ops PO, whose binary steps read post[operand]
/// (PostOps.h). Scratch: conv2dScratchFloats(S, P) per thread.
template <class I, Conv2DShape S, Conv2DPlan P, PostOpList PO = PostOpList{}>
void conv2d_f32(const float *in, const float *packedW, const float *bias,
                float *out, const ExecContext &pctx,
                const float *const *post = nullptr) {
  static_assert(P.lanes == I::kLanes, "plan made for another vector width");
  static_assert(conv2dPlanIsValid(S, P), "conv2d plan invalid for the shape");
  // Tiny convs run on the caller, planned for one thread.
  const ExecContext ctx = contextForWork(pctx, conv2dFlops(S));
  if constexpr (P.path == Conv2DPath::Depthwise)
    detail::conv2dDepthwisePath<I, S, P, PO>(in, packedW, bias, out, ctx,
                                             post);
  else if constexpr (P.path == Conv2DPath::Winograd)
    detail::conv2dWinogradPath<I, S, P, PO>(in, packedW, bias, out, ctx,
                                            post);
  else if constexpr (P.path == Conv2DPath::ChannelVector)
    detail::conv2dChannelVectorPath<I, S, P, PO>(in, packedW, bias, out, ctx,
                                                 post);
  else if constexpr (P.path == Conv2DPath::Implicit)
    detail::conv2dImplicitPath<I, S, P, PO>(in, packedW, bias, out, ctx,
                                            post);
  else
    detail::conv2dGemmPath<I, S, P, PO>(in, packedW, bias, out, ctx, post);
}

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_CONV2D_H
