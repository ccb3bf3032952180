//===- Vec.h - The vector layer: one trait struct per ISA ------*- C++ -*-===//
//
// The kernels are written once, as templates over an ISA trait `I`, a struct
// of static functions on I::V (a vector of I::kLanes floats) and I::M (a
// lane mask). Each operation is defined once per ISA here; kernels never
// spell an intrinsic. The register tiles are plan parameters (Shapes.h)
// checked against I::kRegisters, so one kernel source serves
//
//   Avx512  16 lanes, 32 zmm registers, k-register masks   (x86-64-v4)
//   Avx2     8 lanes, 16 ymm registers, vector masks        (x86-64-v3)
//
// Avx512 exists when the translation unit is compiled with AVX-512
// F/BW/DQ/VL, or with -DANVIL_EMULATE_AVX512 on an AVX2 target, where SIMDe
// implements the intrinsics in AVX2 (SimdeCompat.h supplies the ones SIMDe
// 0.7.4 lacks) so AVX-512 kernels can be tested on CPUs without AVX-512.
// Avx2 exists whenever AVX2 and FMA are enabled, so an AVX-512 build has
// both.
//
// Masked loads never touch masked-off lanes (no fault past the end of a
// buffer) on either ISA; masks are built by rangeMask / tailMask from lane
// counts that may lie outside [0, kLanes].
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_VEC_H
#define ANVIL_KERNELS_VEC_H

#include "Abi.h"

#include <cstdint>
#include <immintrin.h>

#define ANVIL_INLINE inline __attribute__((always_inline))

/// Full unrolling of register-tile loops, which must become straight-line
/// code for the accumulators to live in registers.
#if defined(__clang__)
#define ANVIL_UNROLL _Pragma("unroll")
#else
#define ANVIL_UNROLL _Pragma("GCC unroll 16")
#endif

#if defined(__AVX2__) && defined(__FMA__)
#define ANVIL_KERNELS_HAVE_AVX2 1
#endif

#if defined(ANVIL_EMULATE_AVX512)
#if defined(__AVX512F__) || !defined(ANVIL_KERNELS_HAVE_AVX2)
#error "ANVIL_EMULATE_AVX512 emulates AVX-512 on an AVX2 target (x86-64-v3)"
#endif
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include "SimdeCompat.h"
#define ANVIL_KERNELS_HAVE_AVX512 1
#elif defined(__AVX512F__) && defined(__AVX512BW__) &&                        \
    defined(__AVX512DQ__) && defined(__AVX512VL__)
#define ANVIL_KERNELS_HAVE_AVX512 1
#endif

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {

#if defined(ANVIL_KERNELS_HAVE_AVX512)
/// AVX-512: 16 lanes, 32 registers, __mmask16 lane masks.
struct Avx512 {
  static constexpr int kLanes = 16, kRegisters = 32;
  /// Masks live in mask registers (k0-k7), not in the vector registers.
  static constexpr bool kMasksTakeVectorRegisters = false;
  using V = __m512;
  using M = __mmask16;
  using VI = __m512i; ///< 32-bit lane indices (gathers)

  static ANVIL_INLINE V zero() { return _mm512_setzero_ps(); }
  static ANVIL_INLINE V set1(float x) { return _mm512_set1_ps(x); }
  static ANVIL_INLINE V loadu(const float *p) { return _mm512_loadu_ps(p); }
  static ANVIL_INLINE void storeu(float *p, V v) { _mm512_storeu_ps(p, v); }
  /// Lanes outside m read as 0 and are not accessed.
  static ANVIL_INLINE V maskzLoadu(M m, const float *p) {
#if defined(ANVIL_EMULATE_AVX512)
    return simdecompat::maskzLoadu(m, p);
#else
    return _mm512_maskz_loadu_ps(m, p);
#endif
  }
  /// Only lanes in m are written.
  static ANVIL_INLINE void maskStoreu(float *p, M m, V v) {
#if defined(ANVIL_EMULATE_AVX512)
    simdecompat::maskStoreu(p, m, v);
#else
    _mm512_mask_storeu_ps(p, m, v);
#endif
  }

  /// a * b + c, c - a * b, a * b - c (one rounding).
  static ANVIL_INLINE V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static ANVIL_INLINE V fnmadd(V a, V b, V c) {
    return _mm512_fnmadd_ps(a, b, c);
  }
  static ANVIL_INLINE V fmsub(V a, V b, V c) { return _mm512_fmsub_ps(a, b, c); }
  static ANVIL_INLINE V add(V a, V b) { return _mm512_add_ps(a, b); }
  static ANVIL_INLINE V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static ANVIL_INLINE V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static ANVIL_INLINE V div(V a, V b) { return _mm512_div_ps(a, b); }
  /// min/max return b when either operand is NaN (x86 semantics).
  static ANVIL_INLINE V min(V a, V b) { return _mm512_min_ps(a, b); }
  static ANVIL_INLINE V max(V a, V b) { return _mm512_max_ps(a, b); }
  static ANVIL_INLINE V sqrt(V a) { return _mm512_sqrt_ps(a); }
  static ANVIL_INLINE V roundNearest(V a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT |
                                       _MM_FROUND_NO_EXC);
  }
  static ANVIL_INLINE V andBits(V a, V b) {
    return _mm512_castsi512_ps(
        _mm512_and_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  }
  static ANVIL_INLINE V orBits(V a, V b) {
    return _mm512_castsi512_ps(
        _mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  }
  static ANVIL_INLINE V set1Bits(uint32_t bits) {
    return _mm512_castsi512_ps(_mm512_set1_epi32(int(bits)));
  }

  /// Ordered comparisons (false when either is NaN); cmpUnord: either is NaN.
  static ANVIL_INLINE M cmpLt(V a, V b) {
    return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ);
  }
  static ANVIL_INLINE M cmpGe(V a, V b) {
    return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ);
  }
  static ANVIL_INLINE M cmpEq(V a, V b) {
    return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ);
  }
  static ANVIL_INLINE M cmpUnord(V a, V b) {
    return _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q);
  }
  /// m ? t : f per lane.
  static ANVIL_INLINE V select(M m, V t, V f) {
    return _mm512_mask_mov_ps(f, m, t);
  }
  static ANVIL_INLINE M maskAnd(M a, M b) { return M(a & b); }
  static ANVIL_INLINE M maskOr(M a, M b) { return M(a | b); }
  /// Lanes i with lo <= i < hi (any lo, hi).
  static ANVIL_INLINE M rangeMask(int64_t lo, int64_t hi) {
    lo = lo < 0 ? 0 : lo;
    hi = hi > kLanes ? kLanes : hi;
    if (hi <= lo)
      return M(0);
    return M(((1u << hi) - 1u) & ~((1u << lo) - 1u));
  }
  /// The low n lanes (n may be <= 0 or exceed kLanes).
  static ANVIL_INLINE M tailMask(int64_t n) {
    return n >= kLanes ? M(0xFFFF) : n <= 0 ? M(0) : M((1u << n) - 1u);
  }

  static ANVIL_INLINE float reduceAdd(V v) {
#if defined(ANVIL_EMULATE_AVX512)
    return simdecompat::reduceAdd(v);
#else
    return _mm512_reduce_add_ps(v);
#endif
  }
  static ANVIL_INLINE float reduceMax(V v) {
#if defined(ANVIL_EMULATE_AVX512)
    return simdecompat::reduceMax(v);
#else
    return _mm512_reduce_max_ps(v);
#endif
  }

  /// Lane i holds base + i * step.
  static ANVIL_INLINE VI indices(int32_t base, int32_t step) {
    return _mm512_add_epi32(
        _mm512_set1_epi32(base),
        _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                             11, 12, 13, 14, 15),
                           _mm512_set1_epi32(step)));
  }
  /// kLanes indices from memory.
  static ANVIL_INLINE VI loadIndices(const int32_t *p) {
    return _mm512_loadu_si512(p);
  }
  /// Lanes in m load base[idx[i]] (others keep src and are not accessed).
  static ANVIL_INLINE V maskGather(V src, M m, const float *base, VI idx) {
#if defined(ANVIL_EMULATE_AVX512)
    return simdecompat::maskGather(src, m, base, idx);
#else
    return _mm512_mask_i32gather_ps(src, m, idx, base, 4);
#endif
  }
  /// The even lanes of the 32-float sequence a:b (a stride-2 row).
  static ANVIL_INLINE V evens(V a, V b) {
    return _mm512_permutex2var_ps(
        a,
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
                          30),
        b);
  }

  /// p * 2^n for integral n in [-252, 254]; saturates to inf / 0.
  static ANVIL_INLINE V scale2(V p, V n) { return _mm512_scalef_ps(p, n); }
  /// x = mant * 2^expo with mant in [1, 2), for finite x > 0 (denormals
  /// included); other inputs give unspecified finite-or-NaN values.
  static ANVIL_INLINE void splitExponent(V x, V &mant, V &expo) {
#if defined(ANVIL_EMULATE_AVX512)
    simdecompat::splitExponent(x, mant, expo);
#else
    mant = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
    expo = _mm512_getexp_ps(x);
#endif
  }

  static ANVIL_INLINE void prefetchL1(const void *p) {
    _mm_prefetch(static_cast<const char *>(p), _MM_HINT_T0);
  }
  static ANVIL_INLINE void prefetchL2(const void *p) {
    _mm_prefetch(static_cast<const char *>(p), _MM_HINT_T1);
  }
};
#endif // ANVIL_KERNELS_HAVE_AVX512

#if defined(ANVIL_KERNELS_HAVE_AVX2)
/// AVX2 + FMA: 8 lanes, 16 registers; a mask is a vector whose lanes are
/// all ones (selected) or all zeros, as maskload / blendv / gather take it.
struct Avx2 {
  static constexpr int kLanes = 8, kRegisters = 16;
  static constexpr bool kMasksTakeVectorRegisters = true;
  using V = __m256;
  using M = __m256;
  using VI = __m256i;

  static ANVIL_INLINE V zero() { return _mm256_setzero_ps(); }
  static ANVIL_INLINE V set1(float x) { return _mm256_set1_ps(x); }
  static ANVIL_INLINE V loadu(const float *p) { return _mm256_loadu_ps(p); }
  static ANVIL_INLINE void storeu(float *p, V v) { _mm256_storeu_ps(p, v); }
  /// vmaskmovps: masked-off lanes read as 0 and never fault.
  static ANVIL_INLINE V maskzLoadu(M m, const float *p) {
    return _mm256_maskload_ps(p, _mm256_castps_si256(m));
  }
  static ANVIL_INLINE void maskStoreu(float *p, M m, V v) {
    _mm256_maskstore_ps(p, _mm256_castps_si256(m), v);
  }

  static ANVIL_INLINE V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static ANVIL_INLINE V fnmadd(V a, V b, V c) {
    return _mm256_fnmadd_ps(a, b, c);
  }
  static ANVIL_INLINE V fmsub(V a, V b, V c) { return _mm256_fmsub_ps(a, b, c); }
  static ANVIL_INLINE V add(V a, V b) { return _mm256_add_ps(a, b); }
  static ANVIL_INLINE V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static ANVIL_INLINE V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static ANVIL_INLINE V div(V a, V b) { return _mm256_div_ps(a, b); }
  static ANVIL_INLINE V min(V a, V b) { return _mm256_min_ps(a, b); }
  static ANVIL_INLINE V max(V a, V b) { return _mm256_max_ps(a, b); }
  static ANVIL_INLINE V sqrt(V a) { return _mm256_sqrt_ps(a); }
  static ANVIL_INLINE V roundNearest(V a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static ANVIL_INLINE V andBits(V a, V b) { return _mm256_and_ps(a, b); }
  static ANVIL_INLINE V orBits(V a, V b) { return _mm256_or_ps(a, b); }
  static ANVIL_INLINE V set1Bits(uint32_t bits) {
    return _mm256_castsi256_ps(_mm256_set1_epi32(int(bits)));
  }

  static ANVIL_INLINE M cmpLt(V a, V b) {
    return _mm256_cmp_ps(a, b, _CMP_LT_OQ);
  }
  static ANVIL_INLINE M cmpGe(V a, V b) {
    return _mm256_cmp_ps(a, b, _CMP_GE_OQ);
  }
  static ANVIL_INLINE M cmpEq(V a, V b) {
    return _mm256_cmp_ps(a, b, _CMP_EQ_OQ);
  }
  static ANVIL_INLINE M cmpUnord(V a, V b) {
    return _mm256_cmp_ps(a, b, _CMP_UNORD_Q);
  }
  static ANVIL_INLINE V select(M m, V t, V f) {
    return _mm256_blendv_ps(f, t, m);
  }
  static ANVIL_INLINE M maskAnd(M a, M b) { return _mm256_and_ps(a, b); }
  static ANVIL_INLINE M maskOr(M a, M b) { return _mm256_or_ps(a, b); }
  static ANVIL_INLINE M rangeMask(int64_t lo, int64_t hi) {
    lo = lo < 0 ? 0 : lo > kLanes ? kLanes : lo;
    hi = hi < 0 ? 0 : hi > kLanes ? kLanes : hi;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    // lane >= lo  <=>  lane > lo - 1
    return _mm256_castsi256_ps(_mm256_and_si256(
        _mm256_cmpgt_epi32(lane, _mm256_set1_epi32(int(lo) - 1)),
        _mm256_cmpgt_epi32(_mm256_set1_epi32(int(hi)), lane)));
  }
  static ANVIL_INLINE M tailMask(int64_t n) {
    n = n < 0 ? 0 : n > kLanes ? kLanes : n;
    return _mm256_castsi256_ps(
        _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)),
                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
  }

  static ANVIL_INLINE float reduceAdd(V v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }
  static ANVIL_INLINE float reduceMax(V v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
  }

  static ANVIL_INLINE VI indices(int32_t base, int32_t step) {
    return _mm256_add_epi32(
        _mm256_set1_epi32(base),
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                           _mm256_set1_epi32(step)));
  }
  static ANVIL_INLINE VI loadIndices(const int32_t *p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
  }
  static ANVIL_INLINE V maskGather(V src, M m, const float *base, VI idx) {
    return _mm256_mask_i32gather_ps(src, base, idx, m, 4);
  }
  static ANVIL_INLINE V evens(V a, V b) {
    // Per 128-bit half: a0 a2 b0 b2 | a4 a6 b4 b6; then order the 64-bit
    // pairs as a0a2 a4a6 b0b2 b4b6.
    __m256 s = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
  }

  /// No scalef: 2^n as two factors 2^(n/2) built in the exponent field, each
  /// a normal float for |n| <= 252, so the first product is exact and the
  /// second rounds (or over/underflows to inf / 0) exactly once.
  static ANVIL_INLINE V scale2(V p, V n) {
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i h = _mm256_srai_epi32(ni, 1);
    const __m256i l = _mm256_sub_epi32(ni, h);
    const __m256i bias = _mm256_set1_epi32(127);
    const V fh = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(h, bias), 23));
    const V fl = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(l, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, fh), fl);
  }
  /// No getexp/getmant: read the exponent field, after scaling denormals by
  /// 2^23 into the normal range.
  static ANVIL_INLINE void splitExponent(V x, V &mant, V &expo) {
    const M tiny = _mm256_cmp_ps(x, set1(1.17549435e-38f), _CMP_LT_OQ);
    const V xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, set1(8388608.0f)), tiny);
    const __m256i bits = _mm256_castps_si256(xs);
    __m256i e = _mm256_sub_epi32(
        _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xFF)),
        _mm256_set1_epi32(127));
    e = _mm256_sub_epi32(e, _mm256_and_si256(_mm256_castps_si256(tiny),
                                             _mm256_set1_epi32(23)));
    expo = _mm256_cvtepi32_ps(e);
    mant = _mm256_castsi256_ps(
        _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)),
                        _mm256_set1_epi32(0x3F800000)));
  }

  static ANVIL_INLINE void prefetchL1(const void *p) {
    _mm_prefetch(static_cast<const char *>(p), _MM_HINT_T0);
  }
  static ANVIL_INLINE void prefetchL2(const void *p) {
    _mm_prefetch(static_cast<const char *>(p), _MM_HINT_T1);
  }
};
#endif // ANVIL_KERNELS_HAVE_AVX2

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_VEC_H
