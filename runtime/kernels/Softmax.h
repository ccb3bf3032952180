//===- Softmax.h - Softmax over one axis -----------------------*- C++ -*-===//
//
// The tensor is viewed as [Outer][Axis][Inner]; softmax runs along Axis.
// Three passes (max, exp + sum, scale) with the max subtracted first so e^x
// never overflows. Inner == 1 vectorizes along the axis; otherwise along
// Inner, 16 independent softmaxes at a time.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_SOFTMAX_H
#define ANVIL_KERNELS_SOFTMAX_H

#include "Common.h"
#include "VecMath.h"

namespace anvil::kernels {

template <int64_t Outer, int64_t Axis, int64_t Inner>
void softmax_f32(const float *in, float *out, const ExecContext &ctx) {
  constexpr bool big = Outer * Axis * Inner >= kParallelElementwiseMin;
  if constexpr (Inner == 1) {
    parallelFor(
        ctx, Outer,
        [&](int64_t b, int64_t e, int) {
          for (int64_t row = b; row < e; ++row) {
            const float *x = in + row * Axis;
            float *y = out + row * Axis;
            __m512 mx = _mm512_set1_ps(-__builtin_inff());
            for (int64_t j = 0; j < Axis; j += 16) {
              __mmask16 m = tailMask(Axis - j);
              mx = _mm512_mask_max_ps(mx, m, mx,
                                      _mm512_maskz_loadu_ps(m, x + j));
            }
            __m512 vmax = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
            __m512 sum = _mm512_setzero_ps();
            for (int64_t j = 0; j < Axis; j += 16) {
              __mmask16 m = tailMask(Axis - j);
              __m512 v = vmath::exp(
                  _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + j), vmax));
              sum = _mm512_mask_add_ps(sum, m, sum, v);
              _mm512_mask_storeu_ps(y + j, m, v);
            }
            __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
            for (int64_t j = 0; j < Axis; j += 16) {
              __mmask16 m = tailMask(Axis - j);
              _mm512_mask_storeu_ps(
                  y + j, m,
                  _mm512_mul_ps(_mm512_maskz_loadu_ps(m, y + j), inv));
            }
          }
        },
        big);
  } else {
    constexpr int64_t vecs = ceilDiv(Inner, 16);
    parallelFor(
        ctx, Outer * vecs,
        [&](int64_t b, int64_t e, int) {
          for (int64_t item = b; item < e; ++item) {
            int64_t o = item / vecs, j = (item % vecs) * 16;
            __mmask16 m = tailMask(Inner - j);
            const float *x = in + o * Axis * Inner + j;
            float *y = out + o * Axis * Inner + j;
            __m512 mx = _mm512_set1_ps(-__builtin_inff());
            for (int64_t a = 0; a < Axis; ++a)
              mx = _mm512_max_ps(mx, _mm512_maskz_loadu_ps(m, x + a * Inner));
            __m512 sum = _mm512_setzero_ps();
            for (int64_t a = 0; a < Axis; ++a) {
              __m512 v = vmath::exp(
                  _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + a * Inner), mx));
              sum = _mm512_add_ps(sum, v);
              _mm512_mask_storeu_ps(y + a * Inner, m, v);
            }
            __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.0f), sum);
            for (int64_t a = 0; a < Axis; ++a)
              _mm512_mask_storeu_ps(
                  y + a * Inner, m,
                  _mm512_mul_ps(_mm512_maskz_loadu_ps(m, y + a * Inner), inv));
          }
        },
        big);
  }
}

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_SOFTMAX_H
