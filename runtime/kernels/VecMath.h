//===- VecMath.h - Vector transcendental functions -------------*- C++ -*-===//
//
// exp, log, tanh, sigmoid and erf on one vector of any ISA (vmath::exp<I>(x)
// with I a trait of Vec.h), accurate to a few float ulps (exp, log, tanh,
// sigmoid) or ~2e-7 absolute (erf), with IEEE special cases (NaN, +-inf, 0,
// denormals) handled explicitly, identically on every ISA. The polynomials
// are Cephes' single-precision ones. The exponent work is the trait's
// scale2 (p * 2^n, saturating to inf / 0) and splitExponent (x = m * 2^e):
// AVX-512 has instructions for both, AVX2 builds them from integer bit
// operations.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_VECMATH_H
#define ANVIL_KERNELS_VECMATH_H

#include "Common.h"

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {
namespace vmath {

template <class I> ANVIL_INLINE typename I::V abs(typename I::V x) {
  return I::andBits(x, I::set1Bits(0x7FFFFFFFu));
}

/// Copies the sign of `sign` onto the non-negative `mag`.
template <class I>
ANVIL_INLINE typename I::V withSignOf(typename I::V mag, typename I::V sign) {
  return I::orBits(mag, I::andBits(sign, I::set1Bits(0x80000000u)));
}

/// e^x. Range reduction x = n ln2 + r, |r| <= ln2/2, with ln2 split in two so
/// r is exact; 2^n applied by scale2, which saturates to inf / flushes to 0
/// correctly for the clamped n in [-150, 128].
template <class I> ANVIL_INLINE typename I::V exp(typename I::V x) {
  using V = typename I::V;
  // min/max return their second operand when one is NaN: keep x second so
  // NaN survives the clamp. The bounds only keep n in scale2's range.
  x = I::max(I::set1(-104.0f), I::min(I::set1(89.0f), x));
  V n = I::roundNearest(I::mul(x, I::set1(1.44269504088896341f)));
  V r = I::fnmadd(n, I::set1(0.693359375f), x);
  r = I::fnmadd(n, I::set1(-2.12194440e-4f), r);
  V p = I::set1(1.9875691500E-4f);
  p = I::fmadd(p, r, I::set1(1.3981999507E-3f));
  p = I::fmadd(p, r, I::set1(8.3334519073E-3f));
  p = I::fmadd(p, r, I::set1(4.1665795894E-2f));
  p = I::fmadd(p, r, I::set1(1.6666665459E-1f));
  p = I::fmadd(p, r, I::set1(5.0000001201E-1f));
  V r2 = I::mul(r, r);
  p = I::fmadd(p, r2, I::add(r, I::set1(1.0f)));
  return I::scale2(p, n);
}

/// Natural log. x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s),
/// s = (m - 1) / (m + 1), |s| < 0.172, by an odd series to s^11.
template <class I> ANVIL_INLINE typename I::V log(typename I::V x) {
  using V = typename I::V;
  using M = typename I::M;
  V m, e;
  I::splitExponent(x, m, e);
  const M big = I::cmpGe(m, I::set1(1.41421356237f));
  m = I::select(big, I::mul(m, I::set1(0.5f)), m);
  e = I::select(big, I::add(e, I::set1(1.0f)), e);
  V s = I::div(I::sub(m, I::set1(1.0f)), I::add(m, I::set1(1.0f)));
  V s2 = I::mul(s, s);
  V p = I::set1(2.0f / 11.0f);
  p = I::fmadd(p, s2, I::set1(2.0f / 9.0f));
  p = I::fmadd(p, s2, I::set1(2.0f / 7.0f));
  p = I::fmadd(p, s2, I::set1(2.0f / 5.0f));
  p = I::fmadd(p, s2, I::set1(2.0f / 3.0f));
  p = I::fmadd(p, s2, I::set1(2.0f));
  V lm = I::mul(p, s);
  // e * ln2 in two parts so the sum keeps full precision near x = 1.
  V res = I::fmadd(e, I::set1(-2.12194440e-4f), lm);
  res = I::fmadd(e, I::set1(0.693359375f), res);
  // Special cases: log(0) = -inf, log(x<0) = NaN, log(inf) = inf, NaN stays.
  const V zero = I::zero(), inf = I::set1(__builtin_inff());
  res = I::select(I::cmpEq(x, zero), I::set1(-__builtin_inff()), res);
  res = I::select(I::maskOr(I::cmpLt(x, zero), I::cmpUnord(x, x)),
                  I::set1(__builtin_nanf("")), res);
  res = I::select(I::cmpEq(x, inf), inf, res);
  return res;
}

/// tanh: an odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1) would
/// cancel), the exp form above.
template <class I> ANVIL_INLINE typename I::V tanh(typename I::V x) {
  using V = typename I::V;
  V ax = abs<I>(x);
  V z = I::mul(x, x);
  V p = I::set1(-5.70498872745E-3f);
  p = I::fmadd(p, z, I::set1(2.06390887954E-2f));
  p = I::fmadd(p, z, I::set1(-5.37397155531E-2f));
  p = I::fmadd(p, z, I::set1(1.33314422036E-1f));
  p = I::fmadd(p, z, I::set1(-3.33332819422E-1f));
  V small = I::fmadd(I::mul(p, z), x, x);
  V e = exp<I>(I::add(ax, ax));
  V big = I::sub(I::set1(1.0f),
                 I::div(I::set1(2.0f), I::add(e, I::set1(1.0f))));
  big = withSignOf<I>(big, x);
  return I::select(
      I::maskOr(I::cmpLt(ax, I::set1(0.625f)), I::cmpUnord(x, x)), small,
      big);
}

/// 1 / (1 + e^-x); relative accuracy holds in both tails because e^-x is
/// relatively accurate and saturates to inf (giving 0) rather than NaN.
template <class I> ANVIL_INLINE typename I::V sigmoid(typename I::V x) {
  typename I::V e = exp<I>(I::sub(I::zero(), x));
  return I::div(I::set1(1.0f), I::add(I::set1(1.0f), e));
}

/// erf: Maclaurin series to x^17 below |x| = 0.75 (relative accuracy near 0),
/// Abramowitz & Stegun 7.1.26 above (|error| <= 1.5e-7), with x^2 split into
/// an exact hi + lo pair so e^-x^2 does not lose the rounding of x^2.
template <class I> ANVIL_INLINE typename I::V erf(typename I::V x) {
  using V = typename I::V;
  V ax = I::min(abs<I>(x), I::set1(6.0f));
  V z = I::mul(x, x);
  V p = I::set1(1.0f / 685440.0f);
  p = I::fmadd(p, z, I::set1(-1.0f / 75600.0f));
  p = I::fmadd(p, z, I::set1(1.0f / 9360.0f));
  p = I::fmadd(p, z, I::set1(-1.0f / 1320.0f));
  p = I::fmadd(p, z, I::set1(1.0f / 216.0f));
  p = I::fmadd(p, z, I::set1(-1.0f / 42.0f));
  p = I::fmadd(p, z, I::set1(1.0f / 10.0f));
  p = I::fmadd(p, z, I::set1(-1.0f / 3.0f));
  p = I::fmadd(p, z, I::set1(1.0f));
  V small = I::mul(I::mul(p, x), I::set1(1.12837916709551257f));

  V t = I::div(I::set1(1.0f),
               I::fmadd(ax, I::set1(0.3275911f), I::set1(1.0f)));
  V q = I::set1(1.061405429f);
  q = I::fmadd(q, t, I::set1(-1.453152027f));
  q = I::fmadd(q, t, I::set1(1.421413741f));
  q = I::fmadd(q, t, I::set1(-0.284496736f));
  q = I::fmadd(q, t, I::set1(0.254829592f));
  q = I::mul(q, t);
  V hi = I::mul(ax, ax);
  V lo = I::fmsub(ax, ax, hi);
  V ex = exp<I>(I::sub(I::zero(), hi));
  ex = I::fnmadd(ex, lo, ex); // e^-(hi+lo) ~ e^-hi (1 - lo)
  V big = I::fnmadd(q, ex, I::set1(1.0f));
  big = withSignOf<I>(big, x);
  return I::select(
      I::maskOr(I::cmpLt(abs<I>(x), I::set1(0.75f)), I::cmpUnord(x, x)),
      small, big);
}

} // namespace vmath
} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_VECMATH_H
