//===- Softmax.h - Softmax over one axis -----------------------*- C++ -*-===//
//
// The tensor is viewed as [Outer][Axis][Inner]; softmax runs along Axis.
// Three passes (max, exp + sum, scale) with the max subtracted first so e^x
// never overflows. Inner == 1 vectorizes along the axis; otherwise along
// Inner, one vector of independent softmaxes at a time.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_SOFTMAX_H
#define ANVIL_KERNELS_SOFTMAX_H

#include "Common.h"
#include "VecMath.h"

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {

template <class I, int64_t Outer, int64_t Axis, int64_t Inner>
void softmax_f32(const float *in, float *out, const ExecContext &ctx) {
  using V = typename I::V;
  using M = typename I::M;
  constexpr int64_t L = I::kLanes;
  constexpr bool big = Outer * Axis * Inner >= kParallelElementwiseMin;
  if constexpr (Inner == 1) {
    parallelFor(
        ctx, Outer,
        [&](int64_t b, int64_t e, int) {
          for (int64_t row = b; row < e; ++row) {
            const float *x = in + row * Axis;
            float *y = out + row * Axis;
            V mx = I::set1(-__builtin_inff());
            for (int64_t j = 0; j < Axis; j += L) {
              const M m = I::tailMask(Axis - j);
              mx = I::select(m, I::max(mx, I::maskzLoadu(m, x + j)), mx);
            }
            const V vmax = I::set1(I::reduceMax(mx));
            V sum = I::zero();
            for (int64_t j = 0; j < Axis; j += L) {
              const M m = I::tailMask(Axis - j);
              const V v =
                  vmath::exp<I>(I::sub(I::maskzLoadu(m, x + j), vmax));
              sum = I::select(m, I::add(sum, v), sum);
              I::maskStoreu(y + j, m, v);
            }
            const V inv = I::set1(1.0f / I::reduceAdd(sum));
            for (int64_t j = 0; j < Axis; j += L) {
              const M m = I::tailMask(Axis - j);
              I::maskStoreu(y + j, m, I::mul(I::maskzLoadu(m, y + j), inv));
            }
          }
        },
        big);
  } else {
    constexpr int64_t vecs = ceilDiv(Inner, L);
    parallelFor(
        ctx, Outer * vecs,
        [&](int64_t b, int64_t e, int) {
          for (int64_t item = b; item < e; ++item) {
            int64_t o = item / vecs, j = (item % vecs) * L;
            const M m = I::tailMask(Inner - j);
            const float *x = in + o * Axis * Inner + j;
            float *y = out + o * Axis * Inner + j;
            V mx = I::set1(-__builtin_inff());
            for (int64_t a = 0; a < Axis; ++a)
              mx = I::max(mx, I::maskzLoadu(m, x + a * Inner));
            V sum = I::zero();
            for (int64_t a = 0; a < Axis; ++a) {
              const V v =
                  vmath::exp<I>(I::sub(I::maskzLoadu(m, x + a * Inner), mx));
              sum = I::add(sum, v);
              I::maskStoreu(y + a * Inner, m, v);
            }
            const V inv = I::div(I::set1(1.0f), sum);
            for (int64_t a = 0; a < Axis; ++a)
              I::maskStoreu(y + a * Inner, m,
                            I::mul(I::maskzLoadu(m, y + a * Inner), inv));
          }
        },
        big);
  }
}

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_SOFTMAX_H
