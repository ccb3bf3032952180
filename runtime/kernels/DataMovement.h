//===- DataMovement.h - Transpose, concat, pad, copy -----------*- C++ -*-===//
//
// Kernels that only move floats. Shapes are normalized first (size-1 dims
// dropped, dims that stay adjacent merged) so that the innermost loop is as
// long and as contiguous as the layout allows.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_DATAMOVEMENT_H
#define ANVIL_KERNELS_DATAMOVEMENT_H

#include "Common.h"

#include <cstring>

namespace anvil::kernels {
inline namespace ANVIL_KERNEL_ABI {

namespace detail {

/// A permutation with unit dims removed and runs of input dims that stay in
/// order in the output merged. dims[] are output dims; inStride[] the input
/// element stride of each output dim.
struct NormalizedTranspose {
  int rank;
  int64_t dims[kMaxRank], inStride[kMaxRank];
};

inline NormalizedTranspose normalize(const TransposeShape &s) {
  int64_t stride[kMaxRank];
  for (int64_t d = s.rank - 1, st = 1; d >= 0; --d) {
    stride[d] = st;
    st *= s.inDims[d];
  }
  NormalizedTranspose r{};
  for (int64_t i = 0; i < s.rank; ++i) {
    int64_t d = s.perm[i];
    if (s.inDims[d] == 1)
      continue;
    if (r.rank > 0 && r.inStride[r.rank - 1] == stride[d] * s.inDims[d]) {
      r.dims[r.rank - 1] *= s.inDims[d];
      r.inStride[r.rank - 1] = stride[d];
      continue;
    }
    r.dims[r.rank] = s.inDims[d];
    r.inStride[r.rank] = stride[d];
    ++r.rank;
  }
  if (r.rank == 0) {
    r.rank = 1;
    r.dims[0] = 1;
    r.inStride[0] = 1;
  }
  return r;
}

/// Reflect / edge index mapping for pad; returns -1 for "use the constant".
inline int64_t padSource(int64_t o, int64_t begin, int64_t n, int mode) {
  int64_t i = o - begin;
  if (i >= 0 && i < n)
    return i;
  if (mode == 0 || n <= 0)
    return -1;
  if (mode == 2)
    return i < 0 ? 0 : n - 1;
  if (n == 1)
    return 0;
  // Reflect without repeating the edge, periodic so huge pads still work.
  int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0)
    i += period;
  return i < n ? i : period - i;
}

} // namespace detail

/// out = in transposed: output dim i is input dim perm[i].
template <TransposeShape S>
void transpose_f32(const float *in, float *out, const ExecContext &ctx) {
  const detail::NormalizedTranspose t = detail::normalize(S);
  const int last = t.rank - 1;
  int64_t total = 1;
  for (int d = 0; d < t.rank; ++d)
    total *= t.dims[d];
  const int64_t rowLen = t.dims[last];
  const int64_t rows = total / rowLen;
  if (t.inStride[last] == 1) {
    // Rows stay contiguous: a gather of row copies.
    parallelFor(
        ctx, rows,
        [&](int64_t b, int64_t e, int) {
          for (int64_t row = b; row < e; ++row) {
            int64_t off = 0, rem = row;
            for (int d = last - 1; d >= 0; --d) {
              off += (rem % t.dims[d]) * t.inStride[d];
              rem /= t.dims[d];
            }
            std::memcpy(out + row * rowLen, in + off, rowLen * sizeof(float));
          }
        },
        total >= kParallelElementwiseMin);
    return;
  }
  // The input's contiguous dim sits at output position `a` (< last). Copy in
  // 16x16 tiles of (a, last) so both reads and writes touch whole lines.
  int a = 0;
  for (int d = 0; d < t.rank; ++d)
    if (t.inStride[d] == 1)
      a = d;
  int64_t outStride[kMaxRank];
  for (int d = last, st = 1; d >= 0; --d) {
    outStride[d] = st;
    st *= t.dims[d];
  }
  const int64_t na = t.dims[a], nl = rowLen;
  const int64_t sl = t.inStride[last], soa = outStride[a];
  const int64_t outerCount = total / (na * nl);
  const int64_t tilesA = ceilDiv(na, 16), tilesL = ceilDiv(nl, 16);
  parallelFor(
      ctx, outerCount * tilesA,
      [&](int64_t b, int64_t e, int) {
        for (int64_t item = b; item < e; ++item) {
          int64_t outer = item / tilesA, ta = item % tilesA;
          int64_t inOff = 0, outOff = 0, rem = outer;
          for (int d = last - 1; d >= 0; --d) {
            if (d == a)
              continue;
            int64_t i = rem % t.dims[d];
            rem /= t.dims[d];
            inOff += i * t.inStride[d];
            outOff += i * outStride[d];
          }
          int64_t a0 = ta * 16, a1 = a0 + 16 < na ? a0 + 16 : na;
          for (int64_t tl = 0; tl < tilesL; ++tl) {
            int64_t l0 = tl * 16, l1 = l0 + 16 < nl ? l0 + 16 : nl;
            for (int64_t ia = a0; ia < a1; ++ia)
              for (int64_t il = l0; il < l1; ++il)
                out[outOff + ia * soa + il] = in[inOff + ia + il * sl];
          }
        }
      },
      total >= kParallelElementwiseMin);
}

/// Copies an [Outer x SrcInner] block into dst rows of DstInner floats at
/// column DstOffset (one input of a concat).
template <int64_t Outer, int64_t SrcInner, int64_t DstInner, int64_t DstOffset>
void concat_slice_f32(const float *src, float *dst, const ExecContext &ctx) {
  if constexpr (SrcInner == DstInner && DstOffset == 0) {
    parallelFor(
        ctx, ceilDiv(Outer * SrcInner, 8192),
        [&](int64_t b, int64_t e, int) {
          int64_t lo = b * 8192, hi = e * 8192;
          if (hi > Outer * SrcInner)
            hi = Outer * SrcInner;
          std::memcpy(dst + lo, src + lo, (hi - lo) * sizeof(float));
        },
        Outer * SrcInner >= kParallelElementwiseMin);
  } else {
    parallelFor(
        ctx, Outer,
        [&](int64_t b, int64_t e, int) {
          for (int64_t r = b; r < e; ++r)
            std::memcpy(dst + r * DstInner + DstOffset, src + r * SrcInner,
                        SrcInner * sizeof(float));
        },
        Outer * SrcInner >= kParallelElementwiseMin);
  }
}

/// ONNX Pad: constant / reflect / edge, negative pads crop.
template <PadShape S>
void pad_f32(const float *in, float *out, const ExecContext &ctx) {
  constexpr int64_t rank = S.rank;
  if constexpr (rank == 0) {
    out[0] = in[0];
    return;
  } else {
    constexpr int64_t last = rank - 1;
    int64_t rows = 1;
    for (int64_t d = 0; d < last; ++d)
      rows *= S.outDims[d];
    int64_t inStride[kMaxRank];
    for (int64_t d = last, st = 1; d >= 0; --d) {
      inStride[d] = st;
      st *= S.inDims[d];
    }
    constexpr int64_t ow = S.outDims[last], iw = S.inDims[last];
    constexpr int64_t pb = S.padBegin[last];
    // Output columns [c0, c1) copy input columns [c0 - pb, c1 - pb).
    constexpr int64_t c0 = pb > 0 ? pb : 0;
    constexpr int64_t c1 =
        (iw + pb < ow ? iw + pb : ow) > c0 ? (iw + pb < ow ? iw + pb : ow) : c0;
    parallelFor(
        ctx, rows,
        [&](int64_t b, int64_t e, int) {
          for (int64_t row = b; row < e; ++row) {
            float *y = out + row * ow;
            int64_t off = 0, rem = row;
            bool constant = false;
            for (int64_t d = last - 1; d >= 0; --d) {
              int64_t o = rem % S.outDims[d];
              rem /= S.outDims[d];
              int64_t i =
                  detail::padSource(o, S.padBegin[d], S.inDims[d], S.mode);
              if (i < 0)
                constant = true;
              else
                off += i * inStride[d];
            }
            if (constant) {
              for (int64_t j = 0; j < ow; ++j)
                y[j] = S.value;
              continue;
            }
            const float *x = in + off;
            for (int64_t j = 0; j < c0; ++j) {
              int64_t i = detail::padSource(j, pb, iw, S.mode);
              y[j] = i < 0 ? S.value : x[i];
            }
            if (c1 > c0)
              std::memcpy(y + c0, x + (c0 - pb), (c1 - c0) * sizeof(float));
            for (int64_t j = c1; j < ow; ++j) {
              int64_t i = detail::padSource(j, pb, iw, S.mode);
              y[j] = i < 0 ? S.value : x[i];
            }
          }
        },
        rows * ow >= kParallelElementwiseMin);
  }
}

/// out = in for Count floats; out == in is a no-op.
template <int64_t Count>
void copy_f32(const float *in, float *out, const ExecContext &ctx) {
  if (in == out || Count <= 0)
    return;
  parallelFor(
      ctx, ceilDiv(Count, 8192),
      [&](int64_t b, int64_t e, int) {
        int64_t lo = b * 8192, hi = e * 8192 < Count ? e * 8192 : Count;
        std::memcpy(out + lo, in + lo, (hi - lo) * sizeof(float));
      },
      Count >= kParallelElementwiseMin);
}

} // namespace ANVIL_KERNEL_ABI
} // namespace anvil::kernels

#endif // ANVIL_KERNELS_DATAMOVEMENT_H
