//===- Conv2D.h - NCHW fp32 convolution ------------------------*- C++ -*-===//
//
// Four paths, chosen at compile time from the shape (Shapes.h documents the
// packed weight layout of each):
//
//  * Pixel-vector GEMM path (Cg > 1): per image and group, out[Kg x P] =
//    W[Kg x Cg*R*S] * col[Cg*R*S x P] with P = OH*OW output pixels. col is
//    built one 128-row reduction slice of a pixel tile at a time by im2col
//    into the thread's scratch (any stride, dilation, pad), or read straight
//    from the input for 1x1/stride-1/unpadded convs. The microkernel
//    (Gemm.h) holds 8 output channels x 48 pixels in registers, broadcasting
//    packed weights and loading pixel vectors; NCHW output rows are
//    contiguous pixels, so results are stored with plain vector stores.
//
//  * Implicit path (stride 1, wide output rows, e.g. 3x3 on 56x56): the same
//    GEMM and weights, but B rows are read at per-tap offsets from a padded
//    block of input rows instead of an im2col copy (9x less data moved).
//
//  * Channel-vector path (few output pixels, e.g. 7x7 maps): the same GEMM
//    transposed, output channels in the vector lanes and pixels broadcast,
//    so 49 pixels do not waste a quarter of every vector.
//
//  * Depthwise path (Cg == 1): too little reduction for a GEMM. Each input
//    plane is copied once into a zero-padded, stride-phase-split plane so
//    every kernel tap becomes a contiguous vector load over output columns.
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

#include <cstring>

namespace anvil::kernels {

namespace detail {

/// Lanes i of a 16-wide load starting at input column i0 that fall inside
/// [0, w): the rest read as zero padding (masked loads never fault).
ANVIL_INLINE __mmask16 columnsInside(int64_t i0, int64_t w) {
  __mmask16 hi = w - i0 <= 0 ? __mmask16(0) : tailMask(w - i0);
  __mmask16 lo = i0 >= 0     ? __mmask16(0xFFFF)
                 : i0 <= -16 ? __mmask16(0)
                             : __mmask16((0xFFFFu << (-i0)) & 0xFFFFu);
  return hi & lo;
}

/// Fills rows [j0, j1) of the im2col matrix (row j = reduction index
/// (c * R + r) * S + s) for output pixels [p0, p0 + pc) of one image/group,
/// row j at col + (j - j0) * PT. One masked vector op per 16 pixels
/// (out-of-image taps load as zero); stride 2 compacts two loads with a
/// permute, other strides gather.
template <Conv2DShape S, int64_t PT>
void conv2dIm2col(const float *in, float *col, int64_t p0, int64_t pc,
                  int64_t j0, int64_t j1) {
  constexpr int64_t sw = S.strideW;
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                          22, 24, 26, 28, 30);
  const __m512i strided = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32(int(sw)));
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
        for (int64_t x = 0; x < len; x += 16)
          _mm512_mask_storeu_ps(dst + x, tailMask(len - x),
                                _mm512_setzero_ps());
      } else {
        const float *src = plane + ih * S.w;
        for (int64_t x = 0; x < len; x += 16) {
          const __mmask16 m = tailMask(len - x);
          const int64_t i0 = (ow + x) * sw + iwBase; // column of lane 0
          __m512 v;
          if constexpr (sw == 1) {
            v = _mm512_maskz_loadu_ps(m & columnsInside(i0, S.w), src + i0);
          } else if constexpr (sw == 2) {
            __m512 a = _mm512_maskz_loadu_ps(columnsInside(i0, S.w), src + i0);
            __m512 b = _mm512_maskz_loadu_ps(columnsInside(i0 + 16, S.w),
                                             src + i0 + 16);
            v = _mm512_permutex2var_ps(a, evens, b);
          } else {
            __m512i idx = _mm512_add_epi32(strided, _mm512_set1_epi32(int(i0)));
            __mmask16 ok = m &
                           _mm512_cmp_epi32_mask(idx, _mm512_setzero_si512(),
                                                 _MM_CMPINT_NLT) &
                           _mm512_cmp_epi32_mask(
                               idx, _mm512_set1_epi32(int(S.w)), _MM_CMPINT_LT);
            v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), ok, idx, src, 4);
          }
          _mm512_mask_storeu_ps(dst + x, m, v);
        }
      }
      p += len;
      ow = 0;
      ++oh;
    }
  }
}

/// How many chunks to cut each group's output channels into. Units of work
/// are (image, group, pixel tile, channel chunk), split contiguously over T
/// threads; with few units an uneven count leaves a thread idle for a whole
/// unit, so pick the smallest chunking that makes the count a multiple of T
/// (late ResNet layers: one 7x7 tile, 512 channels -> one chunk per thread).
inline int64_t conv2dChannelChunks(int64_t base, int64_t blocks, int T) {
  if (T <= 1 || base >= 8 * T || base % T == 0)
    return 1;
  for (int64_t c = 2; c <= blocks && c <= 4 * T; ++c)
    if ((base * c) % T == 0)
      return c;
  int64_t c = ceilDiv(4 * T, base);
  return c < blocks ? c : blocks;
}

/// Prefetch distance (floats) of the packed weights in the pixel-vector
/// microkernel: half a 128-row block ahead, so the next block's weights are
/// in L1 when the call using them starts.
constexpr int kConvPrefetch = 1024;

template <Conv2DShape S>
void conv2dGemmPath(const float *in, const float *packedW, const float *bias,
                    float *out, const ExecContext &ctx) {
  constexpr int64_t Cg = conv2dInPerGroup(S), Kg = conv2dOutPerGroup(S);
  constexpr int64_t RED = conv2dReduction(S), P = S.oh * S.ow;
  constexpr int64_t PT = conv2dPixelTile(S); // largest tile; im2col row stride
  constexpr int64_t KB = ceilDiv(Kg, kConvMR);
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
  const int64_t tileLen = roundUpTo(ceilDiv(P, numPT), 16);
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
      const float *wG = packedW + g * KB * RED * kConvMR;
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
          conv2dIm2col<S, PT>(inG, col, p0, pc, k0, k0 + kc);
          B = col;
          ldb = PT;
        }
        for (int64_t pp = 0; pp < pc; pp += kConvPanel) {
          const int64_t rem = pc - pp;
          const int nr = int(rem >= kConvPanel ? kConvNR : ceilDiv(rem, 16));
          const __mmask16 lastMask = tailMask(rem - (nr - 1) * 16);
          for (int64_t kb = kb0; kb < kb1; ++kb) {
            const int mr =
                int(Kg - kb * kConvMR < kConvMR ? Kg - kb * kConvMR : kConvMR);
            GemmEpilogue ep{k0 > 0, k0 + kConvKC >= RED,
                            biasG ? biasG + kb * kConvMR : nullptr, 1.0f};
            gemmDispatch<int(kConvMR), int(kConvNR), int(kConvMR),
                         BiasKind::Row, false, false, kConvPrefetch>(
                mr, nr, kc, wG + (k0 * KB + kb * kc) * kConvMR, B + pp, ldb,
                lastMask, outG + kb * kConvMR * P + pp, P, ep);
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
template <Conv2DShape S>
void conv2dImplicitPath(const float *in, const float *packedW,
                        const float *bias, float *out, const ExecContext &ctx) {
  constexpr int64_t Cg = conv2dInPerGroup(S), Kg = conv2dOutPerGroup(S);
  constexpr int64_t RED = conv2dReduction(S), P = S.oh * S.ow;
  constexpr int64_t KB = ceilDiv(Kg, kConvMR);
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
    float *block = scratch + roundUpTo(RED, 16);
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
            for (int64_t x = 0; x < Wp; x += 16) {
              const __mmask16 m = tailMask(Wp - x);
              const int64_t i0 = x - S.padL;
              __m512 v = inside ? _mm512_maskz_loadu_ps(
                                      m & columnsInside(i0, S.w), src + i0)
                                : _mm512_setzero_ps();
              _mm512_mask_storeu_ps(dst + x, m, v);
            }
          }
          // Slack read by the last row's dropped columns: keep it finite.
          for (int64_t x = (rows + halo) * Wp; x < CS; x += 16)
            _mm512_mask_storeu_ps(dstC + x, tailMask(CS - x),
                                  _mm512_setzero_ps());
        }
        built = tile;
      }
      int64_t kb0, kb1;
      ThreadPool::splitRange(KB, int(kChunks), int(chunk), kb0, kb1);
      const float *wG = packedW + g * KB * RED * kConvMR;
      for (int64_t k0 = 0; k0 < RED; k0 += kConvKC) {
        const int64_t kc = RED - k0 < kConvKC ? RED - k0 : kConvKC;
        for (int64_t pp = 0; pp < q; pp += kConvPanel) {
          const int64_t rem = q - pp;
          const int nr = int(rem >= kConvPanel ? kConvNR : ceilDiv(rem, 16));
          const __mmask16 lastMask = tailMask(rem - (nr - 1) * 16);
          for (int64_t kb = kb0; kb < kb1; ++kb) {
            const int mr =
                int(Kg - kb * kConvMR < kConvMR ? Kg - kb * kConvMR : kConvMR);
            GemmEpilogue ep{k0 > 0, false, nullptr, 1.0f};
            gemmDispatch<int(kConvMR), int(kConvNR), int(kConvMR),
                         BiasKind::None, false, true, kConvPrefetch>(
                mr, nr, kc, wG + (k0 * KB + kb * kc) * kConvMR, block + pp, 0,
                lastMask, wide + (kb - kb0) * kConvMR * QS + pp, QS, ep,
                offs + k0);
          }
        }
      }
      // Drop the wide columns, add the bias.
      float *outG = out + (n * S.k + g * Kg) * P + oh0 * S.ow;
      const int64_t kEnd = kb1 * kConvMR < Kg ? kb1 * kConvMR : Kg;
      for (int64_t k = kb0 * kConvMR; k < kEnd; ++k) {
        const __m512 b = _mm512_set1_ps(bias ? bias[g * Kg + k] : 0.0f);
        const float *src = wide + (k - kb0 * kConvMR) * QS;
        float *dst = outG + k * P;
        for (int64_t y = 0; y < rows; ++y)
          for (int64_t x = 0; x < S.ow; x += 16) {
            const __mmask16 m = tailMask(S.ow - x);
            _mm512_mask_storeu_ps(
                dst + y * S.ow + x, m,
                _mm512_add_ps(_mm512_maskz_loadu_ps(m, src + y * Wp + x), b));
          }
      }
    }
  });
}

/// Few pixels: out^T[P x Kg] = col^T[P x RED] * W^T[RED x Kg] with pixels
/// broadcast and 48 output channels per vector panel. The im2col rows (or
/// the input rows, for direct 1x1 convs) are repacked pixel-tile-major,
/// [tile][RED][8], so each microkernel call broadcasts from one contiguous
/// stream; pixels are split into equal tiles of at most 8 (49 = 7 x 7).
/// Results accumulate in scratch as [P][channels] and are transposed into
/// NCHW (plus bias) at the end: P * Kg moves against P * Kg * RED FMAs.
template <Conv2DShape S>
void conv2dChannelVectorPath(const float *in, const float *packedW,
                             const float *bias, float *out,
                             const ExecContext &ctx) {
  constexpr int64_t Cg = conv2dInPerGroup(S), Kg = conv2dOutPerGroup(S);
  constexpr int64_t RED = conv2dReduction(S), P = S.oh * S.ow;
  constexpr int64_t W = kConvCvPanel, panels = ceilDiv(Kg, W);
  constexpr int64_t tiles = ceilDiv(P, kConvMR), MT = ceilDiv(P, tiles);
  constexpr bool direct = conv2dIsDirect1x1(S);
  constexpr int64_t colFloats = direct ? 0 : roundUpTo(RED * P, 16);
  constexpr int64_t packFloats = tiles * RED * kConvMR;
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
          conv2dIm2col<S, P>(inG, col, 0, P, 0, RED);
          rows = col;
        }
        for (int64_t tt = 0; tt < tiles; ++tt) {
          const int64_t p0 = tt * MT, mt = P - p0 < MT ? P - p0 : MT;
          float *dst = at + tt * RED * kConvMR;
          for (int64_t j = 0; j < RED; ++j)
            for (int64_t i = 0; i < mt; ++i)
              dst[j * kConvMR + i] = rows[j * P + p0 + i];
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
          const int64_t rem = Kg - q * W;
          const int nr = int(rem >= W ? kConvNR : ceilDiv(rem, 16));
          const __mmask16 lastMask = tailMask(rem - (nr - 1) * 16);
          // The weights of deep layers (9 MiB for 512x512x3x3) live in L3 or
          // DRAM and each slice is reused only P times: the microkernel
          // calls of this panel fetch the next panel's slice into L2, one
          // prefetch per k spread over the reduction (a burst would fill
          // the line-fill buffers), pixel tile tt taking vector column
          // tt % 3 of each 48-channel row (7 tiles of 7 pixels cover all).
          const int64_t nq = q + 1 < q1 ? q + 1 : q0;
          const int64_t nk = q + 1 < q1 ? k0 : k0 + kConvKC;
          const int64_t nkc = RED - nk < kConvKC ? RED - nk : kConvKC;
          const float *next = wG + (nk * panels + nq * nkc) * W;
          for (int64_t tt = 0; tt < tiles; ++tt) {
            const int64_t p0 = tt * MT;
            const int mr = int(P - p0 < MT ? P - p0 : MT);
            GemmEpilogue ep{k0 > 0, false, nullptr, 1.0f};
            gemmDispatch<int(kConvMR), int(kConvNR), int(kConvMR),
                         BiasKind::None, false, false, 0, 1>(
                mr, nr, kc, at + (tt * RED + k0) * kConvMR,
                wG + (k0 * panels + q * kc) * W, W, lastMask,
                ct + p0 * ldc + (q - q0) * W, ldc, ep, nullptr,
                next + (tt % kConvNR) * 16);
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
      }
    }
  });
}

/// Builds the zero-padded, phase-split copy of one input plane:
/// plane[(y * strideW + phase) * cols + q] = in[y - padT][q * strideW + phase -
/// padL]. Vector copies with masked loads (columns outside the row read as
/// zero); stride 2 compacts two loads with a permute, other strides gather.
template <Conv2DShape S>
void conv2dDwBuildPlane(const float *in, float *plane) {
  constexpr int64_t rows = conv2dDwPlaneRows(S), cols = conv2dDwPlaneCols(S);
  constexpr int64_t sw = S.strideW;
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                          22, 24, 26, 28, 30);
  const __m512i strided = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32(int(sw)));
  for (int64_t y = 0; y < rows; ++y) {
    const int64_t ih = y - S.padT;
    float *dstRow = plane + y * sw * cols;
    if (ih < 0 || ih >= S.h) {
      for (int64_t q = 0; q < sw * cols; q += 16)
        _mm512_mask_storeu_ps(dstRow + q, tailMask(sw * cols - q),
                              _mm512_setzero_ps());
      continue;
    }
    const float *src = in + ih * S.w;
    for (int64_t ph = 0; ph < sw; ++ph) {
      float *dst = dstRow + ph * cols;
      for (int64_t q = 0; q < cols; q += 16) {
        const __mmask16 m = tailMask(cols - q);
        const int64_t i0 = q * sw + ph - S.padL; // input column of lane 0
        __m512 v;
        if constexpr (sw == 1) {
          v = _mm512_maskz_loadu_ps(m & columnsInside(i0, S.w), src + i0);
        } else if constexpr (sw == 2) {
          __m512 a = _mm512_maskz_loadu_ps(columnsInside(i0, S.w), src + i0);
          __m512 b =
              _mm512_maskz_loadu_ps(columnsInside(i0 + 16, S.w), src + i0 + 16);
          v = _mm512_permutex2var_ps(a, evens, b);
        } else {
          __m512i idx = _mm512_add_epi32(strided, _mm512_set1_epi32(int(i0)));
          __mmask16 ok = m &
                         _mm512_cmp_epi32_mask(idx, _mm512_setzero_si512(),
                                               _MM_CMPINT_NLT) &
                         _mm512_cmp_epi32_mask(idx, _mm512_set1_epi32(int(S.w)),
                                               _MM_CMPINT_LT);
          v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), ok, idx, src, 4);
        }
        _mm512_mask_storeu_ps(dst + q, m, v);
      }
    }
  }
}

template <Conv2DShape S>
void conv2dDepthwisePath(const float *in, const float *w, const float *bias,
                         float *out, const ExecContext &ctx) {
  constexpr int64_t Kg = conv2dOutPerGroup(S);
  constexpr int64_t cols = conv2dDwPlaneCols(S);
  constexpr int64_t V = 4; // output vectors per step: 64 pixels of one row
  parallelFor(ctx, S.n * S.k, [&](int64_t ub, int64_t ue, int t) {
    float *plane = threadScratch(ctx, t);
    int64_t built = -1;
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t n = u / S.k, k = u % S.k, g = k / Kg;
      const int64_t src = n * S.c + g;
      if (src != built)
        conv2dDwBuildPlane<S>(in + src * S.h * S.w, plane);
      built = src;
      const float *wk = w + k * S.r * S.s;
      const __m512 b0 = _mm512_set1_ps(bias ? bias[k] : 0.0f);
      float *y = out + u * S.oh * S.ow;
      for (int64_t oh = 0; oh < S.oh; ++oh) {
        for (int64_t ow0 = 0; ow0 < S.ow; ow0 += V * 16) {
          __mmask16 m[V];
          __m512 acc[V];
          ANVIL_UNROLL
          for (int v = 0; v < V; ++v) {
            m[v] = ow0 + v * 16 < S.ow ? tailMask(S.ow - ow0 - v * 16) : 0;
            acc[v] = b0;
          }
          for (int64_t r = 0; r < S.r; ++r) {
            const float *rowBase =
                plane + (oh * S.strideH + r * S.dilH) * S.strideW * cols;
            for (int64_t s = 0; s < S.s; ++s) {
              const int64_t tap = s * S.dilW;
              const float *x =
                  rowBase + (tap % S.strideW) * cols + tap / S.strideW + ow0;
              const __m512 wv = _mm512_set1_ps(wk[r * S.s + s]);
              ANVIL_UNROLL
              for (int v = 0; v < V; ++v)
                acc[v] = _mm512_fmadd_ps(
                    wv, _mm512_maskz_loadu_ps(m[v], x + v * 16), acc[v]);
            }
          }
          ANVIL_UNROLL
          for (int v = 0; v < V; ++v)
            _mm512_mask_storeu_ps(y + oh * S.ow + ow0 + v * 16, m[v], acc[v]);
        }
      }
    }
  });
}

} // namespace detail

/// NCHW conv2d with weights packed by conv2dPackWeights; bias is [K] or null.
template <Conv2DShape S>
void conv2d_f32(const float *in, const float *packedW, const float *bias,
                float *out, const ExecContext &pctx) {
  // Tiny convs run on the caller, planned for one thread.
  constexpr int64_t flops =
      2 * S.n * S.k * S.oh * S.ow * conv2dInPerGroup(S) * S.r * S.s;
  const ExecContext ctx = contextForWork(pctx, flops);
  if constexpr (conv2dUsesDepthwisePath(S))
    detail::conv2dDepthwisePath<S>(in, packedW, bias, out, ctx);
  else if constexpr (conv2dUsesChannelVectorPath(S))
    detail::conv2dChannelVectorPath<S>(in, packedW, bias, out, ctx);
  else if constexpr (conv2dUsesImplicitPath(S))
    detail::conv2dImplicitPath<S>(in, packedW, bias, out, ctx);
  else
    detail::conv2dGemmPath<S>(in, packedW, bias, out, ctx);
}

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_CONV2D_H
