//===- Gemm.h - Register-blocked GEMM microkernel --------------*- C++ -*-===//
//
// C[MR x L*NR] (+)= A[MR x kc] * B[kc x L*NR], L = I::kLanes, the inner loop
// of conv2d and matmul. A is packed k-major (the MR values of one k are
// contiguous, AS floats apart between ks) and broadcast one element at a
// time; B rows are NR vectors, ldb floats apart. MR * NR accumulators stay
// in registers for the whole reduction (the plan's tile, checked against
// I::kRegisters by the plan validity functions in Shapes.h): with MR = 8,
// NR = 3 on AVX-512 that is 24 FMAs per k against MR + NR loads, so the loop
// runs at the FMA ports' rate rather than the load ports'.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_GEMM_H
#define ANVIL_KERNELS_GEMM_H

#include "Common.h"
#include "PostOps.h"

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {
namespace detail {

/// Prefetch distance (floats) of the packed weights in the microkernel
/// calls of the Gemm, Implicit and Winograd conv paths: half a 128-row
/// block of 8 channels ahead, so the
/// next block's weights are in L1 when the call using them starts.
constexpr int kConvPrefetch = 1024;

/// How the epilogue adds a bias: none, one value per C row (conv: output
/// channel), or one per C column (matmul: [n]).
enum class BiasKind { None, Row, Col };

/// What to do with the accumulators once the reduction slice is done.
struct GemmEpilogue {
  bool accumulate;   ///< add the values already in C (later k slices)
  bool final;        ///< last k slice: apply alpha, bias and the post-ops
  const float *bias; ///< row or column bias (already offset), may be null
  float alpha;
  /// The post-ops' operands, and the result tensor's first element (post-op
  /// offsets are counted from it); unused without post-ops.
  const float *const *post;
  const float *outBase;
};

/// The last of the NR vectors of each row may be partial: it has lastCount
/// (1..L) valid lanes, read with masked loads (they never fault, so the B
/// operand may end exactly at the end of its buffer) and written with masked
/// stores. Full vectors use plain loads and stores, which matters on AVX2
/// where masked stores are slow.
///
/// Indexed: row k of B starts at b + offs[k] instead of b + k * ldb (the
/// implicit-GEMM conv reads kernel taps straight from a padded input block).
///
/// PFD > 0: also prefetch the A stream PFD floats ahead of the element being
/// broadcast (conv weights, packed so that consecutive calls read one
/// contiguous stream; they come from L3 on first use). PFB > 0: prefetch PFB
/// cache lines per k of the stream at pfb (ldb floats per k) into L2.
///
/// PO: the fused post-ops (PostOps.h), applied to final results.
/// LastFull: lastCount is L (no masked loads in the reduction loop).
template <class I, int MR, int NR, int AS, BiasKind BK, bool Scale,
          bool Indexed = false, int PFD = 0, int PFB = 0,
          PostOpList PO = PostOpList{}, bool LastFull = false>
ANVIL_INLINE void gemmMicroKernel(int64_t kc, const float *__restrict a,
                                  const float *__restrict b, int64_t ldb,
                                  int lastCount, float *c, int64_t ldc,
                                  const GemmEpilogue &ep,
                                  const int32_t *offs = nullptr,
                                  const float *pfb = nullptr) {
  using V = typename I::V;
  constexpr int L = I::kLanes;
  const typename I::M lastMask = I::tailMask(lastCount);
  V acc[MR][NR];
  ANVIL_UNROLL
  for (int i = 0; i < MR; ++i) {
    ANVIL_UNROLL
    for (int j = 0; j < NR; ++j)
      acc[i][j] = I::zero();
  }

  // Final results go to MR rows of C, and Full post operands are read at the
  // same places, ldc apart: in deep layers that is one memory stream per
  // row, more than the hardware prefetchers follow, and each would miss
  // when the epilogue touches it. Fetch them now; the reduction hides the
  // latency.
  if (ep.final) {
    ANVIL_UNROLL
    for (int i = 0; i < MR; ++i) {
      ANVIL_UNROLL
      for (int j = 0; j < NR; ++j) {
        float *at = c + i * ldc + j * L;
        if (!ep.accumulate)
          I::prefetchL1(at);
        if constexpr (PO.count > 0)
          prefetchPostOperands<I, PO>(ep.post, at - ep.outBase);
      }
    }
  }

  for (int64_t k = 0; k < kc; ++k) {
    if constexpr (PFD > 0)
      I::prefetchL1(a + PFD);
    if constexpr (PFB > 0) {
      ANVIL_UNROLL
      for (int j = 0; j < PFB; ++j)
        I::prefetchL2(pfb + k * ldb + j * 16);
    }
    const float *bk = Indexed ? b + offs[k] : b;
    V bv[NR];
    ANVIL_UNROLL
    for (int j = 0; j < NR; ++j)
      bv[j] = j == NR - 1 && !LastFull ? I::maskzLoadu(lastMask, bk + j * L)
                                       : I::loadu(bk + j * L);
    ANVIL_UNROLL
    for (int i = 0; i < MR; ++i) {
      const V av = I::set1(a[i]);
      ANVIL_UNROLL
      for (int j = 0; j < NR; ++j)
        acc[i][j] = I::fmadd(av, bv[j], acc[i][j]);
    }
    a += AS;
    if constexpr (!Indexed)
      b += ldb;
  }

  const V alpha = I::set1(ep.alpha);
  const bool lastFull = LastFull || lastCount >= L;
  ANVIL_UNROLL
  for (int i = 0; i < MR; ++i) {
    float *ci = c + i * ldc;
    ANVIL_UNROLL
    for (int j = 0; j < NR; ++j) {
      const bool full = j < NR - 1 || lastFull;
      auto load = [&](const float *p) {
        return full ? I::loadu(p) : I::maskzLoadu(lastMask, p);
      };
      V v = acc[i][j];
      if (ep.accumulate)
        v = I::add(v, load(ci + j * L));
      if (ep.final) {
        if constexpr (Scale)
          v = I::mul(v, alpha);
        if constexpr (BK == BiasKind::Row) {
          if (ep.bias)
            v = I::add(v, I::set1(ep.bias[i]));
        } else if constexpr (BK == BiasKind::Col) {
          if (ep.bias)
            v = I::add(v, load(ep.bias + j * L));
        }
        if constexpr (PO.count > 0)
          v = applyPostOps<I, PO>(v, ep.post, ci + j * L - ep.outBase,
                                  lastMask, full);
      }
      if (full)
        I::storeu(ci + j * L, v);
      else
        I::maskStoreu(ci + j * L, lastMask, v);
    }
  }
}

/// Runtime (mr, nr) -> the instantiation for it; mr in [1, MaxMR], nr in
/// [1, MaxNR]. Tails use smaller tiles instead of wasted lanes.
template <class I, int MaxMR, int MaxNR, int AS, BiasKind BK, bool Scale,
          bool Indexed = false, int PFD = 0, int PFB = 0,
          PostOpList PO = PostOpList{}, int MR = 1, int NR = MaxNR>
ANVIL_INLINE void gemmDispatch(int mr, int nr, int64_t kc, const float *a,
                               const float *b, int64_t ldb, int lastCount,
                               float *c, int64_t ldc, const GemmEpilogue &ep,
                               const int32_t *offs = nullptr,
                               const float *pfb = nullptr) {
  if constexpr (MR < MaxMR) {
    if (mr != MR)
      return gemmDispatch<I, MaxMR, MaxNR, AS, BK, Scale, Indexed, PFD, PFB,
                          PO, MR + 1, NR>(mr, nr, kc, a, b, ldb, lastCount, c, ldc,
                                      ep, offs, pfb);
  }
  if constexpr (NR > 1) {
    if (nr != NR)
      return gemmDispatch<I, MaxMR, MaxNR, AS, BK, Scale, Indexed, PFD, PFB,
                          PO, MR, NR - 1>(mr, nr, kc, a, b, ldb, lastCount, c, ldc,
                                      ep, offs, pfb);
  }
  // On AVX2 the last vector's mask takes one of the 16 vector registers
  // the tile fills (4 x 3 accumulators, 3 B vectors, the broadcast) and
  // is spilled and reloaded every k; full panels (the common case) need
  // none.
  if constexpr (I::kMasksTakeVectorRegisters) {
    if (lastCount >= I::kLanes)
      return gemmMicroKernel<I, MR, NR, AS, BK, Scale, Indexed, PFD, PFB, PO,
                             true>(kc, a, b, ldb, lastCount, c, ldc, ep, offs,
                                   pfb);
  }
  gemmMicroKernel<I, MR, NR, AS, BK, Scale, Indexed, PFD, PFB, PO>(
      kc, a, b, ldb, lastCount, c, ldc, ep, offs, pfb);
}

/// The vectors (at most nrMax) and the lanes of the last one that cover
/// `cols` columns of a B panel.
struct GemmCols {
  int nr;        ///< vectors, 1..NR
  int lastCount; ///< lanes of the last vector, 1..L
};
template <class I> ANVIL_INLINE GemmCols gemmCols(int64_t cols, int64_t nrMax) {
  constexpr int64_t L = I::kLanes;
  const int64_t nr = cols >= nrMax * L ? nrMax : ceilDiv(cols, L);
  const int64_t last = cols - (nr - 1) * L;
  return GemmCols{int(nr), int(last < L ? last : L)};
}

} // namespace detail
} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_GEMM_H
