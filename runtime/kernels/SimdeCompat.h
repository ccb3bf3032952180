//===- SimdeCompat.h - AVX-512 intrinsics SIMDe 0.7.4 lacks ----*- C++ -*-===//
//
// Only for ANVIL_EMULATE_AVX512 translation units (included by Vec.h after
// SIMDe, on an AVX2 target). Debian's SIMDe 0.7.4 has no masked
// loadu/storeu, reduce_add/max_ps, getexp/getmant_ps or mask_i32gather_ps;
// the Avx512 trait calls these helpers for them instead. They are named in
// Anvil's namespace, so a later SIMDe that defines the intrinsics does not
// clash with them. The masked memory operations use AVX2's vmaskmovps /
// vgatherdps on each 8-lane half, so, as on real AVX-512, masked-off lanes
// are never accessed (no fault past the end of a buffer, nothing for
// AddressSanitizer to flag).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_SIMDECOMPAT_H
#define ANVIL_KERNELS_SIMDECOMPAT_H

#if !defined(ANVIL_EMULATE_AVX512)
#error "SimdeCompat.h is only for ANVIL_EMULATE_AVX512 builds"
#endif

#include "Abi.h"

#include <cstdint>
#include <cstring>
#include <immintrin.h>
#include <simde/x86/avx512.h>

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {
namespace simdecompat {

/// The 8-lane AVX2 mask (all-ones lanes) for mask bits [8 * half, 8 * half + 8).
inline __attribute__((always_inline)) __m256i halfMask(simde__mmask16 m,
                                                        int half) {
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i sel =
      _mm256_and_si256(_mm256_set1_epi32(int((m >> (8 * half)) & 0xFF)), bit);
  return _mm256_cmpeq_epi32(sel, bit);
}

/// A 512-bit SIMDe vector as two native 256-bit halves, and back.
inline __attribute__((always_inline)) void split(simde__m512 v, __m256 &lo,
                                                 __m256 &hi) {
  alignas(64) float t[16];
  simde_mm512_store_ps(t, v);
  lo = _mm256_load_ps(t);
  hi = _mm256_load_ps(t + 8);
}
inline __attribute__((always_inline)) simde__m512 join(__m256 lo, __m256 hi) {
  alignas(64) float t[16];
  _mm256_store_ps(t, lo);
  _mm256_store_ps(t + 8, hi);
  return simde_mm512_load_ps(t);
}

inline __attribute__((always_inline)) simde__m512
maskzLoadu(simde__mmask16 m, const float *p) {
  return join(_mm256_maskload_ps(p, halfMask(m, 0)),
              _mm256_maskload_ps(p + 8, halfMask(m, 1)));
}

inline __attribute__((always_inline)) void
maskStoreu(float *p, simde__mmask16 m, simde__m512 v) {
  __m256 lo, hi;
  split(v, lo, hi);
  _mm256_maskstore_ps(p, halfMask(m, 0), lo);
  _mm256_maskstore_ps(p + 8, halfMask(m, 1), hi);
}

inline __attribute__((always_inline)) simde__m512
maskGather(simde__m512 src, simde__mmask16 m, const float *base,
           simde__m512i idx) {
  alignas(64) int32_t i[16];
  simde_mm512_store_si512(i, idx);
  __m256 slo, shi;
  split(src, slo, shi);
  const __m256i ilo = _mm256_load_si256(reinterpret_cast<const __m256i *>(i));
  const __m256i ihi =
      _mm256_load_si256(reinterpret_cast<const __m256i *>(i + 8));
  return join(_mm256_mask_i32gather_ps(slo, base, ilo,
                                       _mm256_castsi256_ps(halfMask(m, 0)), 4),
              _mm256_mask_i32gather_ps(shi, base, ihi,
                                       _mm256_castsi256_ps(halfMask(m, 1)), 4));
}

/// Pairwise tree, the order _mm512_reduce_add_ps uses.
inline __attribute__((always_inline)) float reduceAdd(simde__m512 v) {
  alignas(64) float t[16];
  simde_mm512_store_ps(t, v);
  for (int w = 8; w >= 1; w /= 2)
    for (int i = 0; i < w; ++i)
      t[i] += t[i + w];
  return t[0];
}
inline __attribute__((always_inline)) float reduceMax(simde__m512 v) {
  alignas(64) float t[16];
  simde_mm512_store_ps(t, v);
  for (int w = 8; w >= 1; w /= 2)
    for (int i = 0; i < w; ++i)
      t[i] = t[i] > t[i + w] ? t[i] : t[i + w];
  return t[0];
}

/// getmant(x, [1, 2), sign zero) and getexp(x) for finite x > 0, denormals
/// included (the only inputs the vector math passes on).
inline __attribute__((always_inline)) void splitExponent(simde__m512 x, simde__m512 &mant,
                          simde__m512 &expo) {
  alignas(64) float t[16], m[16], e[16];
  simde_mm512_store_ps(t, x);
  for (int i = 0; i < 16; ++i) {
    float v = t[i];
    int adjust = 0;
    if (v < 1.17549435e-38f) { // denormal (or not positive): scale up
      v *= 8388608.0f;
      adjust = 23;
    }
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    e[i] = float(int((bits >> 23) & 0xFF) - 127 - adjust);
    bits = (bits & 0x007FFFFFu) | 0x3F800000u;
    std::memcpy(&m[i], &bits, 4);
  }
  mant = simde_mm512_load_ps(m);
  expo = simde_mm512_load_ps(e);
}

} // namespace simdecompat
} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_SIMDECOMPAT_H
