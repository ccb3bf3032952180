//===- Pool.h - Max / average pooling, global pooling ----------*- C++ -*-===//
//
// NCHW pooling. Windows are clipped to the input, so padding never reads
// memory and ceil-mode windows that run off the end are fine. Vectorized over
// 16 output columns: stride-1 taps are masked loads, stride 2 two loads and a
// permute, other strides masked gathers. Average pooling divides by the
// number of taps inside the input (count_include_pad = 0) or inside the
// padded input (= 1), as ONNX Runtime does: taps that a ceil-mode window puts
// beyond the end padding never count. An empty max window gives -FLT_MAX.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_POOL_H
#define ANVIL_KERNELS_POOL_H

#include "Common.h"

#include <cfloat>

namespace anvil::kernels {

namespace detail {

template <PoolShape S, bool IsMax>
void poolImpl(const float *in, float *out, const ExecContext &ctx) {
  constexpr int64_t rowVecs = ceilDiv(S.ow, 16);
  constexpr int64_t planes = S.n * S.c;
  const __m512i lane =
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                          22, 24, 26, 28, 30);
  // Lanes of a 16-float load at column i0 that lie inside the row.
  auto inside = [](int64_t i0) {
    __mmask16 hi = S.w - i0 <= 0 ? __mmask16(0) : tailMask(S.w - i0);
    __mmask16 lo = i0 >= 0     ? __mmask16(0xFFFF)
                   : i0 <= -16 ? __mmask16(0)
                               : __mmask16((0xFFFFu << (-i0)) & 0xFFFFu);
    return __mmask16(hi & lo);
  };
  parallelFor(
      ctx, planes * S.oh,
      [&](int64_t b, int64_t e, int) {
        for (int64_t item = b; item < e; ++item) {
          int64_t plane = item / S.oh, oh = item % S.oh;
          const float *x = in + plane * S.h * S.w;
          float *y = out + plane * S.oh * S.ow + oh * S.ow;
          int64_t hs = oh * S.strideH - S.padT;
          for (int64_t v = 0; v < rowVecs; ++v) {
            int64_t ow0 = v * 16;
            __mmask16 m = tailMask(S.ow - ow0);
            // iw of tap 0 for each lane.
            __m512i iw0 = _mm512_add_epi32(
                _mm512_set1_epi32(int(ow0 * S.strideW - S.padL)),
                _mm512_mullo_epi32(lane, _mm512_set1_epi32(int(S.strideW))));
            __m512 acc = IsMax ? _mm512_set1_ps(-FLT_MAX) : _mm512_setzero_ps();
            __m512 cntW = _mm512_setzero_ps();
            float cntH = 0;
            for (int64_t i = 0; i < S.kh; ++i) {
              int64_t ih = hs + i * S.dilH;
              if (!IsMax) {
                bool countable = S.countIncludePad
                                     ? ih >= -S.padT && ih < S.h + S.padB
                                     : ih >= 0 && ih < S.h;
                cntH += countable ? 1.0f : 0.0f;
              }
              if (ih < 0 || ih >= S.h)
                continue;
              const float *xr = x + ih * S.w;
              for (int64_t j = 0; j < S.kw; ++j) {
                __m512i iw =
                    _mm512_add_epi32(iw0, _mm512_set1_epi32(int(j * S.dilW)));
                __mmask16 valid =
                    m &
                    _mm512_cmp_epi32_mask(iw, _mm512_setzero_si512(),
                                          _MM_CMPINT_NLT) &
                    _mm512_cmp_epi32_mask(iw, _mm512_set1_epi32(int(S.w)),
                                          _MM_CMPINT_LT);
                __m512 val;
                const int64_t i0 = ow0 * S.strideW - S.padL + j * S.dilW;
                if constexpr (S.strideW == 1) {
                  val = _mm512_mask_loadu_ps(acc, valid, xr + i0);
                } else if constexpr (S.strideW == 2) {
                  // Two contiguous loads and a permute beat a gather.
                  __m512 lo = _mm512_maskz_loadu_ps(inside(i0), xr + i0);
                  __m512 hi =
                      _mm512_maskz_loadu_ps(inside(i0 + 16), xr + i0 + 16);
                  val = _mm512_mask_mov_ps(
                      acc, valid, _mm512_permutex2var_ps(lo, evens, hi));
                } else {
                  val = _mm512_mask_i32gather_ps(acc, valid, iw, xr, 4);
                }
                if constexpr (IsMax)
                  acc = _mm512_mask_max_ps(acc, valid, acc, val);
                else
                  acc = _mm512_mask_add_ps(acc, valid, acc, val);
              }
            }
            if constexpr (!IsMax) {
              // Column counts do not depend on the row; count them once per
              // vector from the same clipping rule.
              for (int64_t j = 0; j < S.kw; ++j) {
                __m512i iw =
                    _mm512_add_epi32(iw0, _mm512_set1_epi32(int(j * S.dilW)));
                int64_t lo = S.countIncludePad ? -S.padL : 0;
                int64_t hi = S.countIncludePad ? S.w + S.padR : S.w;
                __mmask16 ok =
                    _mm512_cmp_epi32_mask(iw, _mm512_set1_epi32(int(lo)),
                                          _MM_CMPINT_NLT) &
                    _mm512_cmp_epi32_mask(iw, _mm512_set1_epi32(int(hi)),
                                          _MM_CMPINT_LT);
                cntW = _mm512_mask_add_ps(cntW, ok, cntW, _mm512_set1_ps(1.0f));
              }
              __m512 cnt =
                  _mm512_max_ps(_mm512_mul_ps(cntW, _mm512_set1_ps(cntH)),
                                _mm512_set1_ps(1.0f));
              acc = _mm512_div_ps(acc, cnt);
            }
            _mm512_mask_storeu_ps(y + ow0, m, acc);
          }
        }
      },
      planes * S.oh * S.ow * S.kh * S.kw >= kParallelElementwiseMin);
}

} // namespace detail

template <PoolShape S>
void max_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  detail::poolImpl<S, true>(in, out, ctx);
}

template <PoolShape S>
void avg_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  detail::poolImpl<S, false>(in, out, ctx);
}

/// out[i] = mean of row i of [NC][HW].
template <int64_t NC, int64_t HW>
void global_avg_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  parallelFor(
      ctx, NC,
      [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) {
          const float *x = in + r * HW;
          __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
          int64_t j = 0;
          for (; j + 32 <= HW; j += 32) {
            s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + j));
            s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + j + 16));
          }
          for (; j < HW; j += 16)
            s0 = _mm512_add_ps(s0,
                               _mm512_maskz_loadu_ps(tailMask(HW - j), x + j));
          out[r] = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)) * (1.0f / HW);
        }
      },
      NC * HW >= kParallelElementwiseMin);
}

/// out[i] = max of row i of [NC][HW].
template <int64_t NC, int64_t HW>
void global_max_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  parallelFor(
      ctx, NC,
      [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) {
          const float *x = in + r * HW;
          __m512 mx = _mm512_set1_ps(-__builtin_inff());
          for (int64_t j = 0; j < HW; j += 16) {
            __mmask16 m = tailMask(HW - j);
            mx = _mm512_mask_max_ps(mx, m, mx, _mm512_maskz_loadu_ps(m, x + j));
          }
          out[r] = _mm512_reduce_max_ps(mx);
        }
      },
      NC * HW >= kParallelElementwiseMin);
}

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_POOL_H
