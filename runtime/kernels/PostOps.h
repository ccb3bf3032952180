//===- PostOps.h - The one epilogue of conv2d and matmul -------*- C++ -*-===//
//
// applyPostOps runs a fused post-op list (Shapes.h: PostOpList, chosen by
// the compiler's fusion pass) on one result vector just before it is
// stored: every kernel path calls it where it writes final results, so a
// fused ReLU or residual add costs no pass over memory. `offset` is the
// element index of the vector's lane 0 in the result tensor; a vector never
// spans two rows (conv2d stores within one channel plane, matmul within one
// result row), so Row operands are one broadcast value per vector.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_POSTOPS_H
#define ANVIL_KERNELS_POSTOPS_H

#include "Elementwise.h"

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {

/// The operands of a call's binary post-ops, as generated code passes them:
/// `PostOperands<2>{{a, b}}.ptrs` lives until the end of the call.
template <int N> struct PostOperands {
  const float *ptrs[N];
};

namespace detail {

/// `full`: all lanes valid (plain loads); otherwise `mask`'s lanes.
template <class I, PostOp P>
ANVIL_INLINE typename I::V applyPostOp(typename I::V v,
                                       const float *const *operands,
                                       int64_t offset, typename I::M mask,
                                       bool full) {
  if constexpr (P.kind == PostOpKind::Unary) {
    return unaryOp<I, P.unary>(v, I::set1(P.alpha), I::set1(P.beta));
  } else {
    const float *src = operands[P.operand];
    typename I::V o;
    if constexpr (P.bcast == PostBroadcast::Row) {
      o = I::set1(src[(offset / P.rowLen) % P.period]);
    } else {
      const float *at =
          src + (P.bcast == PostBroadcast::Col ? offset % P.rowLen : offset);
      o = full ? I::loadu(at) : I::maskzLoadu(mask, at);
    }
    return binaryOp<I, P.binary>(v, o);
  }
}

/// Steps K.. of the list. Plain recursion of always-inlined functions: a
/// lambda here may stay an out-of-line call, and a call in the GEMM
/// microkernel's store loop spills every accumulator (all vector registers
/// are caller-saved).
template <class I, PostOpList PO, int K = 0>
ANVIL_INLINE typename I::V applyPostOps(typename I::V v,
                                        const float *const *operands,
                                        int64_t offset, typename I::M mask,
                                        bool full) {
  static_assert(postOpListIsValid(PO), "invalid post-op list");
  if constexpr (K < PO.count)
    return applyPostOps<I, PO, K + 1>(
        applyPostOp<I, PO.ops[K]>(v, operands, offset, mask, full), operands,
        offset, mask, full);
  else
    return v;
}

/// Prefetches the elements at `offset` of every Full-broadcast operand of
/// the list into L1 (the kernels call it well before applyPostOps reads
/// them).
template <class I, PostOpList PO, int K = 0>
ANVIL_INLINE void prefetchPostOperands(const float *const *operands,
                                       int64_t offset) {
  if constexpr (K < PO.count) {
    if constexpr (PO.ops[K].kind == PostOpKind::Binary &&
                  PO.ops[K].bcast == PostBroadcast::Full)
      I::prefetchL1(operands[PO.ops[K].operand] + offset);
    prefetchPostOperands<I, PO, K + 1>(operands, offset);
  }
}

/// Applies the list in place to `count` contiguous result elements starting
/// at element `offset` of the result `out` (paths that finish a row in
/// scratch-free scalar code apply the list to the row afterwards).
template <class I, PostOpList PO>
ANVIL_INLINE void applyPostOpsInPlace(float *out, int64_t offset,
                                      int64_t count,
                                      const float *const *operands) {
  if constexpr (PO.count > 0) {
    constexpr int64_t L = I::kLanes;
    for (int64_t x = 0; x < count; x += L) {
      const bool full = count - x >= L;
      const typename I::M m = I::tailMask(count - x);
      float *p = out + offset + x;
      const typename I::V v = full ? I::loadu(p) : I::maskzLoadu(m, p);
      const typename I::V r =
          applyPostOps<I, PO>(v, operands, offset + x, m, full);
      if (full)
        I::storeu(p, r);
      else
        I::maskStoreu(p, m, r);
    }
  }
}

} // namespace detail
} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_POSTOPS_H
