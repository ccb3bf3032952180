//===- Pool.h - Max / average pooling, global pooling ----------*- C++ -*-===//
//
// NCHW pooling. Windows are clipped to the input, so padding never reads
// memory and ceil-mode windows that run off the end are fine. Vectorized over
// one vector of output columns at a time (loadColumns: stride-1 taps are
// masked loads, stride 2 two loads and a permute, other strides masked
// gathers). Average pooling divides by the number of taps inside the input
// (count_include_pad = 0) or inside the padded input (= 1), as ONNX Runtime
// does: taps that a ceil-mode window puts beyond the end padding never count.
// An empty max window gives -FLT_MAX.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_POOL_H
#define ANVIL_KERNELS_POOL_H

#include "Common.h"

#include <cfloat>

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {

namespace detail {

template <class I, PoolShape S, bool IsMax>
void poolImpl(const float *in, float *out, const ExecContext &ctx) {
  using V = typename I::V;
  using M = typename I::M;
  constexpr int64_t L = I::kLanes;
  constexpr int64_t rowVecs = ceilDiv(S.ow, L);
  constexpr int64_t planes = S.n * S.c;
  parallelFor(
      ctx, planes * S.oh,
      [&](int64_t b, int64_t e, int) {
        for (int64_t item = b; item < e; ++item) {
          int64_t plane = item / S.oh, oh = item % S.oh;
          const float *x = in + plane * S.h * S.w;
          float *y = out + plane * S.oh * S.ow + oh * S.ow;
          int64_t hs = oh * S.strideH - S.padT;
          for (int64_t v = 0; v < rowVecs; ++v) {
            const int64_t ow0 = v * L;
            const M m = I::tailMask(S.ow - ow0);
            // Input column of tap 0 in lane 0; lane i adds i * strideW.
            const int64_t iw0 = ow0 * S.strideW - S.padL;
            V acc = IsMax ? I::set1(-FLT_MAX) : I::zero();
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
                const int64_t i0 = iw0 + j * S.dilW;
                const M valid =
                    I::maskAnd(m, columnsInside<I>(i0, S.w, S.strideW));
                const V val = loadColumns<I, S.strideW>(xr, i0, S.w, m);
                acc = I::select(valid, IsMax ? I::max(acc, val)
                                             : I::add(acc, val),
                                acc);
              }
            }
            if constexpr (!IsMax) {
              // Column counts do not depend on the row; count them once per
              // vector from the same clipping rule.
              const int64_t lo = S.countIncludePad ? -S.padL : 0;
              const int64_t hi = S.countIncludePad ? S.w + S.padR : S.w;
              V cntW = I::zero();
              for (int64_t j = 0; j < S.kw; ++j) {
                const M ok = columnsInside<I>(iw0 + j * S.dilW - lo, hi - lo,
                                              S.strideW);
                cntW = I::select(ok, I::add(cntW, I::set1(1.0f)), cntW);
              }
              const V cnt =
                  I::max(I::mul(cntW, I::set1(cntH)), I::set1(1.0f));
              acc = I::div(acc, cnt);
            }
            I::maskStoreu(y + ow0, m, acc);
          }
        }
      },
      planes * S.oh * S.ow * S.kh * S.kw >= kParallelElementwiseMin);
}

} // namespace detail

template <class I, PoolShape S>
void max_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  detail::poolImpl<I, S, true>(in, out, ctx);
}

template <class I, PoolShape S>
void avg_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  detail::poolImpl<I, S, false>(in, out, ctx);
}

/// out[i] = mean of row i of [NC][HW].
template <class I, int64_t NC, int64_t HW>
void global_avg_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  using V = typename I::V;
  constexpr int64_t L = I::kLanes;
  parallelFor(
      ctx, NC,
      [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) {
          const float *x = in + r * HW;
          V s0 = I::zero(), s1 = I::zero();
          int64_t j = 0;
          for (; j + 2 * L <= HW; j += 2 * L) {
            s0 = I::add(s0, I::loadu(x + j));
            s1 = I::add(s1, I::loadu(x + j + L));
          }
          for (; j < HW; j += L)
            s0 = I::add(s0, I::maskzLoadu(I::tailMask(HW - j), x + j));
          out[r] = I::reduceAdd(I::add(s0, s1)) * (1.0f / HW);
        }
      },
      NC * HW >= kParallelElementwiseMin);
}

/// out[i] = max of row i of [NC][HW].
template <class I, int64_t NC, int64_t HW>
void global_max_pool_f32(const float *in, float *out, const ExecContext &ctx) {
  using V = typename I::V;
  constexpr int64_t L = I::kLanes;
  parallelFor(
      ctx, NC,
      [&](int64_t b, int64_t e, int) {
        for (int64_t r = b; r < e; ++r) {
          const float *x = in + r * HW;
          V mx = I::set1(-__builtin_inff());
          for (int64_t j = 0; j < HW; j += L) {
            const typename I::M m = I::tailMask(HW - j);
            mx = I::select(m, I::max(mx, I::maskzLoadu(m, x + j)), mx);
          }
          out[r] = I::reduceMax(mx);
        }
      },
      NC * HW >= kParallelElementwiseMin);
}

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_POOL_H
