//===- Elementwise.h - Unary, binary (broadcast), batch norm ---*- C++ -*-===//
//
// Memory-bound kernels: one pass, 16 floats per step, masked tails, split
// across threads only when the tensor is large enough to pay for the fork.
// All of them allow out == in (see INTERFACES.md): every output element is
// computed from the input elements at the same position only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_ELEMENTWISE_H
#define ANVIL_KERNELS_ELEMENTWISE_H

#include "Common.h"
#include "VecMath.h"

#include <cmath>

namespace anvil::kernels {

namespace detail {

/// One unary op on 16 lanes. Parameters: Clip(alpha = min, beta = max),
/// LeakyRelu(alpha = slope), HardSigmoid(max(0, min(1, alpha x + beta))).
/// HardSwish has no parameters in ONNX: x * HardSigmoid(1/6, 1/2).
template <UnaryKind K>
ANVIL_INLINE __m512 unaryOp(__m512 x, __m512 alpha, __m512 beta) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  if constexpr (K == UnaryKind::Relu)
    return _mm512_max_ps(zero, x);
  else if constexpr (K == UnaryKind::Clip)
    return _mm512_min_ps(beta, _mm512_max_ps(alpha, x));
  else if constexpr (K == UnaryKind::Sigmoid)
    return vmath::sigmoid(x);
  else if constexpr (K == UnaryKind::Tanh)
    return vmath::tanh(x);
  else if constexpr (K == UnaryKind::LeakyRelu)
    return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), x,
                              alpha);
  else if constexpr (K == UnaryKind::HardSigmoid)
    return _mm512_min_ps(one,
                         _mm512_max_ps(zero, _mm512_fmadd_ps(alpha, x, beta)));
  else if constexpr (K == UnaryKind::HardSwish)
    return _mm512_mul_ps(
        x, _mm512_min_ps(
               one,
               _mm512_max_ps(zero, _mm512_fmadd_ps(_mm512_set1_ps(1.0f / 6.0f),
                                                   x, _mm512_set1_ps(0.5f)))));
  else if constexpr (K == UnaryKind::Exp)
    return vmath::exp(x);
  else if constexpr (K == UnaryKind::Log)
    return vmath::log(x);
  else if constexpr (K == UnaryKind::Sqrt)
    return _mm512_sqrt_ps(x);
  else if constexpr (K == UnaryKind::Erf)
    return vmath::erf(x);
  else if constexpr (K == UnaryKind::Neg)
    return _mm512_sub_ps(zero, x);
  else if constexpr (K == UnaryKind::Abs)
    return vmath::abs(x);
  else
    return x;
}

template <BinaryKind K> ANVIL_INLINE __m512 binaryOp(__m512 a, __m512 b) {
  if constexpr (K == BinaryKind::Add)
    return _mm512_add_ps(a, b);
  else if constexpr (K == BinaryKind::Sub)
    return _mm512_sub_ps(a, b);
  else if constexpr (K == BinaryKind::Mul)
    return _mm512_mul_ps(a, b);
  else if constexpr (K == BinaryKind::Div)
    return _mm512_div_ps(a, b);
  else if constexpr (K == BinaryKind::Max)
    return _mm512_max_ps(a, b);
  else if constexpr (K == BinaryKind::Min)
    return _mm512_min_ps(a, b);
  else {
    // No good vector pow for negative bases with integral exponents; the
    // scalar library gets every special case right.
    alignas(64) float x[16], y[16];
    _mm512_store_ps(x, a);
    _mm512_store_ps(y, b);
    for (int i = 0; i < 16; ++i)
      x[i] = std::pow(x[i], y[i]);
    return _mm512_load_ps(x);
  }
}

/// A broadcast shape with size-1 dims dropped and contiguous runs merged, so
/// the innermost loop is as long as possible.
struct NormalizedBroadcast {
  int rank;
  int64_t dims[kMaxRank], ls[kMaxRank], rs[kMaxRank];
};

inline NormalizedBroadcast normalize(const BroadcastShape &s) {
  NormalizedBroadcast r{};
  r.rank = 0;
  for (int64_t d = 0; d < s.rank; ++d) {
    if (s.dims[d] == 1)
      continue;
    int64_t ls = s.lhsStrides[d], rs = s.rhsStrides[d];
    if (r.rank > 0) {
      int p = r.rank - 1;
      // Merge when the previous dim steps exactly over this one in both.
      if (r.ls[p] == ls * s.dims[d] && r.rs[p] == rs * s.dims[d]) {
        r.dims[p] *= s.dims[d];
        r.ls[p] = ls;
        r.rs[p] = rs;
        continue;
      }
    }
    r.dims[r.rank] = s.dims[d];
    r.ls[r.rank] = ls;
    r.rs[r.rank] = rs;
    ++r.rank;
  }
  if (r.rank == 0) {
    r.rank = 1;
    r.dims[0] = 1;
    r.ls[0] = r.rs[0] = 0;
  }
  return r;
}

/// Loads 16 (masked) lanes from p with element stride st (0 = broadcast).
ANVIL_INLINE __m512 loadStrided(const float *p, int64_t st, __mmask16 m) {
  if (st == 1)
    return _mm512_maskz_loadu_ps(m, p);
  if (st == 0)
    return _mm512_set1_ps(*p);
  alignas(64) float tmp[16];
  for (int i = 0; i < 16; ++i)
    tmp[i] = (m >> i) & 1 ? p[i * st] : 0.0f;
  return _mm512_load_ps(tmp);
}

} // namespace detail

/// out[i] = op(in[i]) for Count floats; out == in allowed.
template <UnaryKind K, int64_t Count>
void unary_f32(const float *in, float *out, float alpha, float beta,
               const ExecContext &ctx) {
  constexpr int64_t vecs = ceilDiv(Count, 16);
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  parallelFor(
      ctx, vecs,
      [&](int64_t b, int64_t e, int) {
        for (int64_t v = b; v < e; ++v) {
          __mmask16 m = tailMask(Count - v * 16);
          __m512 x = _mm512_maskz_loadu_ps(m, in + v * 16);
          _mm512_mask_storeu_ps(out + v * 16, m, detail::unaryOp<K>(x, va, vb));
        }
      },
      Count >= kParallelElementwiseMin);
}

/// out = lhs op rhs with numpy broadcasting described by element strides.
/// out may alias an operand that is not broadcast.
template <BinaryKind K, BroadcastShape S>
void binary_f32(const float *lhs, const float *rhs, float *out,
                const ExecContext &ctx) {
  const detail::NormalizedBroadcast nb = detail::normalize(S);
  const int inner = nb.rank - 1;
  const int64_t innerN = nb.dims[inner];
  int64_t outer = 1;
  for (int d = 0; d < inner; ++d)
    outer *= nb.dims[d];
  // Work items: rows of the innermost dim, long rows cut in chunks so even a
  // single huge row is split across threads.
  constexpr int64_t kChunk = 8192;
  const int64_t chunks = ceilDiv(innerN, kChunk);
  int64_t total = 1;
  for (int64_t d = 0; d < S.rank; ++d)
    total *= S.dims[d];
  parallelFor(
      ctx, outer * chunks,
      [&](int64_t b, int64_t e, int) {
        for (int64_t item = b; item < e; ++item) {
          int64_t row = item / chunks, chunk = item % chunks;
          int64_t lo = 0, ro = 0, rem = row;
          for (int d = inner - 1; d >= 0; --d) {
            int64_t i = rem % nb.dims[d];
            rem /= nb.dims[d];
            lo += i * nb.ls[d];
            ro += i * nb.rs[d];
          }
          const int64_t ls = nb.ls[inner], rs = nb.rs[inner];
          int64_t j0 = chunk * kChunk;
          int64_t j1 = j0 + kChunk < innerN ? j0 + kChunk : innerN;
          float *o = out + row * innerN;
          for (int64_t j = j0; j < j1; j += 16) {
            __mmask16 m = tailMask(j1 - j);
            __m512 a = detail::loadStrided(lhs + lo + j * ls, ls, m);
            __m512 c = detail::loadStrided(rhs + ro + j * rs, rs, m);
            _mm512_mask_storeu_ps(o + j, m, detail::binaryOp<K>(a, c));
          }
        }
      },
      total >= kParallelElementwiseMin);
}

/// Inference batch norm on [N][C][Inner]:
/// out = (in - mean) * scale / sqrt(var + epsilon) + bias. out == in allowed.
template <int64_t N, int64_t C, int64_t Inner>
void batch_norm_f32(const float *in, const float *scale, const float *bias,
                    const float *mean, const float *var, float epsilon,
                    float *out, const ExecContext &ctx) {
  parallelFor(
      ctx, N * C,
      [&](int64_t b, int64_t e, int) {
        for (int64_t row = b; row < e; ++row) {
          int64_t c = row % C;
          float a = scale[c] / std::sqrt(var[c] + epsilon);
          float sh = bias[c] - mean[c] * a;
          __m512 va = _mm512_set1_ps(a), vs = _mm512_set1_ps(sh);
          const float *x = in + row * Inner;
          float *y = out + row * Inner;
          for (int64_t j = 0; j < Inner; j += 16) {
            __mmask16 m = tailMask(Inner - j);
            __m512 v = _mm512_maskz_loadu_ps(m, x + j);
            _mm512_mask_storeu_ps(y + j, m, _mm512_fmadd_ps(v, va, vs));
          }
        }
      },
      N * C * Inner >= kParallelElementwiseMin);
}

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_ELEMENTWISE_H
