//===- Gemm.h - Register-blocked AVX-512 GEMM microkernel ------*- C++ -*-===//
//
// C[MR x 16*NR] (+)= A[MR x kc] * B[kc x 16*NR], the inner loop of conv2d and
// matmul. A is packed k-major (the MR values of one k are contiguous, AS
// floats apart between ks) and broadcast one element at a time; B rows are
// NR vectors, ldb floats apart. MR * NR accumulators stay in zmm registers
// for the whole reduction: with MR = 8, NR = 3 (conv) or MR = 6, NR = 4
// (matmul) that is 24 FMAs per k against MR + NR loads, so the loop runs at
// the FMA ports' rate rather than the load ports'.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_GEMM_H
#define ANVIL_KERNELS_GEMM_H

#include "Common.h"

namespace anvil::kernels::detail {

/// How the epilogue adds a bias: none, one value per C row (conv: output
/// channel), or one per C column (matmul: [n]).
enum class BiasKind { None, Row, Col };

/// What to do with the accumulators once the reduction slice is done.
struct GemmEpilogue {
  bool accumulate;   ///< add the values already in C (later k slices)
  bool final;        ///< last k slice: apply alpha and bias
  const float *bias; ///< row or column bias (already offset), may be null
  float alpha;
};

/// The last of the NR vectors of each row may be partial: lastMask selects
/// its valid lanes for B loads and C loads/stores (masked loads never fault,
/// so the B operand may end exactly at the end of its buffer).
///
/// Indexed: row k of B starts at b + offs[k] instead of b + k * ldb (the
/// implicit-GEMM conv reads kernel taps straight from a padded input block).
///
/// PFD > 0: also prefetch the A stream PFD floats ahead of the element being
/// broadcast (conv weights, packed so that consecutive calls read one
/// contiguous stream; they come from L3 on first use).
template <int MR, int NR, int AS, BiasKind BK, bool Scale, bool Indexed = false,
          int PFD = 0, int PFB = 0>
ANVIL_INLINE void gemmMicroKernel(int64_t kc, const float *__restrict a,
                                  const float *__restrict b, int64_t ldb,
                                  __mmask16 lastMask, float *c, int64_t ldc,
                                  const GemmEpilogue &ep,
                                  const int32_t *offs = nullptr,
                                  const float *pfb = nullptr) {
  __m512 acc[MR][NR];
  ANVIL_UNROLL
  for (int i = 0; i < MR; ++i) {
    ANVIL_UNROLL
    for (int j = 0; j < NR; ++j)
      acc[i][j] = _mm512_setzero_ps();
  }

  for (int64_t k = 0; k < kc; ++k) {
    if constexpr (PFD > 0)
      _mm_prefetch(reinterpret_cast<const char *>(a + PFD), _MM_HINT_T0);
    if constexpr (PFB > 0) {
      ANVIL_UNROLL
      for (int j = 0; j < PFB; ++j)
        _mm_prefetch(reinterpret_cast<const char *>(pfb + k * ldb + j * 16),
                     _MM_HINT_T1);
    }
    const float *bk = Indexed ? b + offs[k] : b;
    __m512 bv[NR];
    ANVIL_UNROLL
    for (int j = 0; j < NR; ++j)
      bv[j] = j == NR - 1 ? _mm512_maskz_loadu_ps(lastMask, bk + j * 16)
                          : _mm512_loadu_ps(bk + j * 16);
    ANVIL_UNROLL
    for (int i = 0; i < MR; ++i) {
      __m512 av = _mm512_set1_ps(a[i]);
      ANVIL_UNROLL
      for (int j = 0; j < NR; ++j)
        acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
    a += AS;
    if constexpr (!Indexed)
      b += ldb;
  }

  const __m512 alpha = _mm512_set1_ps(ep.alpha);
  ANVIL_UNROLL
  for (int i = 0; i < MR; ++i) {
    float *ci = c + i * ldc;
    ANVIL_UNROLL
    for (int j = 0; j < NR; ++j) {
      __mmask16 m = j == NR - 1 ? lastMask : __mmask16(0xFFFF);
      __m512 v = acc[i][j];
      if (ep.accumulate)
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, ci + j * 16));
      if (ep.final) {
        if constexpr (Scale)
          v = _mm512_mul_ps(v, alpha);
        if constexpr (BK == BiasKind::Row) {
          if (ep.bias)
            v = _mm512_add_ps(v, _mm512_set1_ps(ep.bias[i]));
        } else if constexpr (BK == BiasKind::Col) {
          if (ep.bias)
            v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, ep.bias + j * 16));
        }
      }
      _mm512_mask_storeu_ps(ci + j * 16, m, v);
    }
  }
}

/// Runtime (mr, nr) -> the instantiation for it; mr in [1, MaxMR], nr in
/// [1, MaxNR]. Tails use smaller tiles instead of wasted lanes.
template <int MaxMR, int MaxNR, int AS, BiasKind BK, bool Scale,
          bool Indexed = false, int PFD = 0, int PFB = 0, int MR = 1>
ANVIL_INLINE void gemmDispatch(int mr, int nr, int64_t kc, const float *a,
                               const float *b, int64_t ldb, __mmask16 lastMask,
                               float *c, int64_t ldc, const GemmEpilogue &ep,
                               const int32_t *offs = nullptr,
                               const float *pfb = nullptr) {
  if constexpr (MR < MaxMR) {
    if (mr != MR)
      return gemmDispatch<MaxMR, MaxNR, AS, BK, Scale, Indexed, PFD, PFB, MR + 1>(
          mr, nr, kc, a, b, ldb, lastMask, c, ldc, ep, offs, pfb);
  }
  if constexpr (MaxNR >= 4)
    if (nr == 4)
      return gemmMicroKernel<MR, 4, AS, BK, Scale, Indexed, PFD, PFB>(
          kc, a, b, ldb, lastMask, c, ldc, ep, offs, pfb);
  if constexpr (MaxNR >= 3)
    if (nr == 3)
      return gemmMicroKernel<MR, 3, AS, BK, Scale, Indexed, PFD, PFB>(
          kc, a, b, ldb, lastMask, c, ldc, ep, offs, pfb);
  if (nr == 2)
    return gemmMicroKernel<MR, 2, AS, BK, Scale, Indexed, PFD, PFB>(
        kc, a, b, ldb, lastMask, c, ldc, ep, offs, pfb);
  return gemmMicroKernel<MR, 1, AS, BK, Scale, Indexed, PFD, PFB>(
      kc, a, b, ldb, lastMask, c, ldc, ep, offs, pfb);
}

} // namespace anvil::kernels::detail

#endif // ANVIL_KERNELS_GEMM_H
