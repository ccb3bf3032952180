//===- VecMath.h - AVX-512 transcendental functions ------------*- C++ -*-===//
//
// exp, log, tanh, sigmoid and erf on 16 floats at a time, accurate to a few
// float ulps (exp, log, tanh, sigmoid) or ~2e-7 absolute (erf), with IEEE
// special cases (NaN, +-inf, 0, denormals) handled explicitly. The
// polynomials are Cephes' single-precision ones; AVX-512's scalef/getexp/
// getmant do the exponent work so over- and underflow need no extra code.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_VECMATH_H
#define ANVIL_KERNELS_VECMATH_H

#include "Common.h"

namespace anvil::kernels::vmath {

ANVIL_INLINE __m512 set1(float v) { return _mm512_set1_ps(v); }

/// e^x. Range reduction x = n ln2 + r, |r| <= ln2/2, with ln2 split in two so
/// r is exact; 2^n applied by scalef, which saturates to inf / flushes to 0
/// correctly for any n.
ANVIL_INLINE __m512 exp(__m512 x) {
  // min/max return their second operand when one is NaN: keep x second so
  // NaN survives the clamp. The bounds only keep n finite.
  x = _mm512_max_ps(set1(-104.0f), _mm512_min_ps(set1(89.0f), x));
  __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(x, set1(1.44269504088896341f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, set1(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, set1(-2.12194440e-4f), r);
  __m512 p = set1(1.9875691500E-4f);
  p = _mm512_fmadd_ps(p, r, set1(1.3981999507E-3f));
  p = _mm512_fmadd_ps(p, r, set1(8.3334519073E-3f));
  p = _mm512_fmadd_ps(p, r, set1(4.1665795894E-2f));
  p = _mm512_fmadd_ps(p, r, set1(1.6666665459E-1f));
  p = _mm512_fmadd_ps(p, r, set1(5.0000001201E-1f));
  __m512 r2 = _mm512_mul_ps(r, r);
  p = _mm512_fmadd_ps(p, r2, _mm512_add_ps(r, set1(1.0f)));
  return _mm512_scalef_ps(p, n);
}

/// Natural log. x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s),
/// s = (m - 1) / (m + 1), |s| < 0.172, by an odd series to s^11.
ANVIL_INLINE __m512 log(__m512 x) {
  __m512 m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  __m512 e = _mm512_getexp_ps(x);
  __mmask16 big = _mm512_cmp_ps_mask(m, set1(1.41421356237f), _CMP_GE_OQ);
  m = _mm512_mask_mul_ps(m, big, m, set1(0.5f));
  e = _mm512_mask_add_ps(e, big, e, set1(1.0f));
  __m512 s =
      _mm512_div_ps(_mm512_sub_ps(m, set1(1.0f)), _mm512_add_ps(m, set1(1.0f)));
  __m512 s2 = _mm512_mul_ps(s, s);
  __m512 p = set1(2.0f / 11.0f);
  p = _mm512_fmadd_ps(p, s2, set1(2.0f / 9.0f));
  p = _mm512_fmadd_ps(p, s2, set1(2.0f / 7.0f));
  p = _mm512_fmadd_ps(p, s2, set1(2.0f / 5.0f));
  p = _mm512_fmadd_ps(p, s2, set1(2.0f / 3.0f));
  p = _mm512_fmadd_ps(p, s2, set1(2.0f));
  __m512 lm = _mm512_mul_ps(p, s);
  // e * ln2 in two parts so the sum keeps full precision near x = 1.
  __m512 res = _mm512_fmadd_ps(e, set1(-2.12194440e-4f), lm);
  res = _mm512_fmadd_ps(e, set1(0.693359375f), res);
  // Special cases: log(0) = -inf, log(x<0) = NaN, log(inf) = inf, NaN stays.
  __mmask16 zero = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_EQ_OQ);
  __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  __mmask16 inf = _mm512_cmp_ps_mask(x, set1(__builtin_inff()), _CMP_EQ_OQ);
  __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  res = _mm512_mask_mov_ps(res, zero, set1(-__builtin_inff()));
  res = _mm512_mask_mov_ps(res, neg | nan, set1(__builtin_nanf("")));
  res = _mm512_mask_mov_ps(res, inf, set1(__builtin_inff()));
  return res;
}

ANVIL_INLINE __m512 abs(__m512 x) {
  return _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7FFFFFFF)));
}

/// Copies the sign of `sign` onto the non-negative `mag`.
ANVIL_INLINE __m512 withSignOf(__m512 mag, __m512 sign) {
  __m512i s = _mm512_and_si512(_mm512_castps_si512(sign),
                               _mm512_set1_epi32(int(0x80000000u)));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(mag), s));
}

/// tanh: an odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1) would
/// cancel), the exp form above.
ANVIL_INLINE __m512 tanh(__m512 x) {
  __m512 ax = abs(x);
  __m512 z = _mm512_mul_ps(x, x);
  __m512 p = set1(-5.70498872745E-3f);
  p = _mm512_fmadd_ps(p, z, set1(2.06390887954E-2f));
  p = _mm512_fmadd_ps(p, z, set1(-5.37397155531E-2f));
  p = _mm512_fmadd_ps(p, z, set1(1.33314422036E-1f));
  p = _mm512_fmadd_ps(p, z, set1(-3.33332819422E-1f));
  __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
  __m512 e = exp(_mm512_add_ps(ax, ax));
  __m512 big = _mm512_sub_ps(
      set1(1.0f), _mm512_div_ps(set1(2.0f), _mm512_add_ps(e, set1(1.0f))));
  big = withSignOf(big, x);
  __mmask16 isSmall = _mm512_cmp_ps_mask(ax, set1(0.625f), _CMP_LT_OQ);
  __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  return _mm512_mask_mov_ps(big, isSmall | nan, small);
}

/// 1 / (1 + e^-x); relative accuracy holds in both tails because e^-x is
/// relatively accurate and saturates to inf (giving 0) rather than NaN.
ANVIL_INLINE __m512 sigmoid(__m512 x) {
  __m512 e = exp(_mm512_sub_ps(_mm512_setzero_ps(), x));
  return _mm512_div_ps(set1(1.0f), _mm512_add_ps(set1(1.0f), e));
}

/// erf: Maclaurin series to x^17 below |x| = 0.75 (relative accuracy near 0),
/// Abramowitz & Stegun 7.1.26 above (|error| <= 1.5e-7), with x^2 split into
/// an exact hi + lo pair so e^-x^2 does not lose the rounding of x^2.
ANVIL_INLINE __m512 erf(__m512 x) {
  __m512 ax = _mm512_min_ps(abs(x), set1(6.0f));
  __m512 z = _mm512_mul_ps(x, x);
  __m512 p = set1(1.0f / 685440.0f);
  p = _mm512_fmadd_ps(p, z, set1(-1.0f / 75600.0f));
  p = _mm512_fmadd_ps(p, z, set1(1.0f / 9360.0f));
  p = _mm512_fmadd_ps(p, z, set1(-1.0f / 1320.0f));
  p = _mm512_fmadd_ps(p, z, set1(1.0f / 216.0f));
  p = _mm512_fmadd_ps(p, z, set1(-1.0f / 42.0f));
  p = _mm512_fmadd_ps(p, z, set1(1.0f / 10.0f));
  p = _mm512_fmadd_ps(p, z, set1(-1.0f / 3.0f));
  p = _mm512_fmadd_ps(p, z, set1(1.0f));
  __m512 small = _mm512_mul_ps(_mm512_mul_ps(p, x), set1(1.12837916709551257f));

  __m512 t = _mm512_div_ps(set1(1.0f),
                           _mm512_fmadd_ps(ax, set1(0.3275911f), set1(1.0f)));
  __m512 q = set1(1.061405429f);
  q = _mm512_fmadd_ps(q, t, set1(-1.453152027f));
  q = _mm512_fmadd_ps(q, t, set1(1.421413741f));
  q = _mm512_fmadd_ps(q, t, set1(-0.284496736f));
  q = _mm512_fmadd_ps(q, t, set1(0.254829592f));
  q = _mm512_mul_ps(q, t);
  __m512 hi = _mm512_mul_ps(ax, ax);
  __m512 lo = _mm512_fmsub_ps(ax, ax, hi);
  __m512 ex = exp(_mm512_sub_ps(_mm512_setzero_ps(), hi));
  ex = _mm512_fnmadd_ps(ex, lo, ex); // e^-(hi+lo) ~ e^-hi (1 - lo)
  __m512 big = _mm512_fnmadd_ps(q, ex, set1(1.0f));
  big = withSignOf(big, x);
  __mmask16 isSmall = _mm512_cmp_ps_mask(abs(x), set1(0.75f), _CMP_LT_OQ);
  __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  return _mm512_mask_mov_ps(big, isSmall | nan, small);
}

} // namespace anvil::kernels::vmath

#endif // ANVIL_KERNELS_VECMATH_H
