//===- Matmul.h - Batched fp32 matmul / Gemm -------------------*- C++ -*-===//
//
// out[b] = alpha * op(A[b]) * op(B[b]) + bias, row-major, with numpy batch
// broadcasting given by element strides. B is pre-packed (Shapes.h: column
// panels of 64); blocks of A (kMatMC rows x kMatKC) are packed per thread
// into scratch, k-major in groups of 6 rows, so the 6x64 microkernel
// broadcasts from one contiguous stream. Loop order per thread: k slice ->
// B panel (its 128 x 64 slice stays in L1) -> 6-row tiles of the A block
// (in L2).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_KERNELS_MATMUL_H
#define ANVIL_KERNELS_MATMUL_H

#include "Common.h"
#include "Gemm.h"

namespace anvil::kernels {

namespace detail {

/// Packs op(A)[m0 : m0 + mLen, k0 : k0 + kc] as [ceil(mLen/6)][kc][6].
template <MatmulShape S>
ANVIL_INLINE void matmulPackA(const float *a, int64_t m0, int64_t mLen,
                              int64_t k0, int64_t kc, float *dst) {
  for (int64_t mt = 0; mt < mLen; mt += kMatMR) {
    float *d = dst + (mt / kMatMR) * kc * kMatMR;
    const int64_t rows = mLen - mt < kMatMR ? mLen - mt : kMatMR;
    if constexpr (S.transA) {
      // A is [K][M]: the rows of one k are contiguous.
      for (int64_t k = 0; k < kc; ++k) {
        const float *src = a + (k0 + k) * S.m + m0 + mt;
        for (int64_t i = 0; i < rows; ++i)
          d[k * kMatMR + i] = src[i];
      }
    } else {
      for (int64_t i = 0; i < rows; ++i) {
        const float *src = a + (m0 + mt + i) * S.k + k0;
        for (int64_t k = 0; k < kc; ++k)
          d[k * kMatMR + i] = src[k];
      }
    }
  }
}

} // namespace detail

/// bias is [n] (broadcast over rows and batches) or null.
template <MatmulShape S>
void matmul_f32(const float *a, const float *packedB, const float *bias,
                float *out, const ExecContext &pctx) {
  constexpr int64_t M = S.m, N = S.n, K = S.k;
  constexpr int64_t batches = matmulBatchCount(S);
  // Tiny products run on the caller, planned for one thread.
  const ExecContext ctx = contextForWork(pctx, 2 * batches * M * N * K);
  constexpr int64_t panels = ceilDiv(N, kMatPanel);
  constexpr int64_t mBlocks = ceilDiv(M, kMatMC);
  // Equal row blocks (multiples of 6) rather than full blocks plus a runt,
  // so threads get equal work.
  constexpr int64_t mStep =
      roundUpTo(ceilDiv(M, mBlocks > 0 ? mBlocks : 1), kMatMR);
  constexpr bool scale = S.alpha != 1.0f;
  if constexpr (M <= 0 || N <= 0) {
    return;
  } else if constexpr (K <= 0) {
    for (int64_t i = 0; i < batches * M; ++i)
      for (int64_t j = 0; j < N; ++j)
        out[i * N + j] = bias ? bias[j] : 0.0f;
    return;
  } else {
    const int T = numThreads(ctx);
    // Split the panels too when batches x row blocks cannot feed every
    // thread, preferring a unit count that divides evenly among threads.
    constexpr int64_t base = batches * mBlocks;
    int64_t nChunks = 1;
    if (T > 1 && base < 4 * T) {
      nChunks = ceilDiv(4 * T, base);
      while (nChunks < panels && (base * nChunks) % T != 0)
        ++nChunks;
      if (nChunks > panels)
        nChunks = panels;
    }
    const int64_t units = base * nChunks;
    parallelFor(ctx, units, [&](int64_t ub, int64_t ue, int t) {
      float *aPack = threadScratch(ctx, t);
      for (int64_t u = ub; u < ue; ++u) {
        const int64_t chunk = u % nChunks, mb = (u / nChunks) % mBlocks;
        const int64_t b = u / nChunks / mBlocks;
        const float *aB = a + matmulBatchOffset(S, S.aBatchStride, b);
        const float *bB =
            packedB + matmulPackedBIndex(S, b) * matmulPackedBStride(S);
        float *cB = out + b * M * N;
        const int64_t m0 = mb * mStep;
        const int64_t mLen = M - m0 < mStep ? M - m0 : mStep;
        if (mLen <= 0)
          continue;
        int64_t p0, p1;
        ThreadPool::splitRange(panels, int(nChunks), int(chunk), p0, p1);
        for (int64_t k0 = 0; k0 < K; k0 += kMatKC) {
          const int64_t kc = K - k0 < kMatKC ? K - k0 : kMatKC;
          detail::matmulPackA<S>(aB, m0, mLen, k0, kc, aPack);
          for (int64_t p = p0; p < p1; ++p) {
            const int64_t cols =
                N - p * kMatPanel < kMatPanel ? N - p * kMatPanel : kMatPanel;
            const int nr = int(ceilDiv(cols, 16));
            const __mmask16 lastMask = tailMask(cols - (nr - 1) * 16);
            detail::GemmEpilogue ep{k0 > 0, k0 + kMatKC >= K,
                                    bias ? bias + p * kMatPanel : nullptr,
                                    S.alpha};
            for (int64_t mt = 0; mt < mLen; mt += kMatMR) {
              const int mr = int(mLen - mt < kMatMR ? mLen - mt : kMatMR);
              detail::gemmDispatch<int(kMatMR), int(kMatNR), int(kMatMR),
                                   detail::BiasKind::Col, scale>(
                  mr, nr, kc, aPack + (mt / kMatMR) * kc * kMatMR,
                  bB + (p * K + k0) * kMatPanel, kMatPanel, lastMask,
                  cB + (m0 + mt) * N + p * kMatPanel, N, ep);
            }
          }
        }
      }
    });
  }
}

} // namespace anvil::kernels

#endif // ANVIL_KERNELS_MATMUL_H
