//===- Conv2D.h - NCHW fp32 convolution ------------------------*- C++ -*-===//
//
// Two paths, chosen at compile time from the shape (Shapes.h documents the
// packed weight layout of each):
//
//  * GEMM path (Cg > 1): per image and group, out[Kg x P] = W[Kg x Cg*R*S] *
//    col[Cg*R*S x P] with P = OH*OW output pixels. col is built per tile of
//    pixels by im2col into the thread's scratch (any stride, dilation, pad),
//    or read straight from the input for 1x1/stride-1/unpadded convs. The
//    microkernel (Gemm.h) holds 8 output channels x 48 pixels in registers,
//    broadcasting packed weights and loading pixel vectors; NCHW output rows
//    are contiguous pixels, so results are stored with plain vector stores.
//
//  * Depthwise path (Cg == 1): too little reduction for a GEMM. Each input
//    plane is copied once into a zero-padded, stride-phase-split plane so
//    every kernel tap becomes a contiguous vector load over output columns.
//
// Work is split statically over (image, group, pixel tile, output-channel
// chunk); the chunking of output channels only kicks in when there are too
// few pixel tiles to keep every thread busy (late ResNet layers).
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

/// Fills col[Cg*R*S][PT] for output pixels [p0, p0 + pc) of one image/group.
/// One masked vector op per 16 pixels (out-of-image taps load as zero);
/// stride 2 compacts two loads with a permute, other strides gather.
template <Conv2DShape S>
void conv2dIm2col(const float *in, float *col, int64_t p0, int64_t pc) {
  constexpr int64_t Cg = conv2dInPerGroup(S), PT = conv2dPixelTile(S);
  constexpr int64_t sw = S.strideW;
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                          20, 22, 24, 26, 28, 30);
  const __m512i strided = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32(int(sw)));
  for (int64_t c = 0; c < Cg; ++c)
    for (int64_t r = 0; r < S.r; ++r)
      for (int64_t s = 0; s < S.s; ++s) {
        float *row = col + ((c * S.r + r) * S.s + s) * PT;
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
                v = _mm512_maskz_loadu_ps(m & columnsInside(i0, S.w),
                                          src + i0);
              } else if constexpr (sw == 2) {
                __m512 a = _mm512_maskz_loadu_ps(columnsInside(i0, S.w),
                                                 src + i0);
                __m512 b = _mm512_maskz_loadu_ps(columnsInside(i0 + 16, S.w),
                                                 src + i0 + 16);
                v = _mm512_permutex2var_ps(a, evens, b);
              } else {
                __m512i idx =
                    _mm512_add_epi32(strided, _mm512_set1_epi32(int(i0)));
                __mmask16 ok =
                    m &
                    _mm512_cmp_epi32_mask(idx, _mm512_setzero_si512(),
                                          _MM_CMPINT_NLT) &
                    _mm512_cmp_epi32_mask(idx, _mm512_set1_epi32(int(S.w)),
                                          _MM_CMPINT_LT);
                v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), ok, idx,
                                             src, 4);
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

template <Conv2DShape S>
void conv2dGemmPath(const float *in, const float *packedW, const float *bias,
                    float *out, const ExecContext &ctx) {
  constexpr int64_t Cg = conv2dInPerGroup(S), Kg = conv2dOutPerGroup(S);
  constexpr int64_t RED = conv2dReduction(S), P = S.oh * S.ow;
  constexpr int64_t PT = conv2dPixelTile(S), numPT = ceilDiv(P, PT);
  constexpr int64_t KB = ceilDiv(Kg, kConvMR);
  constexpr bool direct = conv2dIsDirect1x1(S);
  constexpr int64_t base = S.n * S.groups * numPT;
  const int64_t kChunks = conv2dChannelChunks(base, KB, numThreads(ctx));
  const int64_t units = base * kChunks;

  parallelFor(ctx, units, [&](int64_t ub, int64_t ue, int t) {
    float *col = direct ? nullptr : threadScratch(ctx, t);
    int64_t builtTile = -1;
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t chunk = u % kChunks, tile = u / kChunks;
      const int64_t pt = tile % numPT, ng = tile / numPT;
      const int64_t g = ng % S.groups, n = ng / S.groups;
      const int64_t p0 = pt * PT, pc = P - p0 < PT ? P - p0 : PT;
      const float *inG = in + (n * S.c + g * Cg) * S.h * S.w;
      const float *B;
      int64_t ldb;
      if constexpr (direct) {
        B = inG + p0;
        ldb = S.h * S.w;
      } else {
        // Consecutive units of one thread often share a tile (channel
        // chunks of the same pixels): build it once.
        if (tile != builtTile)
          conv2dIm2col<S>(inG, col, p0, pc);
        builtTile = tile;
        B = col;
        ldb = PT;
      }
      int64_t kb0, kb1;
      ThreadPool::splitRange(KB, int(kChunks), int(chunk), kb0, kb1);
      float *outG = out + (n * S.k + g * Kg) * P + p0;
      const float *wG = packedW + g * KB * RED * kConvMR;
      const float *biasG = bias ? bias + g * Kg : nullptr;
      for (int64_t k0 = 0; k0 < RED; k0 += kConvKC) {
        const int64_t kc = RED - k0 < kConvKC ? RED - k0 : kConvKC;
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
                         BiasKind::Row, false>(
                mr, nr, kc, wG + (kb * RED + k0) * kConvMR, B + k0 * ldb + pp,
                ldb, lastMask, outG + kb * kConvMR * P + pp, P, ep);
          }
        }
      }
    }
  });
}

/// Builds the zero-padded, phase-split copy of one input plane:
/// plane[(y * strideW + phase) * cols + q] = in[y - padT][q * strideW + phase - padL].
/// Vector copies with masked loads (columns outside the row read as zero);
/// stride 2 compacts two loads with a permute, other strides gather.
template <Conv2DShape S>
void conv2dDwBuildPlane(const float *in, float *plane) {
  constexpr int64_t rows = conv2dDwPlaneRows(S), cols = conv2dDwPlaneCols(S);
  constexpr int64_t sw = S.strideW;
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                          20, 22, 24, 26, 28, 30);
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
          __m512 b = _mm512_maskz_loadu_ps(columnsInside(i0 + 16, S.w),
                                           src + i0 + 16);
          v = _mm512_permutex2var_ps(a, evens, b);
        } else {
          __m512i idx = _mm512_add_epi32(strided, _mm512_set1_epi32(int(i0)));
          __mmask16 ok =
              m &
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
              const float *x = rowBase + (tap % S.strideW) * cols +
                               tap / S.strideW + ow0;
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
                float *out, const ExecContext &ctx) {
  if constexpr (conv2dUsesDepthwisePath(S))
    detail::conv2dDepthwisePath<S>(in, packedW, bias, out, ctx);
  else
    detail::conv2dGemmPath<S>(in, packedW, bias, out, ctx);
}

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_CONV2D_H
