//===- Elementwise.h - Unary, binary (broadcast), batch norm ---*- C++ -*-===//
//
// Memory-bound kernels: one pass, one vector per step, masked tails, split
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
inline namespace ANVIL_KERNEL_ABI {

namespace detail {

/// One unary op on a vector. Parameters: Clip(alpha = min, beta = max),
/// LeakyRelu(alpha = slope), HardSigmoid(max(0, min(1, alpha x + beta))).
/// HardSwish has no parameters in ONNX: x * HardSigmoid(1/6, 1/2).
template <class I, UnaryKind K>
ANVIL_INLINE typename I::V unaryOp(typename I::V x, typename I::V alpha,
                                   typename I::V beta) {
  const typename I::V zero = I::zero(), one = I::set1(1.0f);
  if constexpr (K == UnaryKind::Relu)
    return I::max(zero, x);
  else if constexpr (K == UnaryKind::Clip)
    return I::min(beta, I::max(alpha, x));
  else if constexpr (K == UnaryKind::Sigmoid)
    return vmath::sigmoid<I>(x);
  else if constexpr (K == UnaryKind::Tanh)
    return vmath::tanh<I>(x);
  else if constexpr (K == UnaryKind::LeakyRelu)
    return I::select(I::cmpLt(x, zero), I::mul(x, alpha), x);
  else if constexpr (K == UnaryKind::HardSigmoid)
    return I::min(one, I::max(zero, I::fmadd(alpha, x, beta)));
  else if constexpr (K == UnaryKind::HardSwish)
    return I::mul(x, I::min(one, I::max(zero, I::fmadd(I::set1(1.0f / 6.0f), x,
                                                       I::set1(0.5f)))));
  else if constexpr (K == UnaryKind::Exp)
    return vmath::exp<I>(x);
  else if constexpr (K == UnaryKind::Log)
    return vmath::log<I>(x);
  else if constexpr (K == UnaryKind::Sqrt)
    return I::sqrt(x);
  else if constexpr (K == UnaryKind::Erf)
    return vmath::erf<I>(x);
  else if constexpr (K == UnaryKind::Neg)
    return I::sub(zero, x);
  else if constexpr (K == UnaryKind::Abs)
    return vmath::abs<I>(x);
  else if constexpr (K == UnaryKind::Silu)
    return I::mul(x, vmath::sigmoid<I>(x));
  else if constexpr (K == UnaryKind::GeluErf)
    return I::mul(I::mul(I::set1(0.5f), x),
                  I::add(one, vmath::erf<I>(I::mul(
                                  x, I::set1(0.70710678118654752f)))));
  else
    return x;
}

template <class I, BinaryKind K>
ANVIL_INLINE typename I::V binaryOp(typename I::V a, typename I::V b) {
  if constexpr (K == BinaryKind::Add)
    return I::add(a, b);
  else if constexpr (K == BinaryKind::Sub)
    return I::sub(a, b);
  else if constexpr (K == BinaryKind::Mul)
    return I::mul(a, b);
  else if constexpr (K == BinaryKind::Div)
    return I::div(a, b);
  else if constexpr (K == BinaryKind::Max)
    return I::max(a, b);
  else if constexpr (K == BinaryKind::Min)
    return I::min(a, b);
  else {
    // No good vector pow for negative bases with integral exponents; the
    // scalar library gets every special case right.
    alignas(64) float x[I::kLanes], y[I::kLanes];
    I::storeu(x, a);
    I::storeu(y, b);
    for (int i = 0; i < I::kLanes; ++i)
      x[i] = std::pow(x[i], y[i]);
    return I::loadu(x);
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

/// Loads the first n (1..L) lanes from p with element stride st
/// (0 = broadcast); the other lanes are zero.
template <class I>
ANVIL_INLINE typename I::V loadStrided(const float *p, int64_t st, int64_t n) {
  if (st == 1)
    return I::maskzLoadu(I::tailMask(n), p);
  if (st == 0)
    return I::set1(*p);
  alignas(64) float tmp[I::kLanes];
  for (int i = 0; i < I::kLanes; ++i)
    tmp[i] = i < n ? p[i * st] : 0.0f;
  return I::loadu(tmp);
}

} // namespace detail

/// out[i] = op(in[i]) for Count floats; out == in allowed.
template <class I, UnaryKind K, int64_t Count>
void unary_f32(const float *in, float *out, float alpha, float beta,
               const ExecContext &ctx) {
  constexpr int64_t L = I::kLanes, vecs = ceilDiv(Count, L);
  const typename I::V va = I::set1(alpha), vb = I::set1(beta);
  parallelFor(
      ctx, vecs,
      [&](int64_t b, int64_t e, int) {
        for (int64_t v = b; v < e; ++v) {
          const typename I::V x =
              v * L + L <= Count ? I::loadu(in + v * L)
                                 : I::maskzLoadu(I::tailMask(Count - v * L),
                                                 in + v * L);
          const typename I::V y = detail::unaryOp<I, K>(x, va, vb);
          if (v * L + L <= Count)
            I::storeu(out + v * L, y);
          else
            I::maskStoreu(out + v * L, I::tailMask(Count - v * L), y);
        }
      },
      Count >= kParallelElementwiseMin);
}

/// out = lhs op rhs with numpy broadcasting described by element strides.
/// out may alias an operand that is not broadcast.
template <class I, BinaryKind K, BroadcastShape S>
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
          constexpr int64_t L = I::kLanes;
          for (int64_t j = j0; j < j1; j += L) {
            const int64_t n = j1 - j;
            const typename I::V a =
                detail::loadStrided<I>(lhs + lo + j * ls, ls, n);
            const typename I::V c =
                detail::loadStrided<I>(rhs + ro + j * rs, rs, n);
            const typename I::V y = detail::binaryOp<I, K>(a, c);
            if (n >= L)
              I::storeu(o + j, y);
            else
              I::maskStoreu(o + j, I::tailMask(n), y);
          }
        }
      },
      total >= kParallelElementwiseMin);
}

/// Inference batch norm on [N][C][Inner]:
/// out = (in - mean) * scale / sqrt(var + epsilon) + bias. out == in allowed.
template <class I, int64_t N, int64_t C, int64_t Inner>
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
          const typename I::V va = I::set1(a), vs = I::set1(sh);
          const float *x = in + row * Inner;
          float *y = out + row * Inner;
          constexpr int64_t L = I::kLanes;
          int64_t j = 0;
          for (; j + L <= Inner; j += L)
            I::storeu(y + j, I::fmadd(I::loadu(x + j), va, vs));
          if (j < Inner) {
            const typename I::M m = I::tailMask(Inner - j);
            I::maskStoreu(y + j, m, I::fmadd(I::maskzLoadu(m, x + j), va, vs));
          }
        }
      },
      N * C * Inner >= kParallelElementwiseMin);
}

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_ELEMENTWISE_H
